/**
 * Reconciliation next to a live execution (decision 027): a request whose execution lease is held is
 * left alone, so a replica starting (or reconciling periodically) never fights a peer running it.
 */
import { describe, expect, it } from 'vitest';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';
import { FixedClock, SequentialIds, StaticTargetCatalog, StaticUserDirectory } from './basic-adapters.ts';
import { formatRollbackMessage } from './commit-message.ts';
import { InProcessCommitLock } from './in-process-commit-lock.ts';
import type { CommitLock } from './ports.ts';
import { reconcileInterruptedRequests } from './reconcile-requests.ts';
import { RollbackService } from './rollback-service.ts';
import type { User } from './schemas.ts';
import { defaultLayout, type TargetConfig } from './target-config.ts';

const OLU: User = { email: 'olu@example.com', name: 'Olu Adeyemi', roles: ['requester'] };
const TARGET: TargetConfig = {
  tenant: 'acme',
  environment: 'staging',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 0, blockSelfApproval: true, requesters: ['requester'], approvers: ['approver'], breakGlass: ['break-glass'] },
  layout: defaultLayout('acme', 'staging', ['api']),
};
const file = 'tenants/acme/staging/services/api/values.yaml';
const author = { name: 'CI', email: 'ci@example.com' };

describe('reconcileInterruptedRequests with execution leases', () => {
  it('leaves a request being executed (lease held) alone; settles it once the lease is free', async () => {
    const revisions = new InMemoryRevisionStore();
    const good = revisions.append({ timestamp: '2026-11-20T09:00:00Z', author, message: 'release v1\n', changes: { [file]: 'tag: v1\n' } });
    revisions.append({ timestamp: '2026-11-20T09:05:00Z', author, message: 'release v2\n', changes: { [file]: 'tag: v2\n' } });
    const requests = new InMemoryRequestStore();
    const commitLock = new InProcessCommitLock();
    const clock = new FixedClock(new Date('2026-11-21T10:00:00Z'));
    const ids = new SequentialIds();
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    let committed!: (id: string) => void;
    const landed = new Promise<string>((resolve) => (committed = resolve));
    const rollbacks = new RollbackService({
      revisions,
      requests,
      catalog: new StaticTargetCatalog([TARGET]),
      clock,
      ids,
      users: new StaticUserDirectory([OLU]),
      commitLock,
      hooks: {
        afterCommit: async ({ requestId }) => {
          committed(requestId);
          await paused;
        },
      },
    });
    const body = { tenant: 'acme', environment: 'staging', mode: 'service' as const, service: 'api', targetSha: good, justification: 'v2 is broken' };
    const running = rollbacks.createRequest(OLU, body);
    const id = await landed;
    // Committed, not yet recorded: exactly what a crash leaves, except that this execution is alive.
    expect((await requests.getRequest(id))!.state).toBe('executing');
    const deps = { revisions, requests, catalog: new StaticTargetCatalog([TARGET]), clock, ids, commitLock };
    expect(await reconcileInterruptedRequests(deps)).toEqual({ completed: [], failed: [], busy: [id] });
    expect((await requests.getRequest(id))!.state).toBe('executing');

    resume();
    const { request } = await running;
    expect(request.state).toBe('completed');
    expect(await reconcileInterruptedRequests(deps)).toEqual({ completed: [], failed: [] });
    const audit = await requests.listAudit({ requestId: id }, null, 50);
    expect(audit.items.filter((e) => e.type === 'rollback.executed')).toHaveLength(1);
    expect(audit.items.some((e) => e.type === 'rollback.failed')).toBe(false);
  });

  it('settles an executing request whose lease is free (its executor died) as interrupted', async () => {
    const revisions = new InMemoryRevisionStore();
    revisions.append({ timestamp: '2026-11-20T09:00:00Z', author, message: 'release v1\n', changes: { [file]: 'tag: v1\n' } });
    const requests = new InMemoryRequestStore();
    const commitLock = new InProcessCommitLock();
    await requests.transaction((tx) =>
      tx.insertRequest({
        id: 'rbk-stuck', tenant: 'acme', environment: 'staging', mode: 'full', targetSha: 'a'.repeat(40), baseSha: 'b'.repeat(40),
        justification: 'x', requestedBy: OLU.email, createdAt: '2026-11-21T09:00:00.000Z', state: 'executing', requiredApprovals: 0,
        reviews: [], breakGlass: false, affectedServices: ['api'], diffHash: 'h', notes: [],
      }),
    );
    const deps = { revisions, requests, catalog: new StaticTargetCatalog([TARGET]), clock: new FixedClock(new Date()), ids: new SequentialIds() };
    // The lease is free: with the lock it is settled too.
    expect(await reconcileInterruptedRequests({ ...deps, commitLock })).toEqual({ completed: [], failed: ['rbk-stuck'] });
    expect((await requests.getRequest('rbk-stuck'))!.state).toBe('failed');
  });

  it('reads the branch under the commit lock: a commit a dead peer pushed, fetched only then, completes the request', async () => {
    const revisions = new InMemoryRevisionStore();
    const base = revisions.append({ timestamp: '2026-11-20T09:00:00Z', author, message: 'release v1\n', changes: { [file]: 'tag: v1\n' } });
    const requests = new InMemoryRequestStore();
    await requests.transaction((tx) =>
      tx.insertRequest({
        id: 'rbk-peer', tenant: 'acme', environment: 'staging', mode: 'full', targetSha: base, baseSha: base,
        justification: 'x', requestedBy: OLU.email, createdAt: '2026-11-21T09:00:00.000Z', state: 'executing', requiredApprovals: 0,
        reviews: [], breakGlass: false, affectedServices: ['api'], diffHash: 'h', notes: [],
      }),
    );
    // The peer's commit reaches this replica's branch only through the fetch the commit lock makes
    // (server/node/fetch-first-commit-lock.ts), as with a mirror that last fetched before the push.
    let peerSha: string | null = null;
    const inner = new InProcessCommitLock();
    const fetchingLock: CommitLock = {
      withCommitLock: (work) =>
        inner.withCommitLock(async () => {
          peerSha ??= revisions.append({
            timestamp: '2026-11-21T09:01:00Z',
            author,
            message: formatRollbackMessage({ tenant: 'acme', environment: 'staging', targetSha: base, mode: 'full', justification: 'x', author: OLU.email, approval: 'none', requestId: 'rbk-peer' }),
            changes: { [file]: 'tag: v0\n' },
          });
          return work();
        }),
      withExecutionLease: (id, work) => inner.withExecutionLease(id, work),
      tryExecutionLease: (id, work) => inner.tryExecutionLease(id, work),
    };
    const deps = { revisions, requests, catalog: new StaticTargetCatalog([TARGET]), clock: new FixedClock(new Date()), ids: new SequentialIds(), commitLock: fetchingLock };
    const result = await reconcileInterruptedRequests(deps);
    expect(result).toEqual({ completed: [{ id: 'rbk-peer', commitSha: peerSha }], failed: [] });
    expect(await requests.getRequest('rbk-peer')).toMatchObject({ state: 'completed', commitSha: peerSha });
  });
});
