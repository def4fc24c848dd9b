import { expect, historyGrid, historyRows, test } from './fixtures.ts';

test.describe('50,000-revision history', () => {
  test.setTimeout(300_000);

  test('keeps at most 100 row elements in the DOM from top to bottom', async ({ page }) => {
    await page.goto('/targets/acme/perf?demo=large');
    await expect(historyRows(page).first()).toBeVisible({ timeout: 60_000 });
    const grid = historyGrid(page);
    let maxRows = 0;
    let reachedBottom = false;
    for (let step = 0; step < 5000 && !reachedBottom; step++) {
      const state = await grid.evaluate((el) => {
        const before = el.scrollTop;
        el.scrollTop = before + el.clientHeight * 3;
        return { moved: el.scrollTop !== before, rows: el.querySelectorAll('[data-testid="history-row"]').length };
      });
      maxRows = Math.max(maxRows, state.rows);
      if (!state.moved) {
        // At the end of what is loaded: wait for the next page, or stop when the bootstrap commit shows.
        reachedBottom = await page.getByText('Bootstrap acme/perf environment').isVisible().catch(() => false);
        if (!reachedBottom) await page.waitForTimeout(50);
      }
    }
    expect(reachedBottom).toBe(true);
    expect(Number(await grid.getAttribute('aria-rowcount'))).toBeGreaterThanOrEqual(50_000);
    expect(maxRows).toBeGreaterThan(5);
    expect(maxRows).toBeLessThanOrEqual(100);
  });
});
