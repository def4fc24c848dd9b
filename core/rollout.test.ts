import { describe, expect, it } from 'vitest';
import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';
import { DeploymentGaps } from './deployment-gap.ts';
import { NO_CLUSTER_REASON, NoClusterStatus } from './no-cluster-status.ts';
import type { ClusterStatus, TargetRuntimeStatus } from './ports.ts';
import { describeRollout } from './rollout.ts';
import { defaultLayout, type TargetConfig } from './target-config.ts';

const target: TargetConfig = {
  tenant: 'acme',
  environment: 'production',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 0, blockSelfApproval: true, requesters: ['admin'], approvers: ['admin'], breakGlass: ['admin'] },
  layout: defaultLayout('acme', 'production', ['api']),
};
const author = { name: 'A', email: 'a@example.com' };

/** c0 (target) → c1 (another tenant) → c2 (target) → c3 (target, the "rollback"). */
function repo() {
  const revisions = new InMemoryRevisionStore();
  const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 12, m)).toISOString();
  const c0 = revisions.append({ timestamp: at(0), author, message: 'one', changes: { 'tenants/acme/production/services/api/values.yaml': 'a: 1\n' } });
  const c1 = revisions.append({ timestamp: at(1), author, message: 'other', changes: { 'tenants/globex/production/services/api/values.yaml': 'a: 1\n' } });
  const c2 = revisions.append({ timestamp: at(4), author, message: 'two', changes: { 'tenants/acme/production/services/api/values.yaml': 'a: 2\n' } });
  const c3 = revisions.append({ timestamp: at(9), author, message: 'three', changes: { 'tenants/acme/production/services/api/values.yaml': 'a: 1\n' } });
  return { revisions, c0, c1, c2, c3 };
}

function status(overrides: Partial<TargetRuntimeStatus>): TargetRuntimeStatus {
  return {
    source: 'argocd',
    health: 'healthy',
    sync: 'synced',
    services: [],
    liveRevision: null,
    operation: null,
    observedAt: '2026-01-01T12:10:00.000Z',
    reason: null,
    outcomes: [],
    ...overrides,
  };
}

const agent: ClusterStatus = { source: 'argocd', confirmWithinMs: 5 * 60_000, status: async () => status({}) };

describe('deployment gap', () => {
  it('counts a live revision that did not touch the target as deploying what it reaches', async () => {
    const { revisions, c1, c2, c3 } = repo();
    const gaps = new DeploymentGaps(revisions);
    // c1 touched another tenant only: the target's c0 is live, c2 and c3 are not deployed yet.
    expect(await gaps.gap(target, c3, status({ liveRevision: c1 }))).toEqual({
      state: 'behind',
      notDeployed: [c3, c2],
      notDeployedCount: 2,
      failedToDeploy: [],
      since: '2026-01-01T12:04:00.000Z',
    });
    expect((await gaps.gap(target, c3, status({ liveRevision: c3 }))).state).toBe('current');
  });

  it('marks the commits of a failed operation as failed to deploy', async () => {
    const { revisions, c0, c2, c3 } = repo();
    const failed = status({ liveRevision: c0, operation: { phase: 'failed', agentPhase: 'Failed', message: 'boom', revision: c2, startedAt: null, finishedAt: null } });
    const gap = await new DeploymentGaps(revisions).gap(target, c3, failed);
    expect(gap.notDeployed).toEqual([c3, c2]);
    expect(gap.failedToDeploy).toEqual([c2]);
  });

  it('is unknown, with the reason, when the live revision is unknown or not on the branch', async () => {
    const { revisions, c3 } = repo();
    const gaps = new DeploymentGaps(revisions);
    expect(await gaps.gap(target, c3, status({ reason: 'Argo CD unreachable' }))).toMatchObject({ state: 'unknown', reason: 'Argo CD unreachable', notDeployed: [] });
    expect(await gaps.gap(target, c3, status({ liveRevision: 'e'.repeat(40) }))).toMatchObject({ state: 'unknown', reason: 'the live revision eeeeeee is not on the branch Rewind reads' });
  });
});

describe('rollout of a rollback commit', () => {
  const committedAt = new Date('2026-01-01T12:09:00.000Z');
  const at = (minutes: number) => new Date(committedAt.getTime() + minutes * 60_000);

  it('goes committed → syncing → healthy only on the agent\'s report', async () => {
    const { revisions, c2, c3 } = repo();
    const run = (s: TargetRuntimeStatus, now = at(1)) => describeRollout({ revisions, cluster: agent, target, status: s, commitSha: c3, committedAt, now });
    expect(await run(status({ liveRevision: c2 }))).toMatchObject({ state: 'committed', confirmBy: '2026-01-01T12:14:00.000Z' });
    const running = { phase: 'running' as const, agentPhase: 'Running', message: '', revision: c3, startedAt: null, finishedAt: null };
    expect((await run(status({ liveRevision: c2, health: 'progressing', operation: running }))).state).toBe('syncing');
    expect((await run(status({ liveRevision: c3, health: 'progressing' }))).state).toBe('syncing');
    expect((await run(status({ liveRevision: c3, sync: 'out-of-sync' }))).state).toBe('syncing');
    expect(await run(status({ liveRevision: c3 }))).toMatchObject({ state: 'healthy', liveRevision: c3, reason: null });
    expect(await run(status({ liveRevision: c3, health: 'degraded' }))).toMatchObject({ state: 'degraded' });
  });

  it('never says healthy from a stale report, and cannot confirm past confirmWithin while still watching', async () => {
    const { revisions, c2, c3 } = repo();
    const run = (s: TargetRuntimeStatus, now: Date) => describeRollout({ revisions, cluster: agent, target, status: s, commitSha: c3, committedAt, now });
    const unreachable = status({ liveRevision: c3, reason: 'Argo CD unreachable: connect ECONNREFUSED' });
    expect(await run(unreachable, at(1))).toMatchObject({ state: 'committed', reason: 'Argo CD unreachable: connect ECONNREFUSED' });
    expect(await run(unreachable, at(6))).toMatchObject({ state: 'unconfirmed', reason: 'Argo CD unreachable: connect ECONNREFUSED' });
    expect(await run(status({ liveRevision: c2 }), at(6))).toMatchObject({ state: 'unconfirmed', reason: `the agent has not applied ${c3.slice(0, 7)} within 5m` });
    // The agent comes back and reports it: healthy, even late.
    expect((await run(status({ liveRevision: c3 }), at(30))).state).toBe('healthy');
  });

  it('is unknown without an agent, never healthy', async () => {
    const { revisions, c3 } = repo();
    const none = new NoClusterStatus();
    const s = await none.status(target);
    expect(s).toMatchObject({ source: 'none', health: 'unknown', sync: 'unknown', liveRevision: null, reason: NO_CLUSTER_REASON });
    expect(s.services).toEqual([{ name: 'api', health: 'unknown', sync: 'unknown', reason: NO_CLUSTER_REASON }]);
    expect(await describeRollout({ revisions, cluster: none, target, status: s, commitSha: c3, committedAt, now: at(1) })).toMatchObject({
      state: 'unknown',
      source: 'none',
      reason: NO_CLUSTER_REASON,
      confirmBy: null,
    });
  });
});
