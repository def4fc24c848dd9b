import type { Page } from '@playwright/test';
import { wizardToJustification } from './approval-helpers.ts';
import { expect, historyRows, test } from './fixtures.ts';

/**
 * Dark mode: the system's scheme by default, a remembered manual choice in the header. axe's contrast
 * rule runs in both schemes on the pages with the most colour: badges (history) and a diff (compare).
 */
test.use({ colorScheme: 'dark', viewport: { width: 1440, height: 900 } });

const background = (page: Page) =>
  page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

test('follows a dark system scheme, keeps AA contrast, and remembers a manual light choice', async ({ page, checkA11y }, testInfo) => {
  await page.goto('/targets/acme/production');
  await expect(historyRows(page).first()).toBeVisible();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');
  expect(await background(page)).toBe('rgb(13, 17, 23)');
  await checkA11y();

  await historyRows(page).nth(1).getByRole('button', { name: /^Compare/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Compare revisions/ })).toBeVisible();
  await expect(page.locator('.d2h-ins').first()).toBeVisible();
  await checkA11y();
  await page.screenshot({ path: testInfo.outputPath('compare-dark.png'), fullPage: false });

  const theme = page.getByLabel('Theme');
  await expect(theme).toHaveValue('system');
  await theme.selectOption('light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await background(page)).toBe('rgb(246, 248, 250)');
  await checkA11y();

  // Remembered: a new visit on this browser stays light although the system is dark.
  await page.reload();
  await expect(page.locator('.d2h-ins').first()).toBeVisible();
  await expect(page.getByLabel('Theme')).toHaveValue('light');
  expect(await background(page)).toBe('rgb(246, 248, 250)');

  await page.getByLabel('Theme').selectOption('system');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');
  expect(await background(page)).toBe('rgb(13, 17, 23)');
});

test('a manual dark choice overrides a light system scheme', async ({ page, checkA11y }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/approvals');
  await expect(page.getByRole('heading', { level: 1, name: 'Approvals' })).toBeVisible();
  expect(await background(page)).toBe('rgb(246, 248, 250)');
  await page.getByLabel('Theme').selectOption('dark');
  expect(await background(page)).toBe('rgb(13, 17, 23)');
  await checkA11y();
});

/** WCAG contrast ratios of the focused field's text and placeholder, its focus ring, and every field edge and placeholder of the page's main. */
const fieldContrast = (page: Page) =>
  page.evaluate(() => {
    const luminance = (color: string) => {
      const [r, g, b] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const ratio = (a: string, b: string) => {
      const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return Math.round(((light! + 0.05) / (dark! + 0.05)) * 100) / 100;
    };
    // The first opaque background behind an element (the ring is drawn outside the field, on it).
    const behind = (element: Element) => {
      for (let parent = element.parentElement; parent; parent = parent.parentElement) {
        const color = getComputedStyle(parent).backgroundColor;
        if (!color.startsWith('rgba') || !color.endsWith(', 0)')) return color;
      }
      return getComputedStyle(document.documentElement).backgroundColor;
    };
    const field = document.activeElement!;
    const style = getComputedStyle(field);
    return {
      focusVisible: field.matches(':focus-visible'),
      text: ratio(style.color, style.backgroundColor),
      ringWidth: parseFloat(style.outlineWidth),
      ringOnPage: ratio(style.outlineColor, behind(field)),
      ringOnField: ratio(style.outlineColor, style.backgroundColor),
      // WCAG 1.4.11: a field's edge against what is around it (the panel or page behind it).
      borders: [...document.querySelectorAll('main input:not([type=checkbox]):not([type=radio]):not([type=hidden]), main select, main textarea')].map((element) => ({
        field: (element as HTMLInputElement).labels?.[0]?.textContent?.trim() || element.tagName,
        ratio: ratio(getComputedStyle(element).borderTopColor, behind(element)),
      })),
      placeholders: [...document.querySelectorAll('main [placeholder]')].map((element) => {
        const own = getComputedStyle(element);
        return { placeholder: element.getAttribute('placeholder'), ratio: ratio(getComputedStyle(element, '::placeholder').color, own.backgroundColor) };
      }),
    };
  });

test("the wizard's justification in dark mode, focused: axe, AA text and placeholders, a 3:1 focus ring and field edges in both schemes (decision 053)", async ({ page, checkA11y }, testInfo) => {
  await wizardToJustification(page, 'acme/production');
  const justification = page.getByLabel('Justification (required)');
  await justification.focus();
  await page.keyboard.type('payments v2.14.0 times out');
  await expect(justification).toBeFocused();
  expect(await background(page)).toBe('rgb(13, 17, 23)');
  await checkA11y();
  await page.locator('.justification-field').screenshot({ path: testInfo.outputPath('justification-dark.png') });
  const contrast = await fieldContrast(page);
  expect(contrast.focusVisible).toBe(true);
  expect(contrast.text, 'justification text on its field').toBeGreaterThanOrEqual(4.5);
  expect(contrast.ringWidth).toBeGreaterThanOrEqual(2);
  expect(contrast.ringOnPage, 'focus ring on the panel').toBeGreaterThanOrEqual(3);
  expect(contrast.ringOnField, 'focus ring on the field').toBeGreaterThanOrEqual(3);
  // The step's other fields (incident ID and link) show examples as placeholders: 3.75:1 before.
  expect(contrast.placeholders.length).toBeGreaterThanOrEqual(2);
  for (const { placeholder, ratio } of contrast.placeholders) expect(ratio, `placeholder "${placeholder}"`).toBeGreaterThanOrEqual(4.5);
  // Field edges: 1.5–1.8:1 before (the panels' hairline colour); 3:1 in both schemes now.
  expect(contrast.borders.length).toBeGreaterThanOrEqual(3);
  for (const { field, ratio } of contrast.borders) expect(ratio, `edge of ${field} (dark)`).toBeGreaterThanOrEqual(3);
  await page.getByLabel('Theme').selectOption('light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await justification.focus();
  await page.locator('.justification-field').screenshot({ path: testInfo.outputPath('justification-light.png') });
  const light = await fieldContrast(page);
  for (const { field, ratio } of light.borders) expect(ratio, `edge of ${field} (light)`).toBeGreaterThanOrEqual(3);
  for (const { placeholder, ratio } of light.placeholders) expect(ratio, `placeholder "${placeholder}" (light)`).toBeGreaterThanOrEqual(4.5);
  await checkA11y();
});
