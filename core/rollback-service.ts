/**
 * Rollback requests (DESIGN.md "Domain", "Approval binds to content"; API.md "Rollbacks";
 * docs/decisions/010-rollback-requests.md): preview, request, execution, and the reads of the
 * request page. Every rule lives here, over the ports, so the real server (git + SQL) and the mock
 * backend (in-memory) behave identically; the API layer only parses input and maps errors.
 *
 * - A plan is made on the current branch head: `baseSha` is the newest commit touching the target
 *   (the target's head revision, as compare's `head`), the files are read there and at `targetSha`,
 *   and core/rollback-planner.ts computes the new content. `diffHash = hashPlan(baseSha, changes)`.
 *   So the hash changes when the target changes (any commit touching its paths) or the planned
 *   content does, and not when another target's commit moves the branch.
 * - Execution recomputes the plan on the current head. A different hash is a 409: nothing is
 *   committed, the request is `pending` again with the new plan, its reviews stale (approvals
 *   dismissed). The same hash commits with compare-and-swap on the branch head the plan was made on;
 *   a lost race is a 409, nothing committed, the request `failed` (execute again to retry).
 * - The move to `executing` happens in a transaction that checks the state, so concurrent executions
 *   of one request make exactly one commit.
 * - Plan-and-commit runs one at a time per service (one branch, one writer): concurrent rollbacks of
 *   different targets never lose each other's compare-and-swap; only a commit from outside Rewind can.
 * - Every request state change is published on the EventBus (`request.updated`), and a rollback commit
 *   as `revision.created` (docs/decisions/012-approvals.md).
 * - Running a claimed request (plan again, compare, commit, record) is rollback-execution.ts.
 */
import { requestScope } from './transaction-scope.ts';
import { RollbackExecution, type RollbackExecutionDeps, type RollbackHooks } from './rollback-execution.ts';
import type { PlanChange } from './plan-change.ts';
import { PlanChangeCache } from './plan-change-cache.ts';
import { RequestClosing, SYSTEM_ACTOR } from './request-closing.ts';
import { assertDestructiveAllowed } from './destructive-plan.ts';
import { compareRevisions } from './compare.ts';
import { targetHead } from './history.ts';
import { badRequest, conflict, notFound, RewindError } from './errors.ts';
import { REQUEST_ID_PATTERN } from './names.ts';
import { deliveryOf, type NotificationDelivery } from './notification-schemas.ts';
import { InProcessCommitLock } from './in-process-commit-lock.ts';
import type {
  CommitLock,
  FieldDiffer,
  Page,
  RequestFilter,
  RequestStoreTx,
  TargetCatalog,
} from './ports.ts';
import { assertRole, countApprovals, executeRoles, sameEmail } from './review-rules.ts';
import { approvalRequired, assertModeAllowed, requiredApprovalsFor } from './rollback-gating.ts';
import {
  emptyDiff,
  insightOf,
  nothingToRollBack,
  planOnHead,
  previewOf,
  previewRollback,
  resolveTargetSha,
  shortSha as short,
  type PlanOptions,
  type PlannedRollback,
  type RollbackPreview,
  type RollbackRequestDiff,
} from './rollback-preview.ts';
import { checkIdempotencyKey, sameSubmission, validateSelection, type RollbackSelection } from './rollback-validation.ts';
import type { CreateRollbackBody, ListedRequest, RollbackRequest, User } from './schemas.ts';
import { targetKey, type TargetConfig } from './target-config.ts';
import { checkJustification } from './user-text.ts';

/** States a request is closed from when its plan changes nothing any more (nothing to approve or retry). */
const CLOSABLE: readonly RollbackRequest['state'][] = ['pending', 'approved', 'failed'];

export interface ExecuteOptions {
  /** Called with the request once claimed (`executing`), before its commit. */
  onClaimed?: ((claimed: RollbackRequest) => void) | undefined;
  /** The request's target, when the caller read it already. */
  target?: TargetConfig | undefined;
}

export interface RollbackServiceDeps extends RollbackExecutionDeps {
  catalog: TargetCatalog;
  /** Computes the field changes of a completed request's diff; in-process when absent (decision 015). */
  fieldDiffer?: FieldDiffer | undefined;
  /** Commit lock and execution leases (decision 027); in-process when absent. */
  commitLock?: CommitLock | undefined;
}

