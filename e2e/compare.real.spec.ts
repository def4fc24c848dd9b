import type { Page } from '@playwright/test';
import type { Diff } from '#core/schemas.ts';
import {
  FROM_SHA,
  HOSTILE_TEXTS,
  HUGE_PATH,
  LARGE_PATH,
  ROOT,
  TO_SHA,
  hostileCompare,
  largeCompare,
  makeFileDiff,
  makePatch,
} from '#src/test/compare-fixtures.ts';
import { expect, test } from './fixtures.ts';

// Crafted compare responses (files no demo commit has) served with page.route, which only sees
// requests that reach the network: with the MSW demo build the page's service worker answers them
// first, so these journeys run on the real server only.
async function serveCompare(page: Page, diff: Diff) {
  await page.route('**/api/targets/acme/production/compare?*', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(diff) }),
  );
  await page.goto(`/targets/acme/production/compare?from=${FROM_SHA}&to=${TO_SHA}`);
}

const card = (page: Page, path: string) => page.locator(`[data-testid="diff-file"][data-path=${JSON.stringify(path)}]`);

test.describe('compare: long diffs and hostile content', () => {
  test('a long file waits behind "Load diff" and mounts only the rows in view; a huge one is a download', async ({ page, checkA11y }) => {
    await serveCompare(page, largeCompare());
    const large = card(page, LARGE_PATH);
    await expect(large).toContainText(/Large diff: 1,\d{3} lines/);
    await expect(large.locator('[data-diff-row]')).toHaveCount(0);
    // The small file next to them rendered at once.
    await expect(card(page, `${ROOT}services/payments/values.yaml`).getByText('tag: "v2.14.0"')).toBeVisible();
    await checkA11y();

    await large.getByRole('button', { name: 'Load diff' }).click();
    const box = large.getByRole('group', { name: `Diff of ${LARGE_PATH}` });
    await expect(box.getByText('section-0:')).toBeVisible();
    const mounted = await large.locator('[data-diff-row]').count();
    expect(mounted).toBeGreaterThan(20);
    expect(mounted).toBeLessThan(150);
    await box.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    await expect(box.getByText(/section-13[0-9]:/).last()).toBeVisible();
    expect(await large.locator('[data-diff-row]').count()).toBeLessThan(150);
    await checkA11y();

    const huge = card(page, HUGE_PATH);
    await expect(huge).toContainText('too large to show here (21,000 lines');
    await expect(huge.getByRole('button', { name: 'Load diff' })).toHaveCount(0);
    const downloading = page.waitForEvent('download');
    await huge.getByRole('button', { name: /Download patch/ }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('tenants_acme_production_services_search_snapshot.yaml.patch');
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(path, 'utf8')).toBe(largeCompare().files[2]!.patch);
  });

  test('hostile file names, lines and values stay inert text in both layouts', async ({ page, checkA11y }) => {
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const diff = hostileCompare();
    // A long hostile file as well, for the virtualised rows.
    const longPath = `${ROOT}services/payments/${HOSTILE_TEXTS[0]}.yaml`;
    diff.files.push(makeFileDiff(longPath, makePatch(longPath, 500, { content: (n) => `v${n}: ${HOSTILE_TEXTS[n % 3]}` })));
    await serveCompare(page, diff);
    await expect(page.getByTestId('field-row')).toHaveCount(2);
    await card(page, longPath).getByRole('button', { name: 'Load diff' }).click();
    await expect(card(page, longPath).locator('[data-diff-row]').first()).toBeVisible();

    const main = page.getByRole('main');
    for (const layout of ['Side by side', 'Line by line']) {
      await page.getByRole('radio', { name: layout }).check();
      await expect(main.locator('[data-diff-row]').first()).toBeVisible();
      await expect(main.locator('img, script, svg, iframe, object, embed')).toHaveCount(0);
      expect(await main.locator('a[href^="javascript" i]').count()).toBe(0);
      const handlers = await main.evaluate((root) =>
        [...root.querySelectorAll('*')].flatMap((element) => element.getAttributeNames().filter((name) => name.startsWith('on'))),
      );
      expect(handlers).toEqual([]);
      // Shown literally: in the diff, the file name, the field table.
      await expect(main.getByText(HOSTILE_TEXTS[0]!, { exact: false }).first()).toBeVisible();
      await expect(main.getByText('covered</div>', { exact: false }).first()).toBeVisible();
    }
    await expect(main.getByRole('button', { name: /svg onload=alert\(4\)/ })).toBeVisible();
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await checkA11y();
  });
});
