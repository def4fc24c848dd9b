import type { Revision, Target } from '#core/schemas.ts';

export type DeployMark = 'live' | 'not-deployed' | 'failed-deploy';

/**
 * Which loaded rows the cluster runs, has not applied yet, or failed to apply (docs/decisions/017).
 * Newest first, the first row the agent has applied is the live one; with filters on, or when the
 * not-deployed list was cut short, only the exact live commit is marked live.
 */
export function deployMarks(target: Target, revisions: readonly Revision[], filtered: boolean): Map<string, DeployMark> {
  const marks = new Map<string, DeployMark>();
  const { deployment, liveRevision } = target.cluster;
  if (deployment.state === 'unknown' || !liveRevision) return marks;
  const pending = new Set(deployment.notDeployed);
  const failed = new Set(deployment.failedToDeploy);
  const complete = deployment.notDeployed.length === deployment.notDeployedCount;
  let liveFound = false;
  for (const revision of revisions) {
    if (failed.has(revision.sha)) marks.set(revision.sha, 'failed-deploy');
    else if (pending.has(revision.sha)) marks.set(revision.sha, 'not-deployed');
    else if (!liveFound && (revision.sha === liveRevision || (!filtered && complete))) {
      marks.set(revision.sha, 'live');
      liveFound = true;
    }
  }
  return marks;
}
