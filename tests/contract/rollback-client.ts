/**
 * The rollback API as the contract suites call it (refusals, rollback, approvals): requests as a given
 * user (the identity header), each response checked for its status and parsed with its schema.
 */
import { expect } from 'vitest';
import {
  historyResponseSchema,
  rollbackDetailResponseSchema,
  rollbackListResponseSchema,
  rollbackPreviewSchema,
  rollbackRequestResponseSchema,
} from '#core/schemas.ts';
import { expectOk as ok, type ApiHarness } from './harness.ts';

export function rollbackClient(apiOf: () => ApiHarness, defaultUser: string) {
  const headers = (user: string | null, extra: Record<string, string> = {}) => ({
    'Content-Type': 'application/json',
    ...(user ? { 'X-Forwarded-Email': user } : {}),
    ...extra,
  });
  const post = (path: string, body: unknown, user: string | null = defaultUser, extra: Record<string, string> = {}) =>
    apiOf().request(path, { method: 'POST', headers: headers(user, extra), body: typeof body === 'string' ? body : JSON.stringify(body) });
  const get = (path: string, user: string | null = defaultUser) => apiOf().request(path, { headers: user ? { 'X-Forwarded-Email': user } : {} });

  const preview = async (target: string, body: unknown) => ok(await post(`${target}/rollback-preview`, body), 200, (v) => rollbackPreviewSchema.parse(v));
  const create = async (body: Record<string, unknown>, user = defaultUser, extra: Record<string, string> = {}) =>
    ok(await post('/api/rollbacks', body, user, extra), 201, (v) => rollbackRequestResponseSchema.parse(v).request);
  const detail = async (id: string) => ok(await get(`/api/rollbacks/${id}`), 200, (v) => rollbackDetailResponseSchema.parse(v));
  const list = async (query = '') => ok(await get(`/api/rollbacks${query}`), 200, (v) => rollbackListResponseSchema.parse(v));
  const history = async (target: string, limit = 500) =>
    ok(await get(`${target}/history?limit=${limit}`), 200, (v) => historyResponseSchema.parse(v)).then((page) => page.revisions);
  /** A revision of the target by summary, and the target's revision before it. */
  const revisionAndParent = async (target: string, summary: string) => {
    const all = await history(target);
    const index = all.findIndex((r) => r.summary === summary);
    expect(index, `${summary} in ${target}`).toBeGreaterThanOrEqual(0);
    return { revision: all[index]!, parent: all[index + 1]!, all };
  };
  return { headers, post, get, preview, create, detail, list, history, revisionAndParent };
}
