import type { Page } from '@playwright/test';
import { expect, historyRows, test } from './fixtures.ts';

/**
 * Decision 043 on the demo data (both projects): the compare page's revision pickers, keyboard first,
 * and "Roll back to this" into the wizard.
 */
const search = (page: Page) => Object.fromEntries(new URL(page.url()).searchParams);

test('compare pickers: choose from and to by keyboard, the URL follows, and "Roll back to this" opens the wizard there', async ({ page, checkA11y }) => {
  await page.goto('/targets/acme/production');
  await expect(historyRows(page).nth(3)).toBeVisible();
  const shas = await historyRows(page).evaluateAll((rows) => rows.slice(0, 4).map((row) => row.getAttribute('data-sha')!));
  await page.goto(`/targets/acme/production/compare?from=${shas[1]}&to=head`);
  const from = page.getByRole('combobox', { name: 'From revision' });
  const to = page.getByRole('combobox', { name: 'To revision' });
  await expect(from).toHaveValue(shas[1]!);
  await expect(to).toHaveValue('head');
  await expect(page.getByTestId('field-row').first()).toBeVisible();
  await checkA11y();

  // Keyboard only: focus the From picker and move one revision down (older).
  await from.focus();
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => search(page)).toEqual({ from: shas[2], to: 'head' });
  await expect(page.getByTestId('compare-from')).toContainText(shas[2]!.slice(0, 7));
  // To: the revision just below the head.
  await to.selectOption(shas[1]!);
  await expect.poll(() => search(page)).toEqual({ from: shas[2], to: shas[1] });
  await expect(page.getByTestId('compare-to')).toContainText(shas[1]!.slice(0, 7));
  await page.goBack();
  await expect.poll(() => search(page)).toEqual({ from: shas[2], to: 'head' });

  // Tab reaches "Roll back to this" after the From picker; Enter opens the wizard at that revision.
  await from.focus();
  await page.keyboard.press('Tab');
  const rollBack = page.getByRole('link', { name: `Roll back to ${shas[2]!.slice(0, 7)}` });
  await expect(rollBack).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/rollback/new\\?tenant=acme&environment=production&revision=${shas[2]}`));
});

test('compare pickers at 1440 and 390 px: screenshots, the chosen options whole at 1440, and no sideways page scroll on a phone', async ({ page, checkA11y }) => {
  // Two full compare pages, each checked by axe: on a loaded machine that is more than a minute.
  test.setTimeout(150_000);
  await page.goto('/targets/acme/production');
  await expect(historyRows(page).nth(8)).toBeAttached();
  const sha = (await historyRows(page).nth(8).getAttribute('data-sha'))!;
  // "To": the loaded revision with the longest subject (decision 053: side by side, it was cut at 1440 px).
  const longest = await historyRows(page).evaluateAll((rows) =>
    rows
      .slice(1)
      .map((row) => ({ sha: row.getAttribute('data-sha')!, length: row.querySelector('.history-summary')?.textContent?.length ?? 0 }))
      .sort((a, b) => b.length - a.length)[0]!.sha,
  );
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.goto(`/targets/acme/production/compare?from=${sha}&to=${longest}`);
    await expect(page.getByTestId('field-row').first()).toBeVisible();
    await page.screenshot({ path: test.info().outputPath(`glance-compare-${width}.png`), fullPage: false });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `sideways scroll at ${width} px`).toBeLessThanOrEqual(1);
    for (const name of ['From revision', 'To revision']) {
      const picker = page.getByRole('combobox', { name, exact: true });
      // The whole chosen text on hover, at any width.
      const chosen = await picker.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.textContent ?? '');
      expect(chosen).toMatch(/^[0-9a-f]{7} · /);
      await expect(picker).toHaveAttribute('title', chosen);
      if (width !== 1440) continue;
      // At 1440 px the chosen option's text fits the closed select: its width in the select's own font,
      // against the select's inner width less its padding and about 24 px of drop-down arrow.
      const fit = await picker.evaluate((select: HTMLSelectElement) => {
        const style = getComputedStyle(select);
        const context = document.createElement('canvas').getContext('2d')!;
        context.font = style.font;
        const text = context.measureText(select.selectedOptions[0]?.textContent ?? '').width;
        const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 24;
        return { text: Math.ceil(text), room: Math.floor(room) };
      });
      expect(fit.text, `${name}: the chosen option (${chosen}) is cut`).toBeLessThanOrEqual(fit.room);
    }
    await checkA11y();
  }
});

test('history authors who are users by their directory name, the email on hover and for screen readers (decision 047)', async ({ page, checkA11y }) => {
  await page.goto('/targets/acme/production');
  await expect(historyRows(page).nth(5)).toBeVisible();
  const byUser = page.locator('.history-cell--author .person').filter({ hasText: /^(Sam Rivera|Priya Raman|Dana Whitfield|Marcus Okafor|Olu Adeyemi) \([a-z]+@example\.com\)$/ });
  const row = historyRows(page).filter({ has: byUser }).first();
  const author = row.locator('.history-cell--author .person');
  await expect(author).toBeVisible();
  const [, name, email] = /^(.+) \((.+)\)$/.exec((await author.textContent())!)!;
  await expect(author).toHaveAttribute('title', email!);
  await expect(author.locator('.visually-hidden')).toHaveText(`(${email})`);
  await checkA11y();
  // The revision page names its author the same way.
  await row.getByRole('link', { name: /^Details of revision/ }).click();
  const detail = page.getByTestId('revision-detail');
  await expect(detail).toBeVisible();
  await expect(detail.locator('dd .person').first()).toHaveText(`${name} (${email})`);
  await expect(detail.locator('dd .person').first()).toHaveAttribute('title', email!);
  await checkA11y();
});
