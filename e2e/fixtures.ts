import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';

/**
 * Every journey fails on a console error or an uncaught page error (a CSP violation, a React warning,
 * a failed request the UI did not expect), and gets `checkA11y` for axe's serious/critical rules.
 */
/** User events the page received: pointer presses and key presses, counted by the page itself. */
export interface UserInteractions {
  /** Starts counting from zero. */
  reset(): Promise<void>;
  count(): Promise<number>;
}

const INTERACTIONS_KEY = 'e2e-user-interactions';

export const test = base.extend<{
  checkA11y: (page?: Page) => Promise<void>;
  userInteractions: UserInteractions;
  /** Patterns of console errors this journey provokes on purpose (e.g. the browser logging a stubbed 500). */
  expectedConsoleErrors: RegExp[];
  consoleErrors: string[];
}>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
  expectedConsoleErrors: async ({}, use) => {
    await use([]);
  },
  consoleErrors: [
    async ({ page, expectedConsoleErrors }, use) => {
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await use(errors);
      const unexpected = errors.filter((text) => !expectedConsoleErrors.some((pattern) => pattern.test(text)));
      expect(unexpected, 'console errors during the journey').toEqual([]);
    },
    { auto: true },
  ],
  userInteractions: async ({ page }, use) => {
    // Counted in the page, in the capture phase, so a handler that stops propagation cannot hide one;
    // only trusted events (Playwright's input goes through the browser like a person's does). A
    // pointer press and a key press each count once; fill() types no keys, so typed text is not counted.
    // sessionStorage carries the count across full page loads.
    await page.addInitScript((key) => {
      const count = (event: Event) => {
        if (!event.isTrusted) return;
        sessionStorage.setItem(key, String(Number(sessionStorage.getItem(key) ?? '0') + 1));
      };
      window.addEventListener('pointerdown', count, { capture: true });
      window.addEventListener('keydown', count, { capture: true });
    }, INTERACTIONS_KEY);
    await use({
      reset: () => page.evaluate((key) => sessionStorage.setItem(key, '0'), INTERACTIONS_KEY),
      count: () => page.evaluate((key) => Number(sessionStorage.getItem(key) ?? '0'), INTERACTIONS_KEY),
    });
  },
  checkA11y: async ({ page }, use) => {
    await use(async (target = page) => {
      const results = await new AxeBuilder({ page: target }).analyze();
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
    });
  },
});

export { expect };

export const historyRows = (page: Page) => page.getByTestId('history-row');
export const historyGrid = (page: Page) => page.getByRole('grid');
