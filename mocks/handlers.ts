import { http } from 'msw';
import type { MockBackend } from './backend.ts';

/** `/api/...` at the root of any origin only; `*\/api/*` would also swallow Vite's `/src/.../api/x.ts`. */
const API_URL = /^https?:\/\/[^/]+\/api\//;

/** Every /api request goes to the real API app: the mock differs from the server only in storage. */
export function createHandlers(getBackend: () => MockBackend) {
  return [http.all(API_URL, ({ request }) => getBackend().app.fetch(request))];
}
