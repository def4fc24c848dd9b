/**
 * Crash safety (docs/decisions/012-approvals.md): a rollback commits to git first and records the
 * outcome in the request store second. A server that stops between the two leaves the request
 * `executing`. At start, before serving, each such request is settled from the branch itself: the
 * rollback commit's metadata names its request (`Rollback Request ID`, core/commit-message.ts).
 *
 * - a rollback commit naming the request is on the branch → `completed` with that commit, and the one
 *   `rollback.executed` event the interrupted run never wrote (no second commit);
 * - none → `failed` ("the server stopped during execution"), so `POST .../execute` retries it.
 *
 * Each settlement re-reads the request in its transaction and only touches it while still `executing`,
 * so running this twice (or on a store with nothing stuck) changes nothing.
 *
 * A live execution is `executing` too. It holds the request's execution lease (core/ports.ts
 * CommitLock) from its claim to its outcome, and each settlement runs only under a lease it could take
 * at once: a request whose lease is held (a live replica, or this process, running it) is left alone
 * (`busy`). So this may run while serving, on every replica, and again periodically: a replica that
 * died mid-execution released its leases with its database session, and a live one picks its
 * requests up. Without a lock (one process) it must run before the server accepts requests.
 *
 * With a lock, each settlement also holds the branch's commit lock, taken after the lease, so the
 * branch it reads is final for that request: its executor, dead, pushes nothing more, and the lock
 * (server/node/fetch-first-commit-lock.ts) fetches the remote first. Reading a replica's own mirror
 * without that fetch would call a commit another replica pushed "never made" (decision 040).
 */
import { requestScope } from './transaction-scope.ts';
import { parseRollbackMessage } from './commit-message.ts';
import type { EventBus } from './events.ts';
import type { Clock, CommitLock, CommitRecord, IdGenerator, RequestStore, RevisionStore, TargetCatalog } from './ports.ts';
import type { RollbackRequest } from './schemas.ts';

export interface ReconcileDeps {
  revisions: RevisionStore;
  requests: RequestStore;
  catalog: TargetCatalog;
  clock: Clock;
  ids: IdGenerator;
  events?: EventBus | undefined;
  /** Execution leases; without one, every `executing` request is taken as interrupted. */
  commitLock?: CommitLock | undefined;
}

export interface ReconcileResult {
  /** Requests found committed: id → commit. */
  completed: { id: string; commitSha: string }[];
  /** Requests with no commit on the branch, now `failed` (retryable). */
  failed: string[];
  /** Requests left alone because their execution lease is held (a live execution); absent when none. */
  busy?: string[];
}

/** The actor of what Rewind itself records. */
export const SYSTEM_ACTOR = 'system';

export const INTERRUPTED_ERROR =
  'the server stopped during execution, before the rollback was committed: nothing was committed; execute it again';

async function stuckRequests(requests: RequestStore): Promise<RollbackRequest[]> {
  const found: RollbackRequest[] = [];
  let cursor: string | null = null;
  do {
    const page = await requests.listRequests({ state: 'executing' }, cursor, 200);
    found.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return found;
}

/** Request id → the oldest rollback commit on the branch naming it, among commits touching `paths`. */
async function rollbackCommitsByRequest(revisions: RevisionStore, paths: readonly string[]): Promise<Map<string, CommitRecord>> {
  const byRequest = new Map<string, CommitRecord>();
  // Newest first: later entries are older, so the oldest commit naming a request wins.
  for (const commit of await revisions.logRollbacks(paths)) {
    const meta = parseRollbackMessage(commit.message);
    if (meta) byRequest.set(meta.requestId, commit);
  }
  return byRequest;
}

export async function reconcileInterruptedRequests(deps: ReconcileDeps): Promise<ReconcileResult> {
  const result: ReconcileResult = { completed: [], failed: [] };
  const stuck = await stuckRequests(deps.requests);
  if (stuck.length === 0) return result;

  // Read for each request once its lease is ours, never before: the branch is only final then.
  const commitsOf = async (request: RollbackRequest): Promise<Map<string, CommitRecord>> => {
    const target = await deps.catalog.get(request.tenant, request.environment);
    // A target gone from the configuration: its paths are unknown, so search the whole repo.
    return rollbackCommitsByRequest(deps.revisions, target ? target.layout.paths : ['**']);
  };

  for (const request of stuck) {
    const settle = () => settleOne(deps, request, commitsOf);
    let settled: RollbackRequest | null;
    if (deps.commitLock) {
      const lock = deps.commitLock;
      // Under the branch's commit lock too, which (with a remote) fetches first: the push of a replica
      // that died after its commit is on the remote by now, and this replica's mirror must have it.
      const leased = await lock.tryExecutionLease(request.id, () => lock.withCommitLock(settle));
      if (!leased.acquired) {
        (result.busy ??= []).push(request.id);
        continue;
      }
      settled = leased.value;
    } else {
      settled = await settle();
    }
    if (!settled) continue;
    if (settled.state === 'completed') result.completed.push({ id: settled.id, commitSha: settled.commitSha! });
    else result.failed.push(settled.id);
    deps.events?.publish({ type: 'request.updated', tenant: settled.tenant, environment: settled.environment, requestId: settled.id });
  }
  return result;
}

async function settleOne(
  deps: ReconcileDeps,
  request: RollbackRequest,
  commitsOf: (request: RollbackRequest) => Promise<Map<string, CommitRecord>>,
): Promise<RollbackRequest | null> {
  const commit = (await commitsOf(request)).get(request.id) ?? null;
  const now = deps.clock.now();
  return deps.requests.transaction(async (tx) => {
    const current = await tx.getRequest(request.id);
    if (!current || current.state !== 'executing') return null;
    const event = {
      id: deps.ids.next('evt-'),
      at: now.toISOString(),
      actor: SYSTEM_ACTOR,
      tenant: current.tenant,
      environment: current.environment,
      requestId: current.id,
      breakGlass: current.breakGlass,
    };
    if (commit) {
      const done: RollbackRequest = { ...current, state: 'completed', commitSha: commit.sha };
      delete done.error;
      await tx.updateRequest(done);
      await tx.appendAudit({
        ...event,
        type: 'rollback.executed',
        details: {
          justification: current.justification,
          commitSha: commit.sha,
          committedAt: commit.timestamp,
          baseSha: current.baseSha,
          diffHash: current.diffHash,
          approval: parseRollbackMessage(commit.message)?.approval ?? '',
          affectedServices: current.affectedServices,
          reconciled: true,
        },
      });
      return done;
    }
    const failed: RollbackRequest = { ...current, state: 'failed', error: INTERRUPTED_ERROR };
    delete failed.commitSha;
    await tx.updateRequest(failed);
    await tx.appendAudit({ ...event, type: 'rollback.failed', details: { justification: current.justification, error: INTERRUPTED_ERROR, stage: 'interrupted', reconciled: true } });
    return failed;
  }, requestScope(request.id));
}
