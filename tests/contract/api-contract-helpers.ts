/** Helpers shared by the API contract's parts (api-contract.ts, compare-contract.ts). */
import { expect } from 'vitest';
import { matchesAny } from '#core/target-config.ts';
import { errorBodySchema, historyResponseSchema, type Revision } from '#core/schemas.ts';
import type { ApiHarness } from './harness.ts';

export const ACME_PROD = '/api/targets/acme/production';

export function apiContractHelpers(apiOf: () => ApiHarness) {
  const get = (path: string, headers: Record<string, string> = {}) => apiOf().request(path, { headers });
  const history = async (query: string) => {
    const response = await get(`${ACME_PROD}/history${query}`);
    expect(response.status, await response.clone().text()).toBe(200);
    return historyResponseSchema.parse(await response.json());
  };
  const expectError = async (response: Response, status: number, code: string, message?: string | RegExp) => {
    expect(response.status).toBe(status);
    const body = errorBodySchema.parse(await response.json());
    expect(body.error.code).toBe(code);
    if (typeof message === 'string') expect(body.error.message).toBe(message);
    else if (message) expect(body.error.message).toMatch(message);
    return body;
  };
  /** Every revision of acme/production, newest first, by walking the cursor. */
  const walk = async (query: string, limit: number) => {
    const seen: Revision[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await history(`?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.revisions);
      cursor = page.nextCursor;
      pages++;
      expect(pages).toBeLessThan(500);
    } while (cursor);
    return seen;
  };
  const demoTargetCommits = (tenant: string, environment: string) => {
    const target = apiOf().repo.targets.find((t) => t.tenant === tenant && t.environment === environment)!;
    return apiOf().repo.commits.filter((c) => Object.keys(c.changes).some((p) => matchesAny(target.layout.paths, p)));
  };
  return { get, history, expectError, walk, demoTargetCommits };
}

export type ApiContractHelpers = ReturnType<typeof apiContractHelpers>;
