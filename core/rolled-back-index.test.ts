import { describe, expect, it } from 'vitest';
// Tests may use the in-memory adapter; core's own code may not (eslint enforces it).
import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';
import { formatRollbackMessage } from './commit-message.ts';
import { readHistoryPage } from './history.ts';
import type { RevisionStore } from './ports.ts';
import { buildRolledBackIndex } from './rolled-back-index.ts';
import { historyQuerySchema } from './schemas.ts';
import { defaultLayout, type TargetConfig } from './target-config.ts';

const target: TargetConfig = {
  tenant: 'acme',
  environment: 'production',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 1, blockSelfApproval: true, requesters: ['requester'], approvers: ['approver'], breakGlass: ['admin'] },
  layout: defaultLayout('acme', 'production', ['payments', 'web']),
};
const root = 'tenants/acme/production';
const author = { name: 'Jane', email: 'jane@example.com' };
let minute = 0;
const at = () => new Date(Date.UTC(2026, 10, 1) + ++minute * 60_000).toISOString();
const values = (service: string) => `${root}/services/${service}/values.yaml`;

function release(store: InMemoryRevisionStore, service: string, version: string, deployStatus?: 'failed') {
  return store.append({
    timestamp: at(),
    author,
    message: `release ${service} ${version}`,
    changes: { [values(service)]: `tag: ${version}\n` },
    ...(deployStatus ? { deployStatus } : {}),
  });
}

function rollback(
  store: InMemoryRevisionStore,
  targetSha: string,
  mode: 'full' | 'service' | 'field',
  changes: Record<string, string>,
  service?: string,
) {
  return store.append({
    timestamp: at(),
    author,
    message: formatRollbackMessage({
      tenant: 'acme', environment: 'production', targetSha, mode, ...(service ? { service } : {}),
      justification: 'undo', author: author.email, approval: 'Approved by bob (quorum: 1/1)', requestId: `rbk-${minute}`,
    }),
    changes,
  });
}

async function statuses(store: InMemoryRevisionStore) {
  const index = await buildRolledBackIndex(store, target);
  const page = await readHistoryPage(store, target, historyQuerySchema.parse({}), index);
  return new Map(page.revisions.map((r) => [r.sha, { status: r.status, by: r.rolledBackBy }]));
}

