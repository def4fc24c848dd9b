/**
 * History details (issue 11, decision 036), written once and run against every backend: a merge
 * commit's summary is its pull request's title, `q` searches the whole message, and a rollback marks
 * what it undid wholly `rolled-back`, what it undid in part `partially-rolled-back`, and never the
 * revision it restored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRollbackMessage } from '#core/commit-message.ts';
import { historyResponseSchema, type Revision } from '#core/schemas.ts';
import type { ApiHarness } from './harness.ts';

const T = { timeout: 60_000 };
const STAGING = '/api/targets/globex/staging';
const root = 'tenants/globex/staging';
const CI = { name: 'CI', email: 'ci@example.com' };

export function describeHistoryDetailsContract(name: string, makeHarness: () => Promise<ApiHarness>): void {
  describe(`history details contract: ${name}`, () => {
    let api: ApiHarness;
    let clock = 0;
    beforeAll(async () => {
      api = await makeHarness();
      clock = Math.max(...api.repo.commits.map((c) => Date.parse(c.timestamp)));
    }, 120_000);
    afterAll(async () => api?.close());

    const land = (message: string, changes: Record<string, string | null>) =>
      api.appendCommit({ timestamp: new Date((clock += 60_000)).toISOString(), author: CI, message, changes });
    const history = async (query = ''): Promise<Revision[]> => {
      const response = await api.request(`${STAGING}/history?limit=500${query}`);
      expect(response.status, await response.clone().text()).toBe(200);
      return historyResponseSchema.parse(await response.json()).revisions;
    };
    const target = () => api.repo.targets.find((t) => t.tenant === 'globex' && t.environment === 'staging')!;
    const serviceFile = (index: number) => {
      const service = target().layout.services[index]!;
      return `${service.paths[0]!.replace(/\/$/, '')}/rewind-test.yaml`;
    };
    const rollback = (targetSha: string, mode: 'full' | 'service' | 'field', changes: Record<string, string>, service?: string) =>
      land(
        formatRollbackMessage({
          tenant: 'globex', environment: 'staging', targetSha, mode, ...(service ? { service } : {}),
          justification: 'contract', author: CI.email, approval: 'break-glass', requestId: `rbk-contract${clock}`,
        }),
        changes,
      );

    it("shows a merge commit's pull request title, and `q` finds words of the body only", T, async () => {
      const sha = await land('Merge pull request #314 from globex/raise-timeouts\n\nRaise the gateway timeouts\n\nThe zephyrine upstream is slow.\n', {
        [`${root}/variables.yaml`]: 'timeout: 30s\n',
      });
      const [head] = await history();
      expect(head).toMatchObject({ sha, summary: 'Raise the gateway timeouts (#314)' });
      expect((await history('&q=zephyrine')).map((r) => r.sha)).toEqual([sha]);
      expect((await history('&q=raise-timeouts')).map((r) => r.sha)).toEqual([sha]);
    });

    it('marks a revision a service rollback undid in part partially-rolled-back, one it undid wholly rolled-back', T, async () => {
      const [a, b] = [serviceFile(0), serviceFile(1)];
      const service = target().layout.services[0]!.name;
      const good = await land('prepare', { [a]: 'v: 1\n', [b]: 'v: 1\n' });
      const both = await land('release both', { [a]: 'v: 2\n', [b]: 'v: 2\n' });
      const one = await land('release one', { [a]: 'v: 3\n' });
      const undo = await rollback(good, 'service', { [a]: 'v: 1\n' }, service);
      const seen = new Map((await history()).map((r) => [r.sha, r]));
      expect(seen.get(both)).toMatchObject({ status: 'partially-rolled-back', rolledBackBy: undo });
      expect(seen.get(one)).toMatchObject({ status: 'rolled-back', rolledBackBy: undo });
      expect(seen.get(good)!.status).toBe('success');
      expect((await history('&status=partially-rolled-back')).map((r) => r.sha)).toContain(both);
    });

    it('never marks the revision a full rollback restored, even when an earlier rollback undid it', T, async () => {
      const a = serviceFile(0);
      const good = await land('base', { [a]: 'v: 10\n' });
      const restored = await land('release 11', { [a]: 'v: 11\n' });
      const later = await land('release 12', { [a]: 'v: 12\n' });
      const first = await rollback(good, 'full', { [a]: 'v: 10\n' });
      await rollback(restored, 'full', { [a]: 'v: 11\n' });
      const seen = new Map((await history()).map((r) => [r.sha, r]));
      expect(seen.get(restored)!.status).toBe('success');
      expect(seen.get(restored)!.rolledBackBy).toBeUndefined();
      expect(seen.get(later)).toMatchObject({ status: 'rolled-back', rolledBackBy: first });
    });
  });
}
