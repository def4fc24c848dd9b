/**
 * Execution of a claimed rollback request (docs/decisions/010-rollback-requests.md): from `executing`,
 * plan again on the current head, compare with the approved diff, commit with compare-and-swap, and
 * record the outcome (`completed`, `failed`, or `pending` again with approvals dismissed). The request
 * service (rollback-service.ts) decides who may execute and claims the request; this module only runs it.
 */
import { appendRequestAudit } from './request-audit.ts';
import { approvalText, rollbackCommitMessage } from './rollback-commit.ts';
import type { PatchBounds } from './git-patch.ts';
import type { RollbackComputer } from './rollback-compute.ts';
import { conflict, redactServerPaths, RewindError, unavailable } from './errors.ts';
import type { EventBus } from './events.ts';
import type { Clock, CommitLock, IdGenerator, RequestStore, RequestStoreTx, RevisionStore, UserDirectory } from './ports.ts';
import { targetHead } from './history.ts';
import { requiredApprovalsFor } from './rollback-gating.ts';
import { plannedVersions } from './rollback-insight.ts';
import { nothingToRollBack, planOnHead, shortSha as short, type PlannedRollback, type PlanOptions } from './rollback-preview.ts';
import type { RollbackRequest } from './schemas.ts';
import { scopeOf, targetKey, type TargetConfig } from './target-config.ts';
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

export class RollbackExecution {
  constructor(
    private readonly deps: RollbackExecutionDeps,
    /** Plan-and-commit one at a time per branch (decision 027). */
    private readonly lock: CommitLock,
    /** `request.updated` for the request's page, lists and queues. */
    private readonly notify: (request: Pick<RollbackRequest, 'id' | 'tenant' | 'environment'>) => void,
    /** Ends a request whose plan changes nothing any more as `closed` (core/request-closing.ts). */
    private readonly closeNothingToDo?: (request: RollbackRequest, target: TargetConfig, actor: string, baseSha: string) => Promise<RollbackRequest>,
  ) {}

  private get planOptions(): PlanOptions {
    return { compute: this.deps.rollbackComputer, patchBounds: this.deps.patchBounds };
  }

  /**
   * From `executing`: recompute, compare, commit, and record the outcome. The plan is made first,
   * concurrently with other executions; the commit and what it depends on run one at a time.
   */
  async run(claimed: RollbackRequest, target: TargetConfig, actor: string, planned?: PlannedRollback): Promise<RollbackRequest> {
    // A failing plan is made again in the queue, where its failure is recorded.
    const early = planned ?? (await planOnHead(this.deps.revisions, target, claimed, claimed.targetSha, this.planOptions).catch(() => undefined));
    return this.lock.withCommitLock(() => this.runClaimedNow(claimed, target, actor, early));
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

  private async runClaimedNow(claimed: RollbackRequest, target: TargetConfig, actor: string, planned?: PlannedRollback): Promise<RollbackRequest> {
    const { id } = claimed;
    let current: PlannedRollback;
    try {
      current = (await this.stillValid(planned, target)) ?? (await planOnHead(this.deps.revisions, target, claimed, claimed.targetSha, this.planOptions));
    } catch (error) {
      const reason = `the rollback cannot be planned on the current head: ${errorText(error)}`;
      const failed = await this.fail(claimed, actor, reason, { stage: 'plan' });
      if (error instanceof RewindError && error.status < 500) {
        const message = `rollback request ${id} cannot be executed: ${errorText(error)}`;
        // A named rule (a foreign revision, a parse over budget) keeps its status; the rest is a conflict with the head.
        throw error.rule ? new RewindError(error.code, message, error.details) : conflict(message, error.details);
      }
      return failed;
    }

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

    const now = this.deps.clock.now();
    const requester = await this.deps.users.find(claimed.requestedBy);
    const message = rollbackCommitMessage(target, claimed, await this.versionsOf(current, target, claimed));
    let commitSha: string;
    try {
      commitSha = await this.deps.revisions.commit({
        expectedHead: current.head,
        changes: current.plan.changes,
        message,
        author: { name: requester?.name || claimed.requestedBy, email: claimed.requestedBy },
        timestamp: now.toISOString(),
      });
    } catch (error) {
      const isConflict = error instanceof RewindError && error.code === 'CONFLICT';
      const failed = await this.fail(claimed, actor, errorText(error), { stage: 'commit', conflict: isConflict, expectedHead: current.head });
      if (isConflict) {
        throw conflict(`${errorText(error)}: nothing was committed; rollback request ${id} failed and can be executed again`);
      }
      return failed;
    }
    await this.deps.hooks?.afterCommit?.({ requestId: id, commitSha });

    const completed = await this.deps.requests.transaction(async (tx) => {
      const request = (await tx.getRequest(id)) ?? claimed;
      const done: RollbackRequest = { ...request, state: 'completed', commitSha };
      delete done.error;
      await tx.updateRequest(done);
      await this.audit(tx, 'rollback.executed', actor, done, now, await this.flagged(tx, actor, done, now), {
        commitSha,
        baseSha: current.baseSha,
        diffHash: current.diffHash,
        approval: approvalText(claimed),
        affectedServices: current.plan.affectedServices,
      });
      return done;
    }).catch((error: unknown) => {
      // The commit is on the branch, only its record is missing: never "nothing was changed". The
      // request stays `executing`; reconciliation records it from the branch once the store is back.
      if (error instanceof RewindError && error.code === 'UNAVAILABLE') throw unrecorded(id, commitSha);
      throw error;
    });
    this.deps.events?.publish({ type: 'revision.created', tenant: target.tenant, environment: target.environment });
    this.notify(completed);
    return completed;
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
    });
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
    });
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