/** Test seams, defined with execution (they sit in its crash window). */
export type { RollbackHooks };

// --- The service ------------------------------------------------------------------------------------

export class RollbackService {
  /** Plan-and-commit, one at a time (see the header), across replicas with a shared lock. */
  readonly lock: CommitLock;
  /** Runs claimed requests: plan again, compare, commit, record (rollback-execution.ts). */
  private readonly execution: RollbackExecution;
  /** Withdraw, supersede, close, confirm a new plan (request-closing.ts, decision 039). */
  readonly closing: RequestClosing;
  /** Plan changes of listed requests, per (request, branch head) (decision 043). */
  readonly planChanges = new PlanChangeCache();

  constructor(private readonly deps: RollbackServiceDeps) {
    this.lock = deps.commitLock ?? new InProcessCommitLock();
    this.closing = new RequestClosing(deps, () => this.planOptions, (request) => this.notify(request));
    this.execution = new RollbackExecution(deps, this.lock, (request) => this.notify(request), (request, target, actor, baseSha) =>
      this.closing.closeNothingToDo(request, target, actor, baseSha),
    );
  }

  private get planOptions(): PlanOptions {
    return { compute: this.deps.rollbackComputer, patchBounds: this.deps.patchBounds };
  }

  /** `request.updated` for the request's page, lists and queues. */
  notify(request: Pick<RollbackRequest, 'id' | 'tenant' | 'environment'>): void {
    this.deps.events?.publish({ type: 'request.updated', tenant: request.tenant, environment: request.environment, requestId: request.id });
  }

  // --- reads ---

  async requireTarget(tenant: string, environment: string): Promise<TargetConfig> {
    const target = await this.deps.catalog.get(tenant, environment);
    if (!target) throw notFound(`unknown target ${tenant}/${environment}`, { field: 'target' });
    return target;
  }

  private async targetOfRequest(id: string): Promise<TargetConfig> {
    const request = await this.requireRequest(id);
    return this.requireTarget(request.tenant, request.environment);
  }

  async requireRequest(id: string): Promise<RollbackRequest> {
    const request = REQUEST_ID_PATTERN.test(id) ? await this.deps.requests.getRequest(id) : null;
    if (!request) throw notFound(`rollback request ${id} not found`);
    return request;
  }

  /** The request's notifications and where each stands (decision 038), in order of creation. */
  async notifications(id: string): Promise<NotificationDelivery[]> {
    await this.requireRequest(id);
    return (await this.deps.requests.listNotifications(id)).map(deliveryOf);
  }

  /** The change a rollback would commit now (see previewRollback). */
  preview(target: TargetConfig, body: RollbackSelection): Promise<RollbackPreview> {
    return previewRollback(this.deps, target, body);
  }

  /**
   * The request and its diff (see RollbackRequestDiff). A waiting or failed request whose plan now
   * changes nothing is closed here (decision 039); one whose plan differs from the recorded one comes
   * with `planChange`, what changed, for the stale-plan banner.
   */
  async get(id: string): Promise<{ request: RollbackRequest; diff: RollbackRequestDiff; planChange?: PlanChange }> {
    let request = await this.requireRequest(id);
    const target = await this.deps.catalog.get(request.tenant, request.environment);
    if (!target) {
      return { request, diff: { ...emptyDiff(request.baseSha, request.targetSha), diffError: `unknown target ${request.tenant}/${request.environment}` } };
    }
    if (request.state === 'completed' && request.commitSha) {
      return { request, diff: await compareRevisions(this.deps.revisions, target, request.baseSha, request.commitSha, { fieldDiffer: this.deps.fieldDiffer }) };
    }
    try {
      const planned = await planOnHead(this.deps.revisions, target, request, request.targetSha, { ...this.planOptions, withDiff: true });
      if (planned.plan.nothingToRollBack) {
        if (CLOSABLE.includes(request.state)) request = await this.closing.closeNothingToDo(request, target, SYSTEM_ACTOR, planned.baseSha);
        return { request, diff: { ...emptyDiff(planned.baseSha, request.targetSha), diffError: nothingToRollBack(target, request, request.targetSha) } };
      }
      const diff = previewOf(planned);
      if (planned.diffHash !== request.diffHash && (request.state === 'pending' || request.state === 'approved')) {
        return { request, diff, planChange: await this.closing.planChange(target, request, planned) };
      }
      return { request, diff };
    } catch (error) {
      if (!(error instanceof RewindError) || error.status >= 500) throw error;
      return { request, diff: { ...emptyDiff(request.baseSha, request.targetSha), diffError: error.message } };
    }
  }

