/**
 * Requests that end without a commit, and plans their requester confirms again (decision 039):
 * withdraw (`rollback.withdrawn`), supersede (`rollback.superseded`), close when there is nothing left
 * to roll back (`rollback.closed`), and confirm the plan on the current head (`rollback.plan-confirmed`).
 * Every change is a transaction that checks the state it starts from, with its audit event.
 */
import { requestScope } from './transaction-scope.ts';
import { appendRequestAudit } from './request-audit.ts';
import { conflict, forbidden, notFound } from './errors.ts';
import type { IdGenerator, RequestStore, RequestStoreTx, Clock, RevisionStore } from './ports.ts';
import { describePlanChange, type PlanChange } from './plan-change.ts';
import { supersededBy, withdrawPermission, type RequestScope } from './request-lifecycle.ts';
import { sameEmail } from './review-rules.ts';
import type { RollbackComputer } from './rollback-compute.ts';
import { requiredApprovalsFor } from './rollback-gating.ts';
import { nothingToRollBack, planOnHead, shortSha as short, type PlannedRollback, type PlanOptions } from './rollback-preview.ts';
import type { RequestState, RollbackRequest, User } from './schemas.ts';
import type { TargetConfig } from './target-config.ts';
import { checkUserText } from './user-text.ts';

export interface RequestClosingDeps {
  revisions: RevisionStore;
  requests: RequestStore;
  clock: Clock;
  ids: IdGenerator;
  rollbackComputer?: RollbackComputer | undefined;
}

/** The actor of what Rewind does by itself (closing a request with nothing left to do). */
export const SYSTEM_ACTOR = 'rewind';

/** How many earlier requests of a target a submit or a completed rollback looks at. */
const SCAN_LIMIT = 100;

export class RequestClosing {
  constructor(
    private readonly deps: RequestClosingDeps,
    private readonly planOptions: () => PlanOptions,
    private readonly notify: (request: RollbackRequest) => void,
  ) {}

  /** `POST /api/rollbacks/{id}/withdraw`: the requester or an admin, while pending or approved. */
  async withdraw(request: RollbackRequest, user: User, reasonText: unknown): Promise<RollbackRequest> {
    const reason = checkUserText(reasonText, { field: 'reason', label: 'reason', required: 'reason must be text', isRequired: false });
    const permission = withdrawPermission(request, user);
    if (!permission.allowed) throw permission.refusal === 'who' ? forbidden(permission.reason) : conflict(permission.reason);
    const now = this.deps.clock.now();
    const withdrawn = await this.deps.requests.transaction(async (tx) => {
      const stored = await this.require(tx, request.id);
      const permission = withdrawPermission(stored, user);
      if (!permission.allowed) throw conflict(permission.reason);
      const next: RollbackRequest = { ...stored, state: 'withdrawn', closedReason: `Withdrawn by ${user.email}${reason ? `: ${reason}` : ''}` };
      await tx.updateRequest(next);
      await this.audit(tx, 'rollback.withdrawn', user.email, next, now, { previousState: stored.state, ...(reason ? { reason } : {}) });
      return next;
    }, requestScope(request.id));
    this.notify(withdrawn);
    return withdrawn;
  }

  /** The earlier requests a new one on `scope` would supersede (the wizard shows the same list). */
  async overlapping(scope: RequestScope): Promise<RollbackRequest[]> {
    const filter = { tenant: scope.tenant, environment: scope.environment };
    const [open, failed] = await Promise.all([
      this.deps.requests.listRequests({ ...filter, open: true }, null, SCAN_LIMIT),
      this.deps.requests.listRequests({ ...filter, state: 'failed' }, null, SCAN_LIMIT),
    ]);
    return supersededBy(scope, [...open.items, ...failed.items]);
  }

  /** Within the new request's transaction: the overlapping ones still waiting become `superseded`. */
  async supersede(tx: RequestStoreTx, candidates: readonly RollbackRequest[], by: RollbackRequest, actor: string, now: Date): Promise<RollbackRequest[]> {
    const superseded: RollbackRequest[] = [];
    for (const candidate of candidates) {
      const stored = await tx.getRequest(candidate.id);
      if (!stored || supersededBy(by, [stored]).length === 0) continue;
      const next: RollbackRequest = {
        ...stored,
        state: 'superseded',
        supersededBy: by.id,
        closedReason: `Superseded by ${by.id}, requested by ${by.requestedBy}`,
      };
      await tx.updateRequest(next);
      await this.audit(tx, 'rollback.superseded', actor, next, now, { previousState: stored.state, supersededBy: by.id });
      superseded.push(next);
    }
    return superseded;
  }

