// Target page under API latency (`npm run bench target-page-load`): every /api call is held API_DELAY_MS
// in the browser before it goes to the real server (demo repo, SQLite), so sequential round trips show
// up as multiples of the delay. Reported, median of RUNS:
//
// - cold: `page.goto('/targets/acme/production')` until the header and the first history row are there;
// - from-list: on the targets overview (list loaded), a click on acme/production until the same.
//
// Wall-clock times include downloading and running the page's JavaScript, which varies with the machine's
// load. So each measure also reports its API round trips on the critical path: the longest chain of
// /api/targets/acme/production… calls in which each call started only after the one before it answered
// (1 when the target and its history are asked for at once, 2 when the history waits for the target).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { withBrowser, withServer } from './browser.mjs';

const API_DELAY_MS = 300;
const RUNS = 5;
const PORT = Number(process.env.BENCH_TARGET_PAGE_PORT ?? 4194);
const HEADER = 'h1:has-text("acme")';
const ROW = '[data-testid="history-row"]';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Records the page's target calls; `depth()` is the longest chain of calls that waited for each other. */
function watchTargetCalls(page) {
  let calls = [];
  const open = new Map();
  page.on('request', (request) => {
    if (!/\/api\/targets\/acme\/production(\/history|\?|$)/.test(request.url())) return;
    open.set(request, { start: performance.now(), end: Infinity });
  });
  const finish = (request) => {
    const call = open.get(request);
    if (!call) return;
    call.end = performance.now();
    calls.push(call);
    open.delete(request);
  };
  page.on('requestfinished', finish);
  page.on('requestfailed', finish);
  return {
    reset: () => {
      calls = [];
      open.clear();
    },
    depth: () => {
      const sorted = [...calls].sort((a, b) => a.start - b.start);
      const depths = [];
      sorted.forEach((call, i) => {
        const before = sorted.slice(0, i).filter((earlier, j) => earlier.end <= call.start && depths[j] !== undefined);
        depths[i] = 1 + Math.max(0, ...before.map((earlier) => depths[sorted.indexOf(earlier)]));
      });
      return Math.max(0, ...depths);
    },
  };
}

export async function run(report) {
  const outDir = process.env.BENCH_DIST ?? 'dist';
  if (!existsSync(join(outDir, 'index.html')) || process.env.BENCH_REBUILD) {
    const build = spawnSync('npx', ['vite', 'build', '--outDir', outDir, '--logLevel', 'warn'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('build failed');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'rewind-bench-target-page-'));
  const args = ['bin/rewind.mjs', 'serve', '--data-dir', dataDir, '--static', outDir, '--host', '127.0.0.1', '--port', String(PORT)];
  try {
    await withServer(process.execPath, args, `http://127.0.0.1:${PORT}/api/me`, (origin) =>
      withBrowser(async (browser) => {
        const cold = [];
        const fromList = [];
        const coldDepth = [];
        const fromListDepth = [];
        for (let i = 0; i < RUNS; i++) {
          const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
          await page.route('**/api/**', async (route) => {
            // The event stream stays open; delaying it would only hold a connection.
            if (route.request().url().includes('/api/events')) return route.continue();
            await new Promise((resolve) => setTimeout(resolve, API_DELAY_MS));
            await route.continue();
          });
          const calls = watchTargetCalls(page);
          // Cold: a fresh page load (the static files are cached after the first run, the API is not).
          const started = Date.now();
          await page.goto(`${origin}/targets/acme/production`);
          await page.waitForSelector(HEADER, { timeout: 30_000 });
          await page.waitForSelector(ROW, { timeout: 30_000 });
          cold.push(Date.now() - started);
          coldDepth.push(calls.depth());

          await page.goto(`${origin}/`);
          await page.waitForSelector('[data-testid="target-row"]', { timeout: 30_000 });
          // Let the overview's other queries settle so only the navigation is measured.
          await page.waitForLoadState('networkidle').catch(() => {});
          calls.reset();
          const clicked = Date.now();
          await page.getByRole('link', { name: 'acme / production' }).click();
          await page.waitForSelector(HEADER, { timeout: 30_000 });
          await page.waitForSelector(ROW, { timeout: 30_000 });
          fromList.push(Date.now() - clicked);
          fromListDepth.push(calls.depth());
          await page.close();
        }
        const detail = `${API_DELAY_MS} ms added to every /api call, median of ${RUNS}`;
        report({ name: 'target-page.cold.header_and_first_row', detail, value: median(cold), unit: 'ms', runs: cold });
        report({ name: 'target-page.from-list.header_and_first_row', detail, value: median(fromList), unit: 'ms', runs: fromList });
        const depthDetail = 'API calls for the target page that waited for one another (1 = all at once)';
        report({ name: 'target-page.cold.api_round_trips', detail: depthDetail, value: Math.max(...coldDepth), unit: 'round trips', runs: coldDepth });
        report({ name: 'target-page.from-list.api_round_trips', detail: depthDetail, value: Math.max(...fromListDepth), unit: 'round trips', runs: fromListDepth });
      }),
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
