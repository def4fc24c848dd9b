/**
 * Execution of a claimed rollback request (docs/decisions/010-rollback-requests.md): from `executing`,
 * plan again on the current head, compare with the approved diff, commit with compare-and-swap, and
 * record the outcome (`completed`, `failed`, or `pending` again with approvals dismissed). The request
 * service (rollback-service.ts) decides who may execute and claims the request; this module only runs it.
 */
import { requestScope } from './transaction-scope.ts';
import { appendRequestAudit } from './request-audit.ts';
import { commitSeries } from './commit-series.ts';
import { GroupCommitQueue, type BatchOutcome } from './group-commit.ts';
import { approvalText, rollbackCommitMessage } from './rollback-commit.ts';
import type { PatchBounds } from './git-patch.ts';
import type { RollbackComputer } from './rollback-compute.ts';
import { conflict, redactServerPaths, RewindError, unavailable } from './errors.ts';
import type { EventBus } from './events.ts';
import type { Clock, CommitLock, CommitRequest, IdGenerator, RequestStore, RequestStoreTx, RevisionStore, UserDirectory } from './ports.ts';
import { targetHead } from './history.ts';
import { requiredApprovalsFor } from './rollback-gating.ts';
import { plannedVersions } from './rollback-insight.ts';
import { nothingToRollBack, planOnHead, shortSha as short, type PlannedRollback, type PlanOptions } from './rollback-preview.ts';
import type { RollbackRequest } from './schemas.ts';
import { matchesAny, scopeOf, targetKey, type TargetConfig } from './target-config.ts';
import type { ServiceVersionChange } from './version-schemas.ts';

/** What execution needs from the outside world (a part of RollbackServiceDeps). */
export interface RollbackExecutionDeps {
  revisions: RevisionStore;
  requests: RequestStore;
  clock: Clock;
  ids: IdGenerator;
  users: UserDirectory;
  /** Bounds of the preview's text diffs (default: compare's). */
  patchBounds?: PatchBounds;
  /** Where plans and previews parse YAML (default in-process; the real server: a worker, decision 021). */
  rollbackComputer?: RollbackComputer | undefined;
  /** Live updates: `revision.created` for a rollback commit. */
  events?: EventBus | undefined;
  hooks?: RollbackHooks | undefined;
}