  /** Closes a request whose plan changes nothing any more; returns it as stored after. */
  async closeNothingToDo(request: RollbackRequest, target: TargetConfig, actor: string, baseSha: string): Promise<RollbackRequest> {
    const reason = nothingToRollBack(target, request, request.targetSha);
    const now = this.deps.clock.now();
    const closed = await this.deps.requests.transaction(async (tx) => {
      const stored = await this.require(tx, request.id);
      if (stored.state !== request.state) return stored;
      const next: RollbackRequest = { ...stored, state: 'closed', closedReason: `Closed: ${reason}` };
      delete next.error;
      await tx.updateRequest(next);
      await this.audit(tx, 'rollback.closed', actor, next, now, { previousState: stored.state, reason, baseSha });
      return next;
    }, requestScope(request.id));
    if (closed.state === 'closed') this.notify(closed);
    return closed;
  }

  /**
   * After a rollback committed on `target`: the target's other waiting or failed requests whose plan
   * now changes nothing are closed, so nobody approves or retries what cannot do anything.
   */
  async closeEmptyAfterCommit(target: TargetConfig, committed: RollbackRequest): Promise<void> {
    const candidates = await this.overlapping({ tenant: target.tenant, environment: target.environment, mode: 'full', affectedServices: [] });
    for (const request of candidates) {
      if (request.id === committed.id) continue;
      const planned = await planOnHead(this.deps.revisions, target, request, request.targetSha, this.planOptions()).catch(() => null);
      if (planned?.plan.nothingToRollBack) await this.closeNothingToDo(request, target, SYSTEM_ACTOR, planned.baseSha);
    }
  }

  /** The plan on the head differs from the recorded one: what changed, for the banner and the 409. */
  planChange(target: TargetConfig, request: RollbackRequest, current: PlannedRollback): Promise<PlanChange> {
    return describePlanChange(this.deps, target, request, current);
  }

  /**
   * `POST /api/rollbacks/{id}/confirm-plan`: the requester accepts the plan as it is on the current
   * head. The request records the new base and hash, is `pending` again with the quorum of the policy,
   * and every review so far is stale: approvers review what will be committed.
   */
  async confirmPlan(request: RollbackRequest, target: TargetConfig, user: User): Promise<RollbackRequest> {
    if (!sameEmail(request.requestedBy, user.email)) {
      throw forbidden(`only the requester (${request.requestedBy}) may confirm the new plan of rollback request ${request.id}`);
    }
    const confirmable: readonly RequestState[] = ['pending', 'approved'];
    if (!confirmable.includes(request.state)) throw conflict(`rollback request ${request.id} is ${request.state}: only a pending or approved request has a plan to confirm`);
    const current = await planOnHead(this.deps.revisions, target, request, request.targetSha, this.planOptions());
    if (current.plan.nothingToRollBack) return this.closeNothingToDo(request, target, user.email, current.baseSha);
    if (current.diffHash === request.diffHash) return request;
    const change = await this.planChange(target, request, current);
    const now = this.deps.clock.now();
    const confirmed = await this.deps.requests.transaction(async (tx) => {
      const stored = await this.require(tx, request.id);
      if (!confirmable.includes(stored.state)) throw conflict(`rollback request ${request.id} is ${stored.state}: only a pending or approved request has a plan to confirm`);
      if (stored.diffHash !== request.diffHash) throw conflict(`the plan of rollback request ${request.id} changed meanwhile: look at it again`);
      const next: RollbackRequest = {
        ...stored,
        state: 'pending',
        baseSha: current.baseSha,
        diffHash: current.diffHash,
        affectedServices: current.plan.affectedServices,
        requiredApprovals: requiredApprovalsFor(target),
        reviews: stored.reviews.map((r) => ({ ...r, stale: true })),
      };
      await tx.updateRequest(next);
      await tx.markReviewsStale(request.id);
      await this.audit(tx, 'rollback.plan-confirmed', user.email, next, now, {
        previousBaseSha: stored.baseSha,
        previousDiffHash: stored.diffHash,
        baseSha: current.baseSha,
        diffHash: current.diffHash,
        changes: change.changes,
        dismissedReviews: stored.reviews.filter((r) => !r.stale).length,
      });
      return next;
    }, requestScope(request.id));
    this.notify(confirmed);
    return confirmed;
  }

  /** 409 for an approval of a plan that is not the one on the head, naming what changed. */
  staleRefusal(request: RollbackRequest, change: PlanChange): Error {
    return conflict(
      `the plan of rollback request ${request.id} changed since ${request.requestedBy} confirmed it on ${short(request.baseSha)}: ` +
        `${change.changes.join('; ')}. It cannot be approved until the requester confirms the new plan. Nothing was recorded`,
    );
  }

  private async require(tx: RequestStoreTx, id: string): Promise<RollbackRequest> {
    const stored = await tx.getRequest(id);
    if (!stored) throw notFound(`rollback request ${id} not found`);
    return stored;
  }

  private async audit(tx: RequestStoreTx, type: string, actor: string, request: RollbackRequest, at: Date, details: Record<string, unknown>): Promise<void> {
    const session = actor === SYSTEM_ACTOR ? null : await tx.activeBreakGlass(actor, at);
    await appendRequestAudit(tx, this.deps.ids, { type, actor, request, at, breakGlass: request.breakGlass || session !== null, details });
  }
}
