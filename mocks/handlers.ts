import { http } from 'msw';
import type { MockBackend } from './backend.ts';

/** Every /api request goes to the real API app: the mock differs from the server only in storage. */
export function createHandlers(getBackend: () => MockBackend) {
  return [http.all('*/api/*', ({ request }) => getBackend().app.fetch(request))];
}
