import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { requestRollbackViaWizard, USERS } from './approval-helpers.ts';

/**
 * The approver on a phone (390×844): paged about a pending rollback, they open Rewind, find the
 * request through the folded navigation, read the exact change line by line and approve it. Nothing
 * may scroll sideways except inside a diff. Runs on both backends (the request is made in the same
 * page, so the in-browser demo keeps it).
 */
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

/** Elements wider than the viewport outside the boxes that may scroll sideways (diffs, the history grid). */
async function expectNoHorizontalPageScroll(page: Page) {
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const offenders = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > width + 1)
      .filter((element) => !element.closest('.d2h-file-diff, .d2h-file-side-diff, .virtual-diff, .history-grid'))
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${element.className}`);
    return { scrollWidth: document.documentElement.scrollWidth, width, offenders };
  });
  expect(overflow.offenders).toEqual([]);
  expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.width);
}

async function openMenu(page: Page) {
  const menu = page.getByRole('button', { name: /^Menu/ });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
}

test('an approver reviews and approves a rollback on a phone', async ({ page, checkA11y }) => {
  await page.goto('/');
  // The navigation is folded: the links are not shown until the menu opens.
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await expectNoHorizontalPageScroll(page);
  await checkA11y();

  const id = await requestRollbackViaWizard(page, 'globex/staging', 'phone: checkout 500s, restore the last good release');
  await expect(page.getByTestId('request-state')).toHaveText('Pending approval');

  // Dana takes over (demo user switcher, inside the menu), then goes to her queue.
  await openMenu(page);
  await checkA11y();
  await page.getByLabel('Acting as').selectOption(USERS.dana);
  await expect(page.getByLabel('Acting as')).toHaveValue(USERS.dana);
  await expect(page.getByRole('button', { name: /^Menu, \d+ approvals? waiting$/ })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Approvals/ }).click();
  await expect(page).toHaveURL(/\/approvals$/);
  // Following a link closed the menu.
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  const row = page.locator(`[data-testid="approval-row"][data-request-id="${id}"]`);
  await expect(row).toBeVisible();
  await expectNoHorizontalPageScroll(page);
  await checkA11y();

  await row.getByRole('link', { name: `Review rollback ${id}` }).click();
  await expect(page).toHaveURL(new RegExp(`/rollbacks/${id}$`));
  await expect(page.getByTestId('field-row').first()).toBeVisible();
  // Line by line: one column of changes, no layout switch on a phone.
  await expect(page.getByRole('group', { name: 'Changes' }).first()).toBeVisible();
  await expect(page.getByRole('group', { name: 'Before (old version)' })).toHaveCount(0);
  await expect(page.getByRole('radio', { name: 'Side by side' })).toHaveCount(0);
  await expectNoHorizontalPageScroll(page);
  await checkA11y();

  const reviews = page.getByRole('region', { name: 'Reviews' });
  await reviews.getByLabel('Comment (optional)').fill('checked on my phone');
  const approve = reviews.getByRole('button', { name: 'Approve and roll back' });
  const box = await approve.boundingBox();
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(40);
  await approve.tap();
  await expect(page.getByTestId('request-state')).toHaveText('Completed', { timeout: 20_000 });
  await expect(page.getByRole('heading', { level: 2, name: 'Reviews' })).toBeFocused();
  await expectNoHorizontalPageScroll(page);
  await checkA11y();
});

test('break glass is in reach on a phone', async ({ page, checkA11y }) => {
  await page.addInitScript((who) => {
    localStorage.setItem('rewind.identity', JSON.stringify({ state: { email: who }, version: 0 }));
  }, USERS.olu);
  await page.goto('/');
  // Outside the folded menu: on call, it is what the page is opened for.
  const breakGlass = page.getByRole('button', { name: /Break glass/ });
  await expect(breakGlass).toBeVisible();
  await breakGlass.click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expectNoHorizontalPageScroll(page);
  await checkA11y();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});
