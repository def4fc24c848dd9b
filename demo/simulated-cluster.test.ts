import { describe, expect, it } from 'vitest';
import { formatRollbackMessage } from '#core/commit-message.ts';
import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';
import { makeTarget } from '#tests/fixtures/rollback-service-fixture.ts';
import { SIMULATED_CONVERGENCE, SIMULATED_HISTORY, SimulatedClusterStatus } from './simulated-cluster.ts';

const target = makeTarget('acme', 'production', 'enterprise', 1);
const author = { name: 'Jane', email: 'jane@example.com' };
const start = Date.UTC(2026, 10, 1);
const values = 'tenants/acme/production/services/api/values.yaml';

/** `count` releases a minute apart, the `failed` ones marked so; newest last. */
function releases(store: InMemoryRevisionStore, count: number, failed: readonly number[] = []): string[] {
  return Array.from({ length: count }, (_, i) =>
    store.append({
      timestamp: new Date(start + (i + 1) * 60_000).toISOString(),
      author,
      message: `release api v${i}`,
      changes: { [values]: `tag: v${i}\n` },
      ...(failed.includes(i) ? { deployStatus: 'failed' as const } : {}),
    }),
  );
}

describe('the simulated cluster’s deployment outcomes (decision 056)', () => {
  it('reports the newest deployments, as Argo CD’s sync history does, and nothing older', async () => {
    const store = new InMemoryRevisionStore();
    const shas = releases(store, SIMULATED_HISTORY + 3, [SIMULATED_HISTORY + 1]);
    const now = { now: () => new Date(start + 60 * 60_000) };
    const status = await new SimulatedClusterStatus(store, now).status(target);
    const newestFirst = [...shas].reverse();
    expect(status.outcomes.map((o) => o.sha)).toEqual(newestFirst.slice(0, SIMULATED_HISTORY));
    expect(status.outcomes.find((o) => o.sha === shas[SIMULATED_HISTORY + 1])?.outcome).toBe('failed');
    expect(status.outcomes.filter((o) => o.outcome === 'failed')).toHaveLength(1);
  });

  it('gives a rollback still converging no outcome, and keeps those of the deployments before it', async () => {
    const store = new InMemoryRevisionStore();
    const [first, second] = releases(store, 2);
    const committedAt = start + 10 * 60_000;
    const rollback = store.append({
      timestamp: new Date(committedAt).toISOString(),
      author,
      message: formatRollbackMessage({
        tenant: 'acme', environment: 'production', targetSha: first!, mode: 'full', justification: 'undo', author: author.email,
        approval: 'Approved by bob (quorum: 1/1)', requestId: 'rbk-1',
      }),
      changes: { [values]: 'tag: v0\n' },
    });
    const converging = await new SimulatedClusterStatus(store, { now: () => new Date(committedAt + 1_000) }).status(target);
    expect(converging.outcomes.map((o) => o.sha)).toEqual([second, first]);
    const settled = await new SimulatedClusterStatus(store, { now: () => new Date(committedAt + SIMULATED_CONVERGENCE.outOfSyncMs + SIMULATED_CONVERGENCE.progressingMs + 1) }).status(target);
    expect(settled.outcomes.map((o) => o.sha)).toEqual([rollback, second, first]);
  });
});
