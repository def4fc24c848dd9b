import type { Page } from '@playwright/test';
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