describe('buildRolledBackIndex', () => {
  it('marks what a service rollback undid, and only in that service', async () => {
    const store = new InMemoryRevisionStore();
    const good = release(store, 'payments', 'v1');
    const bad = release(store, 'payments', 'v2', 'failed');
    const webAfter = release(store, 'web', 'v7');
    const undo = rollback(store, good, 'service', { [values('payments')]: 'tag: v1\n' }, 'payments');
    const index = await buildRolledBackIndex(store, target);
    expect([...index]).toEqual([[bad, { by: undo, whole: true }]]);
    const seen = await statuses(store);
    expect(seen.get(bad)).toEqual({ status: 'rolled-back', by: undo });
    expect(seen.get(webAfter)!.status).toBe('unknown');
    expect(seen.get(good)!.status).toBe('unknown');
  });

  it('marks everything after the target revision for a full rollback, never the target itself', async () => {
    const store = new InMemoryRevisionStore();
    const good = release(store, 'payments', 'v1');
    const a = release(store, 'payments', 'v2');
    const b = release(store, 'web', 'v2');
    const undo = rollback(store, good, 'full', { [values('web')]: 'tag: v1\n', [values('payments')]: 'tag: v1\n' });
    const index = await buildRolledBackIndex(store, target);
    expect(new Map(index)).toEqual(new Map([[a, { by: undo, whole: true }], [b, { by: undo, whole: true }]]));
    expect((await statuses(store)).get(good)!.status).toBe('unknown');
  });

  it('marks a revision partially rolled back when a service rollback undid only one of its services', async () => {
    const store = new InMemoryRevisionStore();
    const good = release(store, 'payments', 'v1');
    const both = store.append({ timestamp: at(), author, message: 'release both', changes: { [values('payments')]: 'tag: v2\n', [values('web')]: 'tag: v2\n' } });
    const undo = rollback(store, good, 'service', { [values('payments')]: 'tag: v1\n' }, 'payments');
    expect((await statuses(store)).get(both)).toEqual({ status: 'partially-rolled-back', by: undo });
  });

  it('marks a field rollback partial, and a later full rollback of the same revision whole', async () => {
    const store = new InMemoryRevisionStore();
    const good = release(store, 'payments', 'v1');
    const bad = store.append({ timestamp: at(), author, message: 'release payments v2', changes: { [values('payments')]: 'tag: v2\nreplicas: 3\n' } });
    const field = rollback(store, good, 'field', { [values('payments')]: 'tag: v1\nreplicas: 3\n' }, 'payments');
    expect((await statuses(store)).get(bad)).toEqual({ status: 'partially-rolled-back', by: field });
    const full = rollback(store, good, 'full', { [values('payments')]: 'tag: v1\n' });
    const seen = await statuses(store);
    expect(seen.get(bad)).toEqual({ status: 'rolled-back', by: full });
    // The field rollback is itself undone by the full one: all of its change was to the target.
    expect(seen.get(field)).toEqual({ status: 'rolled-back', by: full });
  });

  it('a rollback to a revision an earlier rollback undid makes it (and what came before it) live again', async () => {
    const store = new InMemoryRevisionStore();
    const good = release(store, 'payments', 'v1');
    const a = release(store, 'payments', 'v2');
    const b = release(store, 'web', 'v2');
    const c = release(store, 'web', 'v3');
    const first = rollback(store, good, 'full', { [values('web')]: 'tag: v1\n', [values('payments')]: 'tag: v1\n' });
    // Restoring b brings a and b back; c stays undone by the first rollback.
    rollback(store, b, 'full', { [values('web')]: 'tag: v2\n', [values('payments')]: 'tag: v2\n' });
    const seen = await statuses(store);
    expect(seen.get(a)!.status).toBe('unknown');
    expect(seen.get(b)!.status).toBe('unknown');
    expect(seen.get(c)).toEqual({ status: 'rolled-back', by: first });
    expect(seen.get(first)!.status).toBe('rolled-back');
  });

  it('a service rollback to such a revision restores only its own service', async () => {
    const store = new InMemoryRevisionStore();
    const good = release(store, 'payments', 'v1');
    const a = release(store, 'web', 'v2');
    const b = release(store, 'payments', 'v2');
    rollback(store, good, 'full', { [values('web')]: 'tag: v1\n', [values('payments')]: 'tag: v1\n' });
    rollback(store, b, 'service', { [values('payments')]: 'tag: v2\n' }, 'payments');
    const seen = await statuses(store);
    expect(seen.get(b)!.status).toBe('unknown');
    expect(seen.get(a)!.status).toBe('rolled-back');
  });

  describe('kept between calls (rollbacks only accumulate)', () => {
    /** The same store under another identity: its index is built from nothing. */
    const fresh = (store: RevisionStore, overrides: Partial<RevisionStore> = {}): RevisionStore =>
      new Proxy(store, { get: (obj, name) => (name in overrides ? overrides[name as keyof RevisionStore] : Reflect.get(obj, name, obj)?.bind?.(obj) ?? Reflect.get(obj, name, obj)) });
    const sorted = (index: Map<string, unknown>) => [...index].sort(([x], [y]) => (x < y ? -1 : 1));

    it('applies only the new rollbacks, with the same index as one built afresh at every step', async () => {
      const store = new InMemoryRevisionStore();
      const steps: (() => void)[] = [];
      const v1 = release(store, 'payments', 'v1');
      let a = '';
      let b = '';
      steps.push(() => void (a = release(store, 'web', 'v2')), () => void (b = release(store, 'payments', 'v2')));
      steps.push(() => void rollback(store, v1, 'full', { [values('web')]: 'tag: v1\n', [values('payments')]: 'tag: v1\n' }));
      steps.push(() => void release(store, 'payments', 'v3'));
      steps.push(() => void rollback(store, b, 'service', { [values('payments')]: 'tag: v2\n' }, 'payments'));
      steps.push(() => void rollback(store, a, 'field', { [values('web')]: 'tag: v2\n' }));
      steps.push(() => void rollback(store, v1, 'full', { [values('web')]: 'tag: v1\n', [values('payments')]: 'tag: v1\n' }));
      for (const step of steps) {
        step();
        const kept = await buildRolledBackIndex(store, target);
        expect(sorted(kept)).toEqual(sorted(await buildRolledBackIndex(fresh(store), target)));
      }
      expect((await buildRolledBackIndex(store, target)).size).toBeGreaterThan(0);
    });

    it('asks git for the span of each new rollback once, not again for the earlier ones', async () => {
      const store = new InMemoryRevisionStore();
      const v1 = release(store, 'payments', 'v1');
      let ranges = 0;
      const counting = fresh(store, { range: (query) => (ranges++, store.range(query)) });
      for (let i = 0; i < 10; i++) {
        release(store, 'payments', `v${i + 2}`);
        rollback(store, v1, 'service', { [values('payments')]: 'tag: v1\n' }, 'payments');
        ranges = 0;
        await buildRolledBackIndex(counting, target);
        expect(ranges, `after rollback ${i + 1}`).toBe(1);
      }
      ranges = 0;
      await buildRolledBackIndex(counting, target);
      expect(ranges).toBe(0);
    });

    it('indexes afresh when the rollbacks seen before are no longer the oldest (a rewritten history)', async () => {
      const store = new InMemoryRevisionStore();
      const v1 = release(store, 'payments', 'v1');
      const v2 = release(store, 'payments', 'v2');
      const first = rollback(store, v1, 'service', { [values('payments')]: 'tag: v1\n' }, 'payments');
      let without: string | null = null;
      const rewritten = fresh(store, { logRollbacks: async (paths) => (await store.logRollbacks(paths)).filter((r) => r.sha !== without) });
      expect((await buildRolledBackIndex(rewritten, target)).get(v2)?.by).toBe(first);
      without = first;
      expect((await buildRolledBackIndex(rewritten, target)).has(v2)).toBe(false);
    });
  });
});
