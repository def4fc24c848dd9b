// The compare view in headless Chromium on a ~100,000-line compare: 26 files, 20 small ones (rendered at
// once), five of 15,000-19,500 lines (behind "Load diff", virtualised once loaded), one of 20,600 lines
// (download only), and 1,000 field changes: src/test/compare-fixtures.ts `hundredThousandLineCompare`.
//
// How it is served: a production build (no MSW) under `vite preview`, with every /api request answered
// by page.route: the crafted compare, and a minimal identity, target and (empty) history. No server
// or demo data of ours can hold such a compare, and this measures the browser side alone (JSON parse,
// schema validation, rendering), which is what the figures are about.
//
// Reported: time from navigation start to the first diff line in the page, the longest main-thread
// task (PerformanceObserver `longtask`) while opening, while each "Load diff" renders and while
// scrolling the 19,500-line file from top to bottom, and the most diff rows ever mounted at once.
// A longest task of 0 means none reached the 50 ms long-task threshold. Rows are diff rows as people
// see them (a side-by-side pair is one row); `dom_rows` counts both halves of diff2html's tables.
// Goals (issue 4): longest task ≤ 200 ms, rows ≤ 2,000.
// Runs under tsx (`npm run bench compare-view`): it imports the TS fixture generator.
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FROM_SHA, TO_SHA, hundredThousandLineCompare } from '#src/test/compare-fixtures.ts';
import { withBrowser, withServer } from './browser.mjs';

const PORT = 4193;
const OUT_DIR = join(tmpdir(), 'rewind-bench-compare-view');
// Diff rows as people see them: a side-by-side row is one row, though diff2html draws it in two tables.
const ROWS = '.diff-view .d2h-file-diff tr, .diff-view .d2h-file-side-diff:first-child tr, [data-diff-row]';
// Every row element in the DOM (both halves of a side-by-side row count).
const DOM_ROWS = '.diff-view tr, [data-diff-row]';
const LONGEST_FILE = 'tenants/acme/production/services/bulk-omega/manifest.yaml';

const user = { email: 'bench@example.com', name: 'Bench', roles: ['requester', 'approver'] };
const target = {
  tenant: 'acme',
  environment: 'production',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 1, blockSelfApproval: true },
  head: { sha: TO_SHA, timestamp: '2026-01-01T00:00:00Z' },
  health: 'healthy',
  sync: 'synced',
  services: [],
};