  /** `POST /api/rollbacks/{id}/withdraw` (core/request-closing.ts). */
  async withdraw(id: string, user: User, reason: unknown): Promise<RollbackRequest> {
    return this.closing.withdraw(await this.requireRequest(id), user, reason);
  }

  /** `POST /api/rollbacks/{id}/confirm-plan`: the requester accepts the plan on the current head. */
  async confirmPlan(id: string, user: User): Promise<RollbackRequest> {
    const request = await this.requireRequest(id);
    return this.closing.confirmPlan(request, await this.requireTarget(request.tenant, request.environment), user);
  }

  /**
   * The plan change of a pending request (null when its plan is the recorded one): approving needs
   * the requester to confirm the new plan first.
   */
  async stalePlan(request: RollbackRequest, target: TargetConfig): Promise<PlanChange | null> {
    // The plan is made from the target's files at its newest commit and at targetSha: while that
    // commit is still the recorded base, the plan and its hash are the recorded ones (execution's
    // stillValid reasons alike, and execution re-plans and re-checks the hash in any case). One
    // cached log instead of reading and parsing the scope on every review (decision 041).
    const newest = await targetHead(this.deps.revisions, target).catch(() => undefined);
    if (newest?.sha === request.baseSha) return null;
    const planned = await planOnHead(this.deps.revisions, target, request, request.targetSha, this.planOptions).catch(() => null);
    // A plan that cannot be made, or changes nothing, is execution's to report (it closes or fails the request).
    if (!planned || planned.plan.nothingToRollBack || planned.diffHash === request.diffHash) return null;
    return this.closing.planChange(target, request, planned);
  }

  list(filter: RequestFilter, cursor: string | null, limit: number): Promise<Page<RollbackRequest>> {
    return this.deps.requests.listRequests(filter, cursor, limit);
  }

  /**
   * A page of requests as lists show them: each pending or approved one whose plan changed carries
   * `planChange` (decision 043), cached per (request, branch head) so a refresh plans nothing new.
   */
  async listWithPlanChanges(filter: RequestFilter, cursor: string | null, limit: number): Promise<Page<ListedRequest>> {
    const page = await this.list(filter, cursor, limit);
    if (!page.items.some((r) => r.state === 'pending' || r.state === 'approved')) return page;
    const head = await this.deps.revisions.branchHead();
    const changes = await this.planChanges.forList(page.items, head, async (request) => {
      const target = await this.deps.catalog.get(request.tenant, request.environment);
      return target ? this.stalePlan(request, target) : null;
    });
    return { ...page, items: page.items.map((r) => (changes.has(r.id) ? { ...r, planChange: changes.get(r.id)! } : r)) };
  }

  // --- writes ---

