/**
 * What the cluster said about an incident's rollback commits, for the post-incident report (decision
 * 044): when the live revision reached the rollback commit and whether the target is healthy, each
 * with the agent that reported it. Only the agent's report counts: a time the agent did not give is
 * not made up (the observation time is named as such), and without a cluster connection the report
 * says "unknown — <why>".
 */
import type { ClusterSource } from './cluster-schemas.ts';
import type { TargetRuntimeStatus } from './ports.ts';

/** One committed rollback and the cluster's current report on its target. */
export interface ClusterObservation {
  requestId: string;
  tenant: string;
  environment: string;
  commitSha: string;
  status: TargetRuntimeStatus;
  /** Whether the live revision reaches the commit (core/rollout.ts isApplied); null when it cannot be told. */
  applied: boolean | null;
}

/** A timeline entry the agent reported; `source` names the agent. */
export interface ClusterTimelineEntry {
  at: string;
  what: string;
  source: string;
  requestId: string;
}

/** What the report says about the cluster for one committed rollback. */
export interface ClusterNote {
  requestId: string;
  /** Who reported it ("Argo CD"), or null when nothing is known. */
  source: string | null;
  text: string;
}

export const REPORTING_AGENT: Record<ClusterSource, string> = {
  argocd: 'Argo CD',
  flux: 'Flux',
  simulated: 'the simulated cluster (demo)',
  none: 'no cluster',
};

const short = (sha: string) => sha.slice(0, 7);

/** When the agent says it applied the commit: its outcome's time, else its finished operation's. */
function syncedAt(o: ClusterObservation): string | null {
  const outcome = o.status.outcomes.find((x) => x.sha === o.commitSha && x.outcome === 'success' && x.at);
  if (outcome?.at) return outcome.at;
  const op = o.status.operation;
  return op && op.phase === 'succeeded' && op.revision === o.commitSha ? op.finishedAt : null;
}

export function clusterFindings(observations: readonly ClusterObservation[]): { entries: ClusterTimelineEntry[]; notes: ClusterNote[] } {
  const entries: ClusterTimelineEntry[] = [];
  const notes: ClusterNote[] = [];
  for (const o of observations) {
    const { status, requestId } = o;
    const where = `${o.tenant}/${o.environment}`;
    if (status.source === 'none') {
      notes.push({ requestId, source: null, text: `sync and health of ${short(o.commitSha)} in ${where}: unknown — ${status.reason ?? 'no cluster connection'}` });
      continue;
    }
    const source = REPORTING_AGENT[status.source];
    const observed = status.observedAt;
    if (o.applied !== true) {
      const why = status.reason ?? (o.applied === false ? `the live revision (${status.liveRevision ? short(status.liveRevision) : 'none'}) does not reach it yet` : 'the live revision cannot be compared with it');
      notes.push({ requestId, source, text: `${short(o.commitSha)} in ${where} is not reported live: ${why}${observed ? ` (observed ${observed})` : ''}` });
      continue;
    }
    const synced = syncedAt(o);
    if (synced) entries.push({ at: synced, what: `Live revision reached the rollback commit ${short(o.commitSha)} in ${where}`, source, requestId });
    else if (observed) entries.push({ at: observed, what: `Live revision seen at the rollback commit ${short(o.commitSha)} in ${where} (the agent gives no sync time; this is when Rewind observed it)`, source, requestId });
    if (!observed) continue;
    const current = status.reason === null;
    if (current && status.health === 'healthy' && status.sync === 'synced') {
      entries.push({ at: observed, what: `${where} Healthy and Synced (observed; the agent gives no time of the change)`, source, requestId });
      notes.push({ requestId, source, text: `${short(o.commitSha)} in ${where} is live, Healthy and Synced` });
    } else {
      const state = `health ${status.health}, sync ${status.sync}${status.reason ? ` (${status.reason})` : ''}`;
      notes.push({ requestId, source, text: `${short(o.commitSha)} in ${where} is live but not confirmed healthy: ${state}, observed ${observed}` });
    }
  }
  return { entries, notes };
}