async function withPreviewServer(work) {
  const build = spawnSync('npx', ['vite', 'build', '--outDir', OUT_DIR, '--emptyOutDir', '--logLevel', 'error'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  return withServer('npx', ['vite', 'preview', '--outDir', OUT_DIR, '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], `http://127.0.0.1:${PORT}`, work);
}

async function routeApi(page, compareBody) {
  const json = (body) => ({ status: 200, contentType: 'application/json', body: typeof body === 'string' ? body : JSON.stringify(body) });
  await page.route('**/api/**', (route) => {
    const { pathname } = new URL(route.request().url());
    if (pathname === '/api/me') return route.fulfill(json({ user, breakGlass: null, identityMode: 'demo' }));
    if (pathname === '/api/users') return route.fulfill(json({ users: [user] }));
    if (pathname === '/api/targets') return route.fulfill(json({ targets: [target] }));
    if (pathname === '/api/targets/acme/production') return route.fulfill(json({ target }));
    if (pathname.endsWith('/history')) return route.fulfill(json({ revisions: [], nextCursor: null }));
    if (pathname.endsWith('/compare')) return route.fulfill(json(compareBody));
    return route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"code":"NOT_FOUND","message":"bench"}}' });
  });
}

/** Longest task since the last call, after the page has been idle for a moment. */
const takeLongestTask = (page) =>
  page.evaluate(async () => {
    await new Promise((r) => setTimeout(r, 600));
    const longest = Math.max(0, ...window.__bench.longTasks);
    window.__bench.longTasks = [];
    return longest;
  });

const countRows = (page) =>
  page.evaluate(([rows, domRows]) => [document.querySelectorAll(rows).length, document.querySelectorAll(domRows).length], [ROWS, DOM_ROWS]);

export async function run(report) {
  const diff = hundredThousandLineCompare();
  const body = JSON.stringify(diff);
  const patchLines = diff.files.reduce((sum, file) => sum + file.patch.split('\n').length - 1, 0);
  report({ name: 'compare_view.fixture.patch_lines', value: patchLines, unit: 'lines' });
  report({ name: 'compare_view.fixture.response_size', value: Math.round(body.length / 1024), unit: 'KB' });

  await withPreviewServer((url) =>
    withBrowser(async (browser) => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, serviceWorkers: 'block' });
      const page = await context.newPage();
      await routeApi(page, body);
      await page.addInitScript((selector) => {
        window.__bench = { longTasks: [], firstRowAt: null };
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) window.__bench.longTasks.push(entry.duration);
        }).observe({ type: 'longtask', buffered: true });
        new MutationObserver((_, observer) => {
          if (document.querySelector(selector)) {
            window.__bench.firstRowAt = performance.now();
            observer.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });
      }, ROWS);
      const compareUrl = `${url}/targets/acme/production/compare?from=${FROM_SHA}&to=${TO_SHA}`;
      // A warm-up visit primes the HTTP cache and V8's code cache, as a second visit during an incident.
      await page.goto(compareUrl);
      await page.waitForSelector(ROWS, { timeout: 60_000 });
      await page.reload();
      await page.waitForSelector(ROWS, { timeout: 60_000 });
      const firstRowAt = await page.evaluate(() => window.__bench.firstRowAt);
      const openLongest = await takeLongestTask(page);
      let [maxRows, maxDomRows] = await countRows(page);
      report({ name: 'compare_view.time_to_first_diff_line.100k', value: Math.round(firstRowAt), unit: 'ms' });
      report({ name: 'compare_view.open_100k.longest_task', value: Math.round(openLongest), unit: 'ms' });
      report({ name: 'compare_view.open_100k.rows_mounted', value: maxRows, unit: 'rows' });
      report({ name: 'compare_view.open_100k.dom_rows_mounted', value: maxDomRows, unit: 'rows' });

      // "Load diff" on every long file, one after the other.
      let loadLongest = 0;
      let loadLongestFile = 0;
      const buttons = page.getByRole('button', { name: 'Load diff' });
      const loads = await buttons.count();
      for (let i = 0; i < loads; i++) {
        const button = buttons.first();
        await button.scrollIntoViewIfNeeded();
        await takeLongestTask(page);
        const started = await page.evaluate(() => performance.now());
        await button.click();
        await page.waitForFunction((count) => document.querySelectorAll('[data-diff-row]').length > count, 0);
        const shownAfter = (await page.evaluate(() => performance.now())) - started;
        loadLongestFile = Math.max(loadLongestFile, shownAfter);
        loadLongest = Math.max(loadLongest, await takeLongestTask(page));
        const [rows, domRows] = await countRows(page);
        maxRows = Math.max(maxRows, rows);
        maxDomRows = Math.max(maxDomRows, domRows);
      }
      report({ name: 'compare_view.load_diff.files', value: loads, unit: 'files' });
      report({ name: 'compare_view.load_diff.longest_task', value: Math.round(loadLongest), unit: 'ms' });
      report({ name: 'compare_view.load_diff.slowest_click_to_rows', value: Math.round(loadLongestFile), unit: 'ms' });

      // Scroll the 19,500-line file from top to bottom, a screenful a frame.
      const scroll = await page.evaluate(
        async ({ path, selector, domSelector }) => {
          const card = [...document.querySelectorAll('[data-testid="diff-file"]')].find((el) => el.dataset.path === path);
          const box = card.querySelector('[data-virtual-diff]');
          box.scrollIntoView();
          window.__bench.longTasks = [];
          let longestFrame = 0;
          let maxRows = 0;
          let maxDomRows = 0;
          let last = performance.now();
          const started = last;
          while (box.scrollTop + box.clientHeight < box.scrollHeight && performance.now() - started < 300_000) {
            box.scrollTop += box.clientHeight;
            await new Promise((r) => requestAnimationFrame(r));
            const now = performance.now();
            longestFrame = Math.max(longestFrame, now - last);
            last = now;
            maxRows = Math.max(maxRows, document.querySelectorAll(selector).length);
            maxDomRows = Math.max(maxDomRows, document.querySelectorAll(domSelector).length);
          }
          await new Promise((r) => setTimeout(r, 300));
          return {
            longestTask: Math.max(0, ...window.__bench.longTasks),
            longestFrame,
            maxRows,
            maxDomRows,
            boxRows: box.querySelectorAll('[data-diff-row]').length,
            seconds: (performance.now() - started) / 1000,
          };
        },
        { path: LONGEST_FILE, selector: ROWS, domSelector: DOM_ROWS },
      );
      maxRows = Math.max(maxRows, scroll.maxRows);
      maxDomRows = Math.max(maxDomRows, scroll.maxDomRows);
      report({ name: 'compare_view.scroll_19500.longest_task', value: Math.round(scroll.longestTask), unit: 'ms' });
      report({ name: 'compare_view.scroll_19500.longest_frame', value: Math.round(scroll.longestFrame), unit: 'ms' });
      report({ name: 'compare_view.scroll_19500.rows_in_box', value: scroll.boxRows, unit: 'rows' });
      report({ name: 'compare_view.rows_mounted_max', value: maxRows, unit: 'rows' });
      report({ name: 'compare_view.dom_rows_mounted_max', value: maxDomRows, unit: 'rows' });
      await context.close();
    }),
  );
}
