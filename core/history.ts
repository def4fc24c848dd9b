/**
 * Deployment history of a target: revisions with their derived source, status and services, paged by
 * commit cursor. A cursor names the last commit a page examined, so a page never overlaps or skips
 * another even when new commits land on the branch between the two requests.
 */
import { badRequest } from './errors.ts';
import { classifySource, parseRollbackMessage, summaryOf } from './commit-message.ts';
import type { CommitRecord, RevisionStore } from './ports.ts';
import { revisionStatusOf, type RolledBackIndex } from './rolled-back-index.ts';
import type { HistoryQuery, Revision } from './schemas.ts';
import { servicesTouched, type TargetConfig } from './target-config.ts';

/** A page examines at most this many commits, so a rare filter cannot make one request unbounded. */
export const MAX_SCAN_PER_PAGE = 2000;
const SCAN_BATCH = 200;

export function encodeCursor(sha: string): string {
  return `c1.${sha}`;
}

export function decodeCursor(cursor: string): string {
  const match = /^c1\.([0-9a-f]{40})$/.exec(cursor);
  if (!match) throw badRequest('invalid cursor');
  return match[1]!;
}

/** The newest commit touching the target (its head revision), or undefined when none does. */
export async function targetHead(store: Pick<RevisionStore, 'log'>, target: Pick<TargetConfig, 'layout'>): Promise<CommitRecord | undefined> {
  const [head] = await store.log({ paths: target.layout.paths, limit: 1 });
  return head;
}

/** Deployment outcomes an agent reported, by commit (newest report per commit), and which agent. */
export interface AgentOutcomes {
  source: 'argocd' | 'flux' | 'simulated';
  bySha: Map<string, 'success' | 'failed'>;
}

/** The agent's outcomes of a target's status, newest first as the port reports them. */
export function agentOutcomesOf(status: { source: string; outcomes: readonly { sha: string; outcome: 'success' | 'failed' }[] }): AgentOutcomes | undefined {
  if (status.source !== 'argocd' && status.source !== 'flux' && status.source !== 'simulated') return undefined;
  const bySha = new Map<string, 'success' | 'failed'>();
  for (const { sha, outcome } of status.outcomes) if (!bySha.has(sha)) bySha.set(sha, outcome);
  return { source: status.source, bySha };
}

/**
 * A revision's status and who said it: a later rollback undid it wholly or in part (git), else what
 * the agent reported for that commit, else the commit's deployment note, else nobody: unknown, never
 * a success nobody reported (decision 056).
 */
function statusOf(
  commit: CommitRecord,
  rolledBack: RolledBackIndex,
  agent: AgentOutcomes | undefined,
): Pick<Revision, 'status' | 'statusSource'> & { rolledBackBy?: string } {
  const undone = revisionStatusOf(commit, rolledBack);
  if (undone.rolledBackBy) return { status: undone.status, statusSource: 'rollback', rolledBackBy: undone.rolledBackBy };
  const reported = agent?.bySha.get(commit.sha);
  if (reported && agent) return { status: reported, statusSource: agent.source };
  if (commit.deployStatus) return { status: commit.deployStatus === 'failed' ? 'failed' : 'success', statusSource: 'git-note' };
  return { status: 'unknown', statusSource: 'none' };
}

export function describeRevision(
  commit: CommitRecord,
  target: TargetConfig,
  rolledBack: RolledBackIndex,
  agent?: AgentOutcomes,
): Revision {
  const meta = parseRollbackMessage(commit.message);
  const { status, statusSource, rolledBackBy } = statusOf(commit, rolledBack, agent);
  const revision: Revision = {
    sha: commit.sha,
    shortSha: commit.sha.slice(0, 7),
    timestamp: commit.timestamp,
    author: commit.author,
    summary: summaryOf(commit.message),
    services: servicesTouched(target.layout, commit.paths),
    source: classifySource(commit.message),
    status,
    statusSource,
  };
  if (meta) revision.rollback = { requestId: meta.requestId, targetSha: meta.targetSha, mode: meta.mode };
  if (rolledBackBy) revision.rolledBackBy = rolledBackBy;
  return revision;
}

function matchesQuery(revision: Revision, message: string, query: HistoryQuery): boolean {
  if (query.source && revision.source !== query.source) return false;
  if (query.status && revision.status !== query.status) return false;
  const text = query.q?.trim().toLowerCase();
  if (text) {
    const haystack = [
      revision.sha,
      message,
      revision.author.name,
      revision.author.email,
      ...revision.services,
    ]
      .join('\n')
      .toLowerCase();
    if (!haystack.includes(text)) return false;
  }
  return true;
}

export interface HistoryPage {
  revisions: Revision[];
  nextCursor: string | null;
}

/**
 * One page of history. The service filter narrows the pathspec (so git does the work); the other
 * filters are applied to derived revisions while scanning. A page may hold fewer than `limit`
 * revisions and still have a next cursor when the scan bound was reached first.
 */
export async function readHistoryPage(
  store: RevisionStore,
  target: TargetConfig,
  query: HistoryQuery,
  rolledBack: RolledBackIndex,
  agent?: AgentOutcomes,
): Promise<HistoryPage> {
  let paths = target.layout.paths;
  if (query.service) {
    const service = target.layout.services.find((s) => s.name === query.service);
    if (!service) throw badRequest(`unknown service ${query.service} in ${target.tenant}/${target.environment}`);
    paths = service.paths;
  }
  const filtering = Boolean(query.source || query.status || query.q?.trim());
  let after = query.cursor ? decodeCursor(query.cursor) : undefined;
  if (after && !(await store.resolveCommit(after))) throw badRequest('invalid cursor');

  const revisions: Revision[] = [];
  let scanned = 0;
  while (revisions.length < query.limit && scanned < MAX_SCAN_PER_PAGE) {
    const want = filtering ? SCAN_BATCH : query.limit - revisions.length;
    const batchSize = Math.min(want, MAX_SCAN_PER_PAGE - scanned);
    const commits = await store.log({ paths, after, limit: batchSize });
    for (const commit of commits) {
      scanned++;
      after = commit.sha;
      const revision = describeRevision(commit, target, rolledBack, agent);
      if (matchesQuery(revision, commit.message, query)) {
        revisions.push(revision);
        if (revisions.length === query.limit) break;
      }
    }
    if (commits.length < batchSize) {
      // The store has nothing older unless we stopped early inside this batch on a full page.
      const stoppedEarly = revisions.length === query.limit && after !== commits.at(-1)?.sha;
      if (!stoppedEarly) return { revisions, nextCursor: null };
      break;
    }
  }
  return { revisions, nextCursor: after ? encodeCursor(after) : null };
}
