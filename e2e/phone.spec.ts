import type { Page } from '@playwright/test';
import { expect, historyGrid, historyRows, test } from './fixtures.ts';
import { requestRollbackViaWizard, USERS } from './approval-helpers.ts';

/**
 * The approver on a phone (390×844): paged about a pending rollback, they open Rewind, find the
 * request through the folded navigation, read the exact change line by line and approve it. Nothing
 * may scroll sideways except inside a diff. Runs on both backends (the request is made in the same
 * page, so the in-browser demo keeps it).
 */
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

/** Elements wider than the viewport outside the boxes that may scroll sideways (diffs, code). */
async function expectNoHorizontalPageScroll(page: Page) {
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const offenders = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > width + 1)
      // The history's column names are visually hidden on a phone (read by screen readers only).
      .filter((element) => !element.closest('.history-cards-head'))
      .filter((element) => !element.closest('.d2h-file-diff, .d2h-file-side-diff, .virtual-diff'))
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

  // Afterwards, on the same phone (decision 048): the post-incident report's timeline wraps, and the
  // audit trail stacks each event instead of hiding who, where and what off to the side.
  await page.getByRole('link', { name: 'Report of this request' }).click();
  await expect(page.getByTestId('incident-report')).toBeVisible();
  await expect(page.locator('.report-timeline tbody tr').first()).toBeVisible();
  await expectNoHorizontalPageScroll(page);
  await checkA11y();
  await page.goBack();
  await page.getByRole('link', { name: 'Audit trail of this request' }).click();
  const approved = page.locator(`[data-testid="audit-row"][data-request-id="${id}"]`).first();
  await expect(approved).toBeVisible();
  await expect(approved.getByRole('link', { name: id })).toBeVisible();
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

/** Rendered history cards in screen order: none may overlap the next (their heights are measured, not assumed). */
async function expectCardsStacked(page: Page) {
  const boxes = await historyGrid(page).evaluate((grid) =>
    [...grid.querySelectorAll<HTMLElement>('[role="row"][data-index]')]
      .map((row) => ({ index: Number(row.dataset['index']), top: row.getBoundingClientRect().top, bottom: row.getBoundingClientRect().bottom, content: row.scrollHeight, height: row.clientHeight }))
      .sort((a, b) => a.index - b.index),
  );
  expect(boxes.length).toBeGreaterThan(1);
  for (let i = 1; i < boxes.length; i++) {
    if (boxes[i]!.index !== boxes[i - 1]!.index + 1) continue;
    expect(boxes[i]!.top, `card ${boxes[i]!.index} starts where ${boxes[i - 1]!.index} ends`).toBeCloseTo(boxes[i - 1]!.bottom, 0);
  }
  // Nothing in a card is cut off at its bottom.
  for (const box of boxes) expect(box.content, `card ${box.index}`).toBeLessThanOrEqual(box.height + 1);
}

test('the deployment history reads as cards on a phone, and a row’s actions work', async ({ page, checkA11y }) => {
  await page.goto('/targets/acme/production');
  const grid = historyGrid(page);
  const first = historyRows(page).first();
  await expect(first).toContainText('release payments v2.14.0');
  await expectNoHorizontalPageScroll(page);
  // Not inside the grid either: every column of a row is within the screen, none cut off sideways.
  expect(await grid.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  const gridBox = (await grid.boundingBox())!;
  const second = historyRows(page).nth(1);
  for (const cell of await second.getByRole('gridcell').all()) {
    const box = (await cell.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(gridBox.x);
    expect(box.x + box.width).toBeLessThanOrEqual(gridBox.x + gridBox.width + 0.5);
    expect(await cell.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(1);
  }
  await expect(first.getByText(/^by /)).toBeVisible();
  await expect(first.getByText(/failed/i).first()).toBeVisible();
  await expectCardsStacked(page);
  await page.screenshot({ path: test.info().outputPath('history-390.png'), fullPage: true });
  await checkA11y();

  // Older pages load as the grid scrolls; the measured cards still stack.
  const count = async () => Number(await grid.getAttribute('aria-rowcount'));
  const before = await count();
  for (let i = 0; i < 30 && (await count()) <= before; i++) {
    await grid.evaluate((el) => el.scrollBy(0, el.scrollHeight));
    await page.waitForTimeout(100);
  }
  expect(await count()).toBeGreaterThan(before);
  await expectCardsStacked(page);
  // The keyboard still moves through the cards, and the active one is scrolled into view.
  await grid.evaluate((el) => el.scrollTo(0, 0));
  await grid.focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowDown');
  const active = grid.locator('[data-active="true"]');
  await expect(active).toHaveAttribute('aria-rowindex', '8');
  await expect(active).toBeInViewport();
  await expectNoHorizontalPageScroll(page);

  // A row's actions: Compare, then Rollback, each a full-size touch target.
  await grid.evaluate((el) => el.scrollTo(0, 0));
  const sha = (await second.getAttribute('data-sha'))!;
  const compare = second.getByRole('button', { name: /Compare revision .* with current/ });
  expect((await compare.boundingBox())!.height).toBeGreaterThanOrEqual(40);
  await compare.tap();
  await expect(page).toHaveURL(new RegExp(`/targets/acme/production/compare\\?from=${sha}&to=head$`));
  await page.goBack();
  await expect(historyRows(page).nth(1)).toHaveAttribute('data-sha', sha);
  await historyRows(page).nth(1).getByRole('button', { name: /^Rollback to revision/ }).tap();
  await expect(page).toHaveURL(new RegExp(`/rollback/new\\?tenant=acme&environment=production&revision=${sha}$`));
  await expectNoHorizontalPageScroll(page);
  await checkA11y();
});