  /**
   * Creates a request. `created` is false when the Idempotency-Key names an earlier request of this
   * user with the same body: that request is returned as it is now, and nothing else happens.
   * Without approval to wait for, the rollback executes within the call: the request comes back
   * `completed` (with `commitSha`) or `failed` (with `error`); a conflict while committing is a 409.
   */
  async createRequest(
    user: User,
    body: CreateRollbackBody,
    idempotencyKey?: string,
  ): Promise<{ request: RollbackRequest; created: boolean }> {
    const target = await this.requireTarget(body.tenant, body.environment);
    assertRole(user, target.policy.requesters, `requesting a rollback on ${targetKey(target)}`);
    const justification = checkJustification(body.justification);
    const key = idempotencyKey === undefined ? null : checkIdempotencyKey(idempotencyKey);
    if (key !== null) {
      const earlier = await this.idempotentReplay(user, key, body);
      if (earlier) return { request: earlier, created: false };
    }

    const selection = validateSelection(target, body);
    const planned = await planOnHead(this.deps.revisions, target, selection, resolveTargetSha(this.deps.revisions, selection.targetRef), this.planOptions);
    const { targetSha } = planned;
    if (planned.plan.nothingToRollBack) throw badRequest(nothingToRollBack(target, selection, targetSha), { field: 'targetSha', rule: 'nothing-to-roll-back' });
    assertDestructiveAllowed(target, selection, planned.destructive, body.allowDestructive);
    if (body.diffHash !== undefined && body.diffHash !== planned.diffHash) {
      throw conflict(
        `${targetKey(target)} changed since your preview (its head revision is now ${short(planned.baseSha)}): ` +
          'the rollback would commit a different diff; preview it again. Nothing was requested or committed',
      );
    }

    const { hints, versions } = await insightOf(this.deps.revisions, target, selection, planned);
    // Earlier requests this one replaces (decision 039); checked again in the transaction.
    const overlapping = await this.closing.overlapping({ tenant: target.tenant, environment: target.environment, mode: selection.mode, affectedServices: planned.plan.affectedServices });
    const now = this.deps.clock.now();
    // The execution lease (decision 027) is held from the insert on: it may claim the request
    // `executing`, and reconciliation on another replica must leave it alone.
    const id = this.deps.ids.next('rbk-');
    return this.lock.withExecutionLease(id, async () => {
      const outcome = await this.deps.requests.transaction(async (tx) => {
        if (key !== null) {
          // Two submits with one key racing: the second finds the first here.
          const earlier = await this.replayIn(tx, user, key, body);
          if (earlier) return { request: earlier, created: false, superseded: [] };
        }
        const session = await tx.activeBreakGlass(user.email, now);
        const needsApproval = approvalRequired(target);
        const waits = needsApproval && !session;
        const request: RollbackRequest = {
          id,
          tenant: target.tenant,
          environment: target.environment,
          mode: selection.mode,
          targetSha,
          baseSha: planned.baseSha,
          ...(selection.service !== undefined ? { service: selection.service } : {}),
          ...(selection.fields !== undefined ? { fields: selection.fields } : {}),
          justification,
          requestedBy: user.email,
          createdAt: now.toISOString(),
          state: waits ? 'pending' : 'executing',
          requiredApprovals: waits ? requiredApprovalsFor(target) : 0,
          reviews: [],
          breakGlass: needsApproval && session !== null,
          affectedServices: planned.plan.affectedServices,
          diffHash: planned.diffHash,
          notes: [],
          hints,
          versions,
          ...(body.incident !== undefined ? { incident: body.incident } : {}),
        };
        const superseded = await this.closing.supersede(tx, overlapping, request, user.email, now);
        if (superseded.length > 0) request.supersedes = superseded.map((r) => r.id);
        await tx.insertRequest(request);
        if (key !== null) await tx.saveIdempotencyKey(user.email, key, request.id);
        await this.execution.audit(tx, 'rollback.requested', user.email, request, now, session !== null || request.breakGlass, {
          mode: request.mode,
          targetSha: request.targetSha,
          baseSha: request.baseSha,
          ...(request.service !== undefined ? { service: request.service } : {}),
          ...(request.fields !== undefined ? { fields: request.fields.length } : {}),
          diffHash: request.diffHash,
          affectedServices: request.affectedServices,
          requiredApprovals: request.requiredApprovals,
          state: request.state,
          ...(request.incident !== undefined ? { incident: request.incident } : {}),
          ...(request.hints?.length ? { hints: request.hints.map((h) => h.kind) } : {}),
          // A confirmed destructive plan stays visible in the trail.
          ...(planned.destructive ? { destructive: planned.destructive, allowDestructive: true } : {}),
          ...(request.supersedes ? { supersedes: request.supersedes } : {}),
        });
        return { request, created: true, superseded };
      });
      if (outcome.created) {
        this.notify(outcome.request);
        for (const old of outcome.superseded ?? []) this.notify(old);
      }
      if (!outcome.created || outcome.request.state !== 'executing') return { request: outcome.request, created: outcome.created };
      return { request: await this.runAndTidy(outcome.request, target, user.email, planned), created: true };
    });
  }

  /**
   * `POST /api/rollbacks/{id}/execute`: runs a request that is `failed` (retry), `approved` (quorum
   * reached, not yet executed), or `pending` when it needs no approval now (policy, or the requester
   * holding an active break-glass session). Allowed to the target's requesters and approvers.
   */
  async execute(id: string, user: User): Promise<RollbackRequest> {
    const request = await this.requireRequest(id);
    const target = await this.requireTarget(request.tenant, request.environment);
    assertRole(user, executeRoles(target.policy), `executing a rollback on ${targetKey(target)}`);
    return this.executeAs(id, user.email);
  }

