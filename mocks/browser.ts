import { setupWorker } from 'msw/browser';
import { createMockBackend, type MockBackend } from './backend.ts';
import { createHandlers } from './handlers.ts';

const SIZE_KEY = 'rewind.demo.size';

/**
 * `?demo=large` switches the in-browser demo to the 50,000-revision data set for the session (used by
 * the performance journeys); `?demo=default` switches back.
 */
function demoSize(): 'default' | 'large' {
  const asked = new URLSearchParams(window.location.search).get('demo');
  if (asked === 'large' || asked === 'default') sessionStorage.setItem(SIZE_KEY, asked);
  return sessionStorage.getItem(SIZE_KEY) === 'large' ? 'large' : 'default';
}

const ANCHOR_KEY = 'rewind.demo.anchor';

/**
 * The in-browser demo's "now" (decision 044): the first page load of the browser tab, kept for the
 * session so that a reload keeps the same commits (shas depend on their dates) and shared wizard
 * links keep working; `?demo-anchor=<ISO time>` pins it (screenshots, reproducing a report).
 */
function demoAnchor(): string {
  const asked = new URLSearchParams(window.location.search).get('demo-anchor');
  if (asked && Number.isFinite(Date.parse(asked))) sessionStorage.setItem(ANCHOR_KEY, new Date(asked).toISOString());
  const kept = sessionStorage.getItem(ANCHOR_KEY);
  if (kept && Number.isFinite(Date.parse(kept))) return kept;
  const now = new Date().toISOString();
  sessionStorage.setItem(ANCHOR_KEY, now);
  return now;
}

export async function startMockWorker(): Promise<void> {
  const backend: MockBackend = createMockBackend({ size: demoSize(), anchor: demoAnchor() });
  const worker = setupWorker(...createHandlers(() => backend));
  await worker.start({ onUnhandledRequest: 'bypass', quiet: true, serviceWorker: { url: '/mockServiceWorker.js' } });
}
