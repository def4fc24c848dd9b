/**
 * Where the branch and the cluster stand for a target: which of the target's commits the agent has not
 * applied yet, which it failed to apply, and since when the branch is ahead (docs/decisions/017).
 *
 * An agent reports the repo commit it synced, which is often a commit that did not touch this target
 * (the branch head at sync time). So "deployed" is reachability, not equality: a target commit is
 * deployed when it is reachable from the live revision, and pending when only the branch head reaches it.
 */
import type { DeploymentGap, TargetCluster } from './cluster-schemas.ts';
import type { RevisionStore, TargetRuntimeStatus } from './ports.ts';
import { targetKey, type TargetConfig } from './target-config.ts';

const MAX_LISTED = 200;
const MAX_CACHED = 1_000;

const unknownGap = (reason: string): DeploymentGap => ({
  state: 'unknown',
  notDeployed: [],
  notDeployedCount: 0,
  failedToDeploy: [],
  since: null,
  reason,
});

async function computeGap(revisions: RevisionStore, target: TargetConfig, head: string | null, status: TargetRuntimeStatus): Promise<DeploymentGap> {
  const live = status.liveRevision;
  if (!live) return unknownGap(status.reason ?? 'the agent reports no live revision');
  if (!head) return unknownGap('the branch has no commit for this target');
  if ((await revisions.resolveCommit(live)) !== live) {
    return unknownGap(`the live revision ${live.slice(0, 7)} is not on the branch Rewind reads`);
  }
  const paths = target.layout.paths;
  const pending = await revisions.range({ paths, since: live, until: head });
  let failed: string[] = [];
  const operation = status.operation;
  if (operation?.phase === 'failed' && operation.revision && operation.revision !== live && pending.length > 0) {
    if ((await revisions.resolveCommit(operation.revision)) === operation.revision) {
      const attempted = new Set(await revisions.range({ paths, since: live, until: operation.revision }));
      failed = pending.filter((sha) => attempted.has(sha)).slice(0, MAX_LISTED);
    }
  }
  let since: string | null = null;
  if (pending.length > 0) {
    const wanted = new Set(pending);
    const recent = await revisions.log({ paths, limit: Math.min(pending.length, MAX_LISTED) });
    // The oldest pending commit among the newest ones: exact for a linear branch, a lower bound otherwise.
    for (const commit of recent) if (wanted.has(commit.sha)) since = commit.timestamp;
  }
  return {
    state: pending.length > 0 ? 'behind' : 'current',
    notDeployed: pending.slice(0, MAX_LISTED),
    notDeployedCount: pending.length,
    failedToDeploy: failed,
    since,
  };
}

/**
 * Caches gaps by what they depend on (target, live revision, head, last failed operation), so the
 * overview's many targets cost git work only when one of those moves.
 */
export class DeploymentGaps {
  private readonly cache = new Map<string, Promise<DeploymentGap>>();

  constructor(private readonly revisions: RevisionStore) {}

  gap(target: TargetConfig, head: string | null, status: TargetRuntimeStatus): Promise<DeploymentGap> {
    const operation = status.operation;
    const key = [targetKey(target), status.liveRevision, head, operation?.phase, operation?.revision, status.liveRevision ? '' : status.reason].join('|');
    const cached = this.cache.get(key);
    if (cached) return cached;
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    const computed = computeGap(this.revisions, target, head, status);
    this.cache.set(key, computed);
    computed.catch(() => this.cache.delete(key));
    return computed;
  }
}

export function targetCluster(status: TargetRuntimeStatus, deployment: DeploymentGap): TargetCluster {
  return {
    source: status.source,
    liveRevision: status.liveRevision,
    operation: status.operation,
    observedAt: status.observedAt,
    reason: status.reason,
    outcomes: status.outcomes.slice(0, 50),
    deployment,
  };
}