  /**
   * Execution without a role check, for callers that checked already (the review that reaches the
   * quorum). Returns the request `completed`, or `failed` with `error` when the commit failed for a
   * reason other than a conflict. Throws 409 when the request is not in a state to execute, when the
   * plan differs from the approved one (then `pending` again, approvals dismissed), and when the
   * branch moved under the commit (then `failed`; nothing committed).
   */
  async executeAs(id: string, actor: string, options: ExecuteOptions = {}): Promise<RollbackRequest> {
    // The execution lease (decision 027): from the claim to the recorded outcome.
    return this.lock.withExecutionLease(id, () => this.claimAndRun(id, actor, options));
  }

  private async claimAndRun(id: string, actor: string, { onClaimed, target: known }: ExecuteOptions): Promise<RollbackRequest> {
    // A caller that knows the target (the review that reached the quorum) spares a read of the
    // request: the claim's own read is the only one (decision 058).
    const target: TargetConfig = known ?? (await this.targetOfRequest(id));
    const now = this.deps.clock.now();
    const claimed = await this.deps.requests.transaction(async (tx) => {
      const request = await tx.getRequest(id);
      if (!request) throw notFound(`rollback request ${id} not found`);
      assertModeAllowed(target, request.mode);
      let { breakGlass, requiredApprovals } = request;
      switch (request.state) {
        case 'approved':
        case 'failed':
          break;
        case 'pending': {
          // What applies now: the target's policy, or the requester's own active break-glass session.
          breakGlass = false;
          requiredApprovals = 0;
          if (approvalRequired(target)) {
            const isRequester = sameEmail(actor, request.requestedBy);
            const session = isRequester ? await tx.activeBreakGlass(actor, now) : null;
            if (!session) {
              const approvals = countApprovals(request);
              throw conflict(
                `rollback request ${id} is waiting for approval (${approvals}/${requiredApprovalsFor(target)}): it executes when the quorum is reached`,
              );
            }
            breakGlass = true;
          }
          break;
        }
        case 'executing':
          throw conflict(`rollback request ${id} is already executing`);
        case 'completed':
          throw conflict(`rollback request ${id} is already completed (commit ${short(request.commitSha ?? '')})`);
        case 'rejected':
          throw conflict(`rollback request ${id} was rejected: it cannot be executed`);
        case 'withdrawn':
        case 'superseded':
        case 'closed':
          throw conflict(`rollback request ${id} is ${request.state}: it cannot be executed${request.closedReason ? ` (${request.closedReason})` : ''}`);
      }
      const next: RollbackRequest = { ...request, state: 'executing', breakGlass, requiredApprovals };
      delete next.error;
      await tx.updateRequest(next);
      return next;
    }, requestScope(id));
    this.notify(claimed);
    onClaimed?.(claimed);
    return this.runAndTidy(claimed, target, actor);
  }

  /** Runs a claimed request; after a commit, the target's requests left with nothing to do are closed. */
  /** Runs a request claimed elsewhere (a review that claimed it at the quorum, under this lease). */
  runClaimed(claimed: RollbackRequest, target: TargetConfig, actor: string): Promise<RollbackRequest> {
    return this.runAndTidy(claimed, target, actor);
  }

  private async runAndTidy(claimed: RollbackRequest, target: TargetConfig, actor: string, planned?: PlannedRollback): Promise<RollbackRequest> {
    const result = await this.execution.run(claimed, target, actor, planned);
    if (result.state === 'completed') await this.closing.closeEmptyAfterCommit(target, result).catch(() => undefined);
    return result;
  }

  // --- internals ---

  private async idempotentReplay(user: User, key: string, body: CreateRollbackBody): Promise<RollbackRequest | null> {
    // A read, but through a transaction: RequestStore exposes idempotency keys only there.
    return this.deps.requests.transaction((tx) => this.replayIn(tx, user, key, body));
  }

  private async replayIn(tx: RequestStoreTx, user: User, key: string, body: CreateRollbackBody): Promise<RollbackRequest | null> {
    const id = await tx.findByIdempotencyKey(user.email, key);
    if (id === null) return null;
    const earlier = await tx.getRequest(id);
    if (!earlier) return null;
    if (!sameSubmission(earlier, body)) {
      throw conflict(`Idempotency-Key ${key} was already used for a different rollback request (${earlier.id}); use a new key for a new request`);
    }
    return earlier;
  }

}
