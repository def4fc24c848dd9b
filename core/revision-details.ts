/**
 * One revision in full (docs/decisions/031): message, trailers, the versions it changed, its
 * deployment outcome and the rollback requests that made it or undid it, for the revision panel.
 */
import { parseRollbackMessage, parseTrailers } from './commit-message.ts';
import { notFound } from './errors.ts';
import { describeRevision, type AgentOutcomes } from './history.ts';
import { buildRolledBackIndex } from './rolled-back-index.ts';
import type { CommitRecord, RequestStore, RevisionStore } from './ports.ts';
import { versionReaderFor } from './revision-versions.ts';
import type { RequestLink, RevisionDetail, RollbackRequest } from './schemas.ts';
import type { TargetConfig } from './target-config.ts';

/** The commit of the target at `sha` exactly, or null when `sha` did not touch the target. */
async function commitOfTarget(revisions: RevisionStore, target: TargetConfig, sha: string): Promise<CommitRecord | null> {
  const head = await revisions.branchHead();
  if (!head) return null;
  const later = await revisions.range({ paths: target.layout.paths, since: sha, until: head });
  const oldestLater = later.at(-1);
  const [found] = oldestLater
    ? await revisions.log({ paths: target.layout.paths, after: oldestLater, limit: 1 })
    : await revisions.log({ paths: target.layout.paths, limit: 1 });
  return found?.sha === sha ? found : null;
}

const AGENT_SOURCE: Record<AgentOutcomes['source'], string> = {
  argocd: 'Argo CD (its sync history and last operation)',
  flux: 'Flux (its Ready condition and events)',
  simulated: 'the simulated cluster (demo)',
};

async function linkTo(requests: RequestStore | undefined, id: string): Promise<RequestLink> {
  const request: RollbackRequest | null = requests ? await requests.getRequest(id).catch(() => null) : null;
  return request ? { id, state: request.state, requestedBy: request.requestedBy, justification: request.justification } : { id };
}

export async function readRevisionDetail(
  deps: { revisions: RevisionStore; requests?: RequestStore | undefined },
  target: TargetConfig,
  sha: string,
  agent?: AgentOutcomes,
): Promise<RevisionDetail> {
  const commit = await commitOfTarget(deps.revisions, target, sha);
  if (!commit) throw notFound(`revision ${sha.slice(0, 7)} is not in the history of ${target.tenant}/${target.environment}`);
  const rolledBack = await buildRolledBackIndex(deps.revisions, target);
  const revision = describeRevision(commit, target, rolledBack, agent);
  const reported = agent?.bySha.get(sha);
  const [[previous], [head]] = await Promise.all([
    deps.revisions.log({ paths: target.layout.paths, after: sha, limit: 1 }),
    deps.revisions.log({ paths: target.layout.paths, limit: 1 }),
    versionReaderFor(deps.revisions).annotate(target, [revision]),
  ]);
  const detail: RevisionDetail = {
    revision,
    message: commit.message,
    trailers: [...parseTrailers(commit.message)].map(([key, value]) => ({ key, value })),
    previous: previous?.sha ?? null,
    isHead: head?.sha === sha,
    deployment:
      reported && agent
        ? { outcome: reported === 'failed' ? 'failed' : 'succeeded', source: AGENT_SOURCE[agent.source] }
        : {
            outcome: commit.deployStatus === 'failed' ? 'failed' : commit.deployStatus === 'success' ? 'succeeded' : 'not-recorded',
            source: 'deployment notes on the infra repo (git notes)',
          },
  };
  if (revision.rollback) detail.madeBy = await linkTo(deps.requests, revision.rollback.requestId);
  if (revision.rolledBackBy) {
    const undoing = await commitOfTarget(deps.revisions, target, revision.rolledBackBy);
    const meta = undoing ? parseRollbackMessage(undoing.message) : null;
    detail.undoneBy = { sha: revision.rolledBackBy, ...(meta ? { request: await linkTo(deps.requests, meta.requestId) } : {}) };
  }
  return detail;
}
