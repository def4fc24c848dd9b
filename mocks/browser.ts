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

export async function startMockWorker(): Promise<void> {
  const backend: MockBackend = createMockBackend({ size: demoSize() });
  const worker = setupWorker(...createHandlers(() => backend));
  await worker.start({ onUnhandledRequest: 'bypass', quiet: true, serviceWorker: { url: '/mockServiceWorker.js' } });
}