/** Test seams; no rule depends on them. */
export interface RollbackHooks {
  /**
   * Runs after a rollback commit landed and before the request is marked `completed`: the crash
   * window that reconcileInterruptedRequests (core/reconcile-requests.ts) repairs at start.
   */
  afterCommit?: (info: { requestId: string; commitSha: string }) => void | Promise<void>;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One claimed request on its way to a commit. */
interface ExecutionJob {
  claimed: RollbackRequest;
  target: TargetConfig;
  actor: string;
  /** A plan made before the queue; checked again on the head under the lock. */
  planned: PlannedRollback | undefined;
}

/** A job whose commit is on the branch. */
interface Landed {
  job: ExecutionJob;
  current: PlannedRollback;
  commitSha: string;
}

/** A settled promise of `work`, thrown errors included. */
async function settled<T>(work: () => Promise<T>): Promise<BatchOutcome<T>> {
  try {
    return { status: 'fulfilled', value: await work() };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}

export class RollbackExecution {
  private readonly queue: GroupCommitQueue<ExecutionJob, RollbackRequest>;

  constructor(
    private readonly deps: RollbackExecutionDeps,
    /** Plan-and-commit one batch at a time per branch (decisions 027, 049). */
    lock: CommitLock,
    /** `request.updated` for the request's page, lists and queues. */
    private readonly notify: (request: Pick<RollbackRequest, 'id' | 'tenant' | 'environment'>) => void,
    /** Ends a request whose plan changes nothing any more as `closed` (core/request-closing.ts). */
    private readonly closeNothingToDo?: (request: RollbackRequest, target: TargetConfig, actor: string, baseSha: string) => Promise<RollbackRequest>,
  ) {
    this.queue = new GroupCommitQueue(lock, (jobs) => this.runBatch(jobs));
  }

  private get planOptions(): PlanOptions {
    return { compute: this.deps.rollbackComputer, patchBounds: this.deps.patchBounds };
  }

  /**
   * From `executing`: recompute, compare, commit, and record the outcome. The plan is made first,
   * concurrently with other executions; the commit and what it depends on run under the commit lock,
   * together with the executions queued at the same time (group commit, decision 049).
   */
  async run(claimed: RollbackRequest, target: TargetConfig, actor: string, planned?: PlannedRollback): Promise<RollbackRequest> {
    // A failing plan is made again in the queue, where its failure is recorded.
    const early = planned ?? (await planOnHead(this.deps.revisions, target, claimed, claimed.targetSha, this.planOptions).catch(() => undefined));
    return this.queue.submit({ claimed, target, actor, planned: early });
  }

  /**
   * A plan made before waiting in the queue, still valid on the current head: as it is when the branch
   * has not moved; with the new head as compare-and-swap expectation when only other paths changed
   * (the target's newest commit is still the plan's base, so its files, the plan and the hash are the
   * same); otherwise none.
   */
  private async stillValid(planned: PlannedRollback | undefined, target: TargetConfig): Promise<PlannedRollback | undefined> {
    if (!planned) return undefined;
    const head = await this.deps.revisions.branchHead();
    if (!head) return undefined;
    if (head === planned.head) return planned;
    const newest = await targetHead(this.deps.revisions, target);
    return newest?.sha === planned.baseSha ? { ...planned, head } : undefined;
  }

  /**
   * One batch under the commit lock: each job planned on the current head in turn; those still
   * matching their approved diff committed as one series (one fast-import, one compare-and-swap, one
   * push), each its own commit; then each recorded. A job whose target paths an earlier job of the
   * batch changes waits for the next batch, where it is planned on that commit, as one at a time would.
   */
  private async runBatch(jobs: readonly ExecutionJob[]): Promise<(BatchOutcome<RollbackRequest> | undefined)[]> {
    const outcomes: (BatchOutcome<RollbackRequest> | undefined)[] = jobs.map(() => undefined);
    // Planned side by side (reads only); judged in order, where failures and dismissals are recorded.
    const plans = await Promise.all(jobs.map((job) => settled(() => this.planNow(job))));
    const ready: { index: number; job: ExecutionJob; current: PlannedRollback }[] = [];
    for (const [index, job] of jobs.entries()) {
      const changedSoFar = ready.flatMap((r) => Object.keys(r.current.plan.changes));
      if (changedSoFar.some((path) => matchesAny(job.target.layout.paths, path))) continue;
      const judged = await settled(() => this.judge(job, plans[index]!));
      if (judged.status === 'rejected') {
        outcomes[index] = judged;
      } else if (judged.value.kind === 'settled') {
        outcomes[index] = { status: 'fulfilled', value: judged.value.request };
      } else if (ready.length > 0 && judged.value.current.head !== ready[0]!.current.head) {
        // The branch moved under the batch (a fetch brought a peer's commit): planned again next time.
        continue;
      } else {
        ready.push({ index, job, current: judged.value.current });
      }
    }
    if (ready.length === 0) return outcomes;

    const now = this.deps.clock.now();
    const commits = await Promise.all(ready.map(({ job, current }) => this.commitOf(job, current, now)));
    const { created, error } = await commitSeries(this.deps.revisions, ready[0]!.current.head, commits);
    const landed = ready.slice(0, created.length).map((r, k) => ({ ...r, commitSha: created[k]! }));
    const recorded = await this.recordAll(landed, now);
    landed.forEach(({ index }, k) => (outcomes[index] = recorded[k]));
    for (const { index, job, current } of ready.slice(created.length)) outcomes[index] = await settled(() => this.commitFailed(job, current, error));
    return outcomes;
  }

  /** The job's plan on the current head: the early one while still valid, else made again. */
  private async planNow({ claimed, target, planned }: ExecutionJob): Promise<PlannedRollback> {
    return (await this.stillValid(planned, target)) ?? (await planOnHead(this.deps.revisions, target, claimed, claimed.targetSha, this.planOptions));
  }

  /** Ready to commit, or settled here (failed, closed, dismissed), from the plan on the current head. */
  private async judge(
    { claimed, target, actor }: ExecutionJob,
    plan: BatchOutcome<PlannedRollback>,
  ): Promise<{ kind: 'ready'; current: PlannedRollback } | { kind: 'settled'; request: RollbackRequest }> {
    const { id } = claimed;
    if (plan.status === 'rejected') {
      const error = plan.reason;
      const reason = `the rollback cannot be planned on the current head: ${errorText(error)}`;
      const failed = await this.fail(claimed, actor, reason, { stage: 'plan' });
      if (error instanceof RewindError && error.status < 500) {
        const message = `rollback request ${id} cannot be executed: ${errorText(error)}`;
        // A named rule (a foreign revision, a parse over budget) keeps its status; the rest is a conflict with the head.
        throw error.rule ? new RewindError(error.code, message, error.details) : conflict(message, error.details);
      }
      return { kind: 'settled', request: failed };
    }
    const current = plan.value;

    if (current.plan.nothingToRollBack) {
      // Nothing to retry either: the request is closed as such, not failed (decision 039).
      const reason = nothingToRollBack(target, claimed, claimed.targetSha);
      if (this.closeNothingToDo) await this.closeNothingToDo(claimed, target, actor, current.baseSha);
      else await this.fail(claimed, actor, reason, { stage: 'plan', baseSha: current.baseSha });
      throw conflict(`rollback request ${id} cannot be executed: ${reason}`);
    }

    if (current.diffHash !== claimed.diffHash) {
      const what = await this.describeChange(target, claimed.baseSha, current.baseSha);
      await this.dismiss(claimed, target, actor, current, what);
      throw conflict(
        `the rollback no longer matches the diff it was planned with: ${what}. ` +
          `Nothing was committed; rollback request ${id} is pending again and its approvals were dismissed: review the new diff`,
      );
    }
    return { kind: 'ready', current };
  }

  private async commitOf({ claimed, target }: ExecutionJob, current: PlannedRollback, now: Date): Promise<Omit<CommitRequest, 'expectedHead'>> {
    const requester = await this.deps.users.find(claimed.requestedBy);
    return {
      changes: current.plan.changes,
      message: rollbackCommitMessage(target, claimed, await this.versionsOf(current, target, claimed)),
      author: { name: requester?.name || claimed.requestedBy, email: claimed.requestedBy },
      timestamp: now.toISOString(),
    };
  }

  /** Nothing of this job was committed: failed, and a lost compare-and-swap says so as a 409. */
  private async commitFailed({ claimed, actor }: ExecutionJob, current: PlannedRollback, error: unknown): Promise<RollbackRequest> {
    const isConflict = error instanceof RewindError && error.code === 'CONFLICT';
    const failed = await this.fail(claimed, actor, errorText(error), { stage: 'commit', conflict: isConflict, expectedHead: current.head });
    if (isConflict) {
      throw conflict(`${errorText(error)}: nothing was committed; rollback request ${claimed.id} failed and can be executed again`);
    }
    return failed;
  }

  /**
   * The commits are on the branch: each request is `completed` with its own, all in one transaction
   * (one wait for the store's writer instead of one per request, decision 049).
   */
  private async recordAll(landed: readonly Landed[], now: Date): Promise<BatchOutcome<RollbackRequest>[]> {
    const outcomes: BatchOutcome<RollbackRequest>[] = new Array(landed.length);
    // The commits are all on the branch; a hook that fails (a crash test) leaves its request `executing`.
    const recording: { at: number; landed: Landed }[] = [];
    for (const [at, item] of landed.entries()) {
      const hook = await settled(async () => this.deps.hooks?.afterCommit?.({ requestId: item.job.claimed.id, commitSha: item.commitSha }));
      if (hook.status === 'rejected') outcomes[at] = hook;
      else recording.push({ at, landed: item });
    }
    if (recording.length === 0) return outcomes;
    const completed = await settled(() =>
      this.deps.requests.transaction(async (tx) => {
        const done: RollbackRequest[] = [];
        for (const { landed: { job: { claimed, actor }, current, commitSha } } of recording) {
          const request = (await tx.getRequest(claimed.id)) ?? claimed;
          const completed: RollbackRequest = { ...request, state: 'completed', commitSha };
          delete completed.error;
          await tx.updateRequest(completed);
          await this.audit(tx, 'rollback.executed', actor, completed, now, await this.flagged(tx, actor, completed, now), {
            commitSha,
            baseSha: current.baseSha,
            diffHash: current.diffHash,
            approval: approvalText(claimed),
            affectedServices: current.plan.affectedServices,
          });
          done.push(completed);
        }
        return done;
      }, { requests: recording.map(({ landed }) => landed.job.claimed.id) }),
    );
    recording.forEach(({ at, landed: { job, commitSha } }, k) => {
      if (completed.status === 'fulfilled') {
        const request = completed.value[k]!;
        this.deps.events?.publish({ type: 'revision.created', tenant: job.target.tenant, environment: job.target.environment });
        this.notify(request);
        outcomes[at] = { status: 'fulfilled', value: request };
      } else {
        // The commit is on the branch, only its record is missing: never "nothing was changed". The
        // request stays `executing`; reconciliation records it from the branch once the store is back.
        const error = completed.reason;
        outcomes[at] = { status: 'rejected', reason: error instanceof RewindError && error.code === 'UNAVAILABLE' ? unrecorded(job.claimed.id, commitSha) : error };
      }
    });
    return outcomes;
  }

  /** The versions the commit restores, for its message; none when they cannot be read (never blocks). */
  private versionsOf(current: PlannedRollback, target: TargetConfig, claimed: RollbackRequest): Promise<ServiceVersionChange[]> {
    const { baseSha, targetSha, headFiles, plan } = current;
    const scope = scopeOf(target, claimed);
    return plannedVersions(this.deps.revisions, target, { baseSha, targetSha, headFiles, scope, changes: plan.changes, affectedServices: plan.affectedServices }).catch(() => []);
  }

  private async fail(claimed: RollbackRequest, actor: string, cause: string, details: Record<string, unknown>): Promise<RollbackRequest> {
    // Kept on the request and in the audit trail, both shown to clients: no absolute server path.
    const reason = redactServerPaths(cause);
    const now = this.deps.clock.now();
    const failed = await this.deps.requests.transaction(async (tx) => {
      const request = (await tx.getRequest(claimed.id)) ?? claimed;
      const failed: RollbackRequest = { ...request, state: 'failed', error: reason };
      delete failed.commitSha;
      await tx.updateRequest(failed);
      await this.audit(tx, 'rollback.failed', actor, failed, now, await this.flagged(tx, actor, failed, now), { error: reason, ...details });
      return failed;
    }, requestScope(claimed.id));
    this.notify(failed);
    return failed;
  }

  /** Back to `pending` with the new plan; every review so far is stale (approvals dismissed). */
  private async dismiss(claimed: RollbackRequest, target: TargetConfig, actor: string, current: PlannedRollback, what: string): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.requests.transaction(async (tx) => {
      const request = (await tx.getRequest(claimed.id)) ?? claimed;
      const pending: RollbackRequest = {
        ...request,
        state: 'pending',
        baseSha: current.baseSha,
        diffHash: current.diffHash,
        affectedServices: current.plan.affectedServices,
        requiredApprovals: requiredApprovalsFor(target),
        breakGlass: false,
      };
      delete pending.error;
      await tx.updateRequest(pending);
      await tx.markReviewsStale(claimed.id);
      await this.audit(tx, 'rollback.approvals-dismissed', actor, pending, now, await this.flagged(tx, actor, claimed, now), {
        reason: what,
        previousBaseSha: claimed.baseSha,
        previousDiffHash: claimed.diffHash,
        baseSha: current.baseSha,
        diffHash: current.diffHash,
        dismissedReviews: request.reviews.filter((r) => !r.stale).length,
      });
    }, requestScope(claimed.id));
    this.notify(claimed);
  }

  /** What moved under a planned rollback, for the 409: the target's revisions and changed files. */
  private async describeChange(target: TargetConfig, from: string, to: string): Promise<string> {
    if (from === to) return `the planned diff of ${targetKey(target)} is different`;
    let paths: string[] = [];
    try {
      paths = (await this.deps.revisions.diff({ paths: target.layout.paths, from, to })).map((f) => f.path);
    } catch {
      // The old base may be gone (a rewritten branch); the revisions alone still say what moved.
    }
    const listed = paths.length === 0 ? '' : ` (changed: ${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ` and ${paths.length - 5} more` : ''})`;
    return `${targetKey(target)} moved from ${short(from)} to ${short(to)}${listed}`;
  }

  /** An event is flagged when the request runs under break-glass or its actor holds an open session. */
  async flagged(tx: RequestStoreTx, actor: string, request: RollbackRequest, now: Date): Promise<boolean> {
    return request.breakGlass || (await tx.activeBreakGlass(actor, now)) !== null;
  }

  async audit(
    tx: RequestStoreTx,
    type: string,
    actor: string,
    request: RollbackRequest,
    at: Date,
    breakGlass: boolean,
    details: Record<string, unknown>,
  ): Promise<void> {
    await appendRequestAudit(tx, this.deps.ids, { type, actor, request, at, breakGlass, details });
  }
}

/** The store went away between a rollback's commit and its record (decision 040). */
function unrecorded(id: string, commitSha: string): RewindError {
  return unavailable(
    `the database cannot be reached to record rollback request ${id}: its commit ${short(commitSha)} is on the branch, and Rewind ` +
      'records the request as completed once the database is back; do not execute it again',
  );
}
