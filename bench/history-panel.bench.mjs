// The history panel on the 50,000-revision target (acme/perf, in-browser demo backend): time to the
// first row, then the longest main-thread task and frame while scrolling from top to bottom.
import { withBrowser, withDemoServer, withRealServer } from './browser.mjs';

const ROW = '[data-testid="history-row"]';

export async function run(report) {
  // The real server first: the browser does only the UI's work there.
  await withRealServer(4192, (url) => measure(url, '', 'real', report));
  // The in-browser demo: MSW runs the API on the page's main thread, so its tasks include the backend.
  await withDemoServer(4191, (url) => measure(url, '?demo=large', 'demo', report));
}

async function measure(base, query, backend, report) {
  await withBrowser(async (browser) => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.addInitScript(() => {
        window.__bench = { longTasks: [], firstRowAt: null };
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) window.__bench.longTasks.push(entry.duration);
        }).observe({ type: 'longtask', buffered: true });
        new MutationObserver((_, observer) => {
          if (document.querySelector('[data-testid="history-row"]')) {
            window.__bench.firstRowAt = performance.now();
            observer.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });
      });
      // Warm-up visit switches the session to the large data set and primes the HTTP cache.
      await page.goto(`${base}/targets/acme/perf${query}`);
      await page.waitForSelector(ROW, { timeout: 60_000 });
      await page.reload();
      await page.waitForSelector(ROW, { timeout: 60_000 });
      const firstRow = await page.evaluate(() => window.__bench.firstRowAt);
      report({ name: `history.${backend}.time_to_first_row.50k`, value: Math.round(firstRow), unit: 'ms' });

      const scroll = await page.evaluate(async (rowSelector) => {
        const row = document.querySelector(rowSelector);
        let box = row.parentElement;
        while (box && !(box.scrollHeight > box.clientHeight && getComputedStyle(box).overflowY !== 'visible')) box = box.parentElement;
        window.__bench.longTasks = [];
        let longestFrame = 0;
        let maxRows = 0;
        let last = performance.now();
        const started = last;
        let idleFrames = 0;
        // Scroll by a screenful a frame; stop when the bottom stays put (all pages loaded) or after 10 min.
        while (performance.now() - started < 600_000) {
          await new Promise((r) => requestAnimationFrame(r));
          const now = performance.now();
          longestFrame = Math.max(longestFrame, now - last);
          last = now;
          maxRows = Math.max(maxRows, document.querySelectorAll(rowSelector).length);
          const before = box.scrollTop;
          box.scrollTop = before + box.clientHeight;
          if (box.scrollTop === before) {
            if (++idleFrames > 120) break;
          } else idleFrames = 0;
        }
        return {
          longestTask: Math.max(0, ...window.__bench.longTasks),
          longestFrame,
          maxRows,
          rowsSeen: Number(document.querySelector('[aria-rowcount]')?.getAttribute('aria-rowcount') ?? 0),
          seconds: (performance.now() - started) / 1000,
        };
      }, ROW);
      report({ name: `history.${backend}.scroll_50k.longest_task`, value: Math.round(scroll.longestTask), unit: 'ms' });
      report({ name: `history.${backend}.scroll_50k.longest_frame`, value: Math.round(scroll.longestFrame), unit: 'ms' });
      report({ name: `history.${backend}.scroll_50k.max_row_elements`, value: scroll.maxRows, unit: 'rows' });
      report({ name: `history.${backend}.scroll_50k.rows_reached`, value: scroll.rowsSeen, unit: 'rows' });
      report({ name: `history.${backend}.scroll_50k.duration`, value: Math.round(scroll.seconds * 10) / 10, unit: 's' });
  });
}
