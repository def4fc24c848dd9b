/**
 * Whether a completed rollback took effect in the cluster (docs/decisions/018). Only the agent's own
 * report makes it `healthy`: the live revision reaches the rollback commit and the target is healthy
 * and synced. Past `confirmWithin` without that, the rollback is `unconfirmed` and still watched.
 */
import type { Rollout } from './cluster-schemas.ts';
import type { ClusterStatus, RevisionStore, TargetRuntimeStatus } from './ports.ts';
import type { TargetConfig } from './target-config.ts';

export interface RolloutInput {
  revisions: RevisionStore;
  cluster: ClusterStatus;
  target: TargetConfig;
  status: TargetRuntimeStatus;
  commitSha: string;
  committedAt: Date;
  now: Date;
}

/** True when the live revision reaches `commitSha`; null when that cannot be told. */
export async function isApplied(revisions: RevisionStore, target: TargetConfig, live: string | null, commitSha: string): Promise<boolean | null> {
  if (!live) return null;
  if (live === commitSha) return true;
  const [liveOnBranch, commitOnBranch] = await Promise.all([revisions.resolveCommit(live), revisions.resolveCommit(commitSha)]);
  if (liveOnBranch !== live || commitOnBranch !== commitSha) return null;
  // Nothing of the target between the live revision and the rollback commit: the commit is applied.
  const missing = await revisions.range({ paths: target.layout.paths, since: live, until: commitSha });
  return missing.length === 0;
}

export async function describeRollout(input: RolloutInput): Promise<Rollout> {
  const { status, cluster, committedAt, now } = input;
  const base = {
    source: status.source,
    liveRevision: status.liveRevision,
    health: status.health,
    sync: status.sync,
    observedAt: status.observedAt,
    operation: status.operation,
    committedAt: committedAt.toISOString(),
  };
  if (status.source === 'none') {
    return { ...base, state: 'unknown', reason: status.reason ?? 'no cluster connection configured', confirmBy: null };
  }
  const confirmBy = new Date(committedAt.getTime() + cluster.confirmWithinMs);
  const late = now.getTime() > confirmBy.getTime();
  const applied = await isApplied(input.revisions, input.target, status.liveRevision, input.commitSha);
  const withDeadline = { ...base, confirmBy: confirmBy.toISOString() };

  if (applied === true && status.reason === null) {
    if (status.health === 'healthy' && status.sync === 'synced') return { ...withDeadline, state: 'healthy', reason: null };
    if (status.health === 'degraded' || status.operation?.phase === 'failed') {
      return { ...withDeadline, state: 'degraded', reason: status.operation?.message || `the agent reports ${status.health}` };
    }
    return late
      ? { ...withDeadline, state: 'unconfirmed', reason: `applied, but not healthy and synced within ${formatDuration(cluster.confirmWithinMs)}` }
      : { ...withDeadline, state: 'syncing', reason: null };
  }
  if (late) {
    const why = status.reason ?? `the agent has not applied ${input.commitSha.slice(0, 7)} within ${formatDuration(cluster.confirmWithinMs)}`;
    return { ...withDeadline, state: 'unconfirmed', reason: why };
  }
  const syncing = status.operation?.phase === 'running' && status.operation.revision === input.commitSha;
  return { ...withDeadline, state: syncing ? 'syncing' : 'committed', reason: status.reason };
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms >= 3_600_000) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** When the rollback commit was made: its commit time among the target's recent commits, else `fallback`. */
export async function commitTime(revisions: RevisionStore, paths: readonly string[], commitSha: string, fallback: string): Promise<Date> {
  const recent = await revisions.log({ paths, limit: 100 });
  const found = recent.find((commit) => commit.sha === commitSha);
  return new Date(found?.timestamp ?? fallback);
}
