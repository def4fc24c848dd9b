/**
 * Approvals, notes and post-rollback verification (DESIGN.md "Domain"; API.md "Rollbacks";
 * docs/decisions/012-approvals.md). One code path for every caller, over the ports, so the real server
 * and the mock backend enforce the same rules with the same words:
 *
 * - Reviews: only roles of the target policy's `approvers`; never one's own request while the policy
 *   blocks it, nor while the reviewer holds an active break-glass session (emails compared
 *   case-insensitively); one review per approver (stale reviews, dismissed when the diff changed, do not
 *   count); only while `pending`. A reject ends the request (`rejected`); the approve that reaches the
 *   quorum (non-stale approvals) makes it `approved` and executes it within the same call through
 *   RollbackService.executeAs (plan recomputed, content binding, compare-and-swap commit); with
 *   `Prefer: respond-async` it claims the request in its own transaction instead, under the
 *   execution lease, and the commit follows in the background (decisions 049, 058).
 * - The quorum check, the state change and the audit event are one transaction: of two approvers racing
 *   for the last slot, one reaches the quorum, the other finds the request no longer pending. Only the
 *   first executes, and the move to `executing` is itself a checked transaction: one commit.
 * - Notes: post-rollback notes, audited (`rollback.note-added`).
 * - Verification of a completed request: the commit still on the branch, the affected services' sync
 *   and health from ClusterStatus, and whether the rolled-back files changed since (drift).
 */
import { requestScope } from './transaction-scope.ts';
import { appendRequestAudit } from './request-audit.ts';
import { badRequest, conflict, forbidden, MESSAGES, notFound, RewindError } from './errors.ts';
import type { EventBus } from './events.ts';
import { GroupCommitQueue, type BatchOutcome } from './group-commit.ts';
import type { Clock, ClusterStatus, IdGenerator, RequestStore, RequestStoreTx, RevisionStore } from './ports.ts';
import { modeDenial } from './rollback-gating.ts';
import { assertRole, countApprovals, isSelfReviewBlocked, noteRoles, quorumOf, reviewBy, sameEmail } from './review-rules.ts';
import type { RollbackService } from './rollback-service.ts';
import {
  type Review,
  type RollbackRequest,
  type User,
  type Verification,
} from './schemas.ts';
import type { ServiceStatus } from './cluster-schemas.ts';
import { NoClusterStatus } from './no-cluster-status.ts';
import { commitTime, describeRollout } from './rollout.ts';
import { scopeOf, targetKey, type TargetConfig } from './target-config.ts';
import { checkUserText } from './user-text.ts';

export interface ApprovalServiceDeps {
  rollbacks: RollbackService;
  revisions: RevisionStore;
  requests: RequestStore;
  clock: Clock;
  ids: IdGenerator;
  cluster?: ClusterStatus | undefined;
  events?: EventBus | undefined;
  /** An execution answered before its commit ended in an error nobody waits for (decision 049). */
  onBackgroundError?: ((error: unknown, requestId: string) => void) | undefined;
}

export interface ReviewInput {
  decision: 'approve' | 'reject';
  comment?: string | undefined;
}

export interface ReviewOptions {
  /**
   * Answer the review that reaches the quorum as soon as the request is claimed (`executing`) and
   * commit in the background: the outcome reaches clients through live updates and the request
   * (`Prefer: respond-async`, decision 049). Otherwise the answer waits for the commit.
   */
  respondAsync?: boolean;
}

/** A note as stored: exactly the text sent; the rule is core/user-text.ts's. */
export function checkNoteText(text: unknown): string {
  return checkUserText(text, { field: 'text', label: 'note', required: 'note text is required' });
}

/** A review comment may be empty; it is never longer than a justification. */
export function checkReviewComment(comment: unknown): string {
  return checkUserText(comment, { field: 'comment', label: 'comment', required: 'comment must be text', isRequired: false });
}

/** A review waiting for its request's next review transaction. */
interface ReviewJob {
  user: User;
  target: TargetConfig;
  decision: ReviewInput['decision'];
  comment: string;
  now: Date;
  /** A respond-async approval: when it reaches the quorum in a batch holding the execution lease, it claims the request. */
  claimAtQuorum: boolean;
  /** The request as this review read it before queueing (for the batch's guess at the quorum). */
  seen: RollbackRequest;
}

/** Per request with reviews in flight: the queue for its next review transaction, and what the last one left. */
interface ReviewQueue {
  queue: GroupCommitQueue<ReviewJob, RollbackRequest>;
  last: RollbackRequest | null;
}

/** Why a review may not be recorded on the request as it stands (checked in this order), or null. */
function refusalOf(request: RollbackRequest, { user, target }: ReviewJob, underBreakGlass: boolean): RewindError | null {
  if (isSelfReviewBlocked(request, user.email, target.policy, underBreakGlass)) return forbidden(MESSAGES.selfReview);
  if (reviewBy(request, user.email)) return conflict(MESSAGES.alreadyReviewed);
  if (request.state !== 'pending') return badRequest(MESSAGES.notPendingApproval);
  return null;
}

/**
 * Whether a batch may reach the quorum with a respond-async approval in it: the approvals the freshest
 * read showed (what the last batch left, or the reviews' own reads), plus the batch's approvals. A
 * guess either way costs little: too high, a lease taken and given back; too low, the claim after.
 */
function mayReachQuorum(last: RollbackRequest | null, jobs: readonly ReviewJob[]): boolean {
  if (!jobs.some((job) => job.claimAtQuorum)) return false;
  if (last && last.state !== 'pending') return false;
  const seen = [...(last ? [last] : []), ...jobs.map((job) => job.seen)];
  const approvals = Math.max(...seen.map(countApprovals));
  return approvals + jobs.filter((job) => job.decision === 'approve').length >= quorumOf(jobs[0]!.seen);
}

/** Whether `job`, let through on `request`, is the approval that reaches its quorum. */
function reachesQuorum(request: RollbackRequest, job: ReviewJob): boolean {
  return job.decision === 'approve' && countApprovals(request) + 1 >= quorumOf(request);
}

/** Review batches need no lock of their own: the store's transaction on the request orders them. */
const IN_ORDER = { withCommitLock: <T>(work: () => Promise<T>) => work() };

export class ApprovalService {
  /** Per request with reviews in flight: the queue for its next review transaction. */
  private readonly reviewQueues = new Map<string, ReviewQueue>();

  constructor(private readonly deps: ApprovalServiceDeps) {}

  /**
   * `POST /api/rollbacks/{id}/reviews`. Order of checks: the request (404), the reviewer's role (403
   * naming the roles), one's own request (403), one review per approver (409), pending (400). Returns
   * the request as the review left it: `pending`, `rejected`, or, when the review reached the quorum,
   * as execution left it (`completed`). When that commit fails the review stays, the request is
   * `failed` and this throws 500 EXECUTION_FAILED; a conflict (the diff changed: approvals dismissed;
   * the branch moved) is the 409 of execution.
   */
  async review(id: string, user: User, input: ReviewInput, options: ReviewOptions = {}): Promise<RollbackRequest> {
    const { rollbacks, requests, clock } = this.deps;
    const stored = await rollbacks.requireRequest(id);
    const target = await rollbacks.requireTarget(stored.tenant, stored.environment);
    assertRole(user, target.policy.approvers, `reviewing a rollback on ${targetKey(target)}`);
    const comment = checkReviewComment(input.comment);
    // Most reviews after a quorum end here: a request that was not pending when read takes no review,
    // and what the transaction would answer at that moment is already known without one (decision
    // 052) — unless the reviewer is the requester (self-review comes first, and needs their
    // break-glass session) or reviewed it already (409 comes first). The transaction checks again.
    if (stored.state !== 'pending' && !sameEmail(stored.requestedBy, user.email) && !reviewBy(stored, user.email)) {
      throw badRequest(MESSAGES.notPendingApproval);
    }
    // An approval binds to the plan its requester confirmed (decision 039): when the head moved the
    // plan, nobody approves before the requester confirms the new one.
    if (input.decision === 'approve' && stored.state === 'pending') {
      const change = await rollbacks.stalePlan(stored, target);
      if (change) throw rollbacks.closing.staleRefusal(stored, change);
    }
    const now = clock.now();
    // A respond-async approval that reaches the quorum claims the request in its own transaction and
    // is answered `executing` (decision 058): its batch tries the execution lease alongside.
    const claimAtQuorum = Boolean(options.respondAsync) && input.decision === 'approve' && modeDenial(target, stored.mode) === null;
    const reviewed = await this.record(id, { user, target, decision: input.decision, comment, now, claimAtQuorum, seen: stored });
    rollbacks.notify(reviewed);
    // `executing`: claimed at the quorum, its execution under way in the background.
    if (reviewed.state !== 'approved') return reviewed;

    // The quorum reached without the lease (someone else held it): claimed now, the plain way.
    let executed: RollbackRequest;
    try {
      executed = options.respondAsync ? await this.executeInBackground(id, user.email, target) : await rollbacks.executeAs(id, user.email, { target });
    } catch (error) {
      // Someone's `POST .../execute` claimed the approved request first: it runs there, once.
      if (error instanceof RewindError && error.code === 'CONFLICT') {
        const now = await requests.getRequest(id);
        if (now && (now.state === 'executing' || now.state === 'completed' || now.state === 'closed')) return now;
      }
      throw error;
    }
    if (executed.state === 'failed') throw new RewindError('EXECUTION_FAILED', MESSAGES.executionFailed);
    return executed;
  }

  /**
   * The review, checked (self-review, one per approver, pending), recorded with the state it leads to,
   * and audited in one transaction. Reviews of one request that queue meanwhile share the next
   * transaction (decision 055).
   */
  private record(id: string, job: ReviewJob): Promise<RollbackRequest> {
    let entry = this.reviewQueues.get(id);
    if (!entry) {
      const created: ReviewQueue = { queue: new GroupCommitQueue<ReviewJob, RollbackRequest>(IN_ORDER, (jobs) => this.recordAll(id, created, jobs)), last: null };
      this.reviewQueues.set(id, created);
      entry = created;
    }
    const current = entry;
    const answer = current.queue.submit(job);
    const forget = () => {
      if (this.reviewQueues.get(id) === current && current.queue.idle) this.reviewQueues.delete(id);
    };
    answer.then(forget, forget);
    return answer;
  }

  /**
   * A batch that may reach the quorum with a respond-async approval in it tries the request's
   * execution lease alongside its transaction (decision 058): when the lease was got, the approval
   * reaching the quorum claims the request there (`executing`), the batch is answered, and the
   * execution goes on under the lease. Earlier (decision 052) only an approval whose own read foresaw
   * the quorum took the lease, first; under load most reads were older than the reviews recorded
   * meanwhile, and the approval reaching the quorum then took the lease and a claim transaction after
   * its own. When someone else holds the lease (an execution, a peer's batch), the quorum leaves the
   * request `approved`: its reviewer claims it after, as a synchronous review does.
   */
  private async recordAll(id: string, entry: ReviewQueue, jobs: readonly ReviewJob[]): Promise<BatchOutcome<RollbackRequest>[]> {
    if (!mayReachQuorum(entry.last, jobs)) return this.recordBatch(id, entry, jobs, null);
    const { rollbacks } = this.deps;
    const lease = this.tryLeaseAlongside(id);
    let afterwards: (() => Promise<unknown>) | null = null;
    try {
      const outcomes = await this.recordBatch(id, entry, jobs, lease.held);
      const claimed = outcomes.findIndex((outcome) => outcome.status === 'fulfilled' && outcome.value.state === 'executing');
      const outcome = outcomes[claimed];
      if (outcome?.status === 'fulfilled') afterwards = () => rollbacks.runClaimed(outcome.value, jobs[claimed]!.target, jobs[claimed]!.user.email);
      return outcomes;
    } finally {
      lease.finish(afterwards);
    }
  }

  /**
   * The request's execution lease, tried now: `held` says whether it was taken (a try never waits for
   * its holder, so a transaction holding the request's lock may wait for the answer); `finish` runs the
   * claimed execution under it, if any, and gives it back. Its errors come after the answer: they go to
   * `onBackgroundError` (the request records its outcome). A try that fails is a lease not held.
   */
  private tryLeaseAlongside(id: string): { held: Promise<boolean>; finish: (work: (() => Promise<unknown>) | null) => void } {
    let held!: (value: boolean) => void;
    let finish!: (work: (() => Promise<unknown>) | null) => void;
    const heldAnswer = new Promise<boolean>((resolve) => (held = resolve));
    const finished = new Promise<(() => Promise<unknown>) | null>((resolve) => (finish = resolve));
    this.deps.rollbacks.lock
      .tryExecutionLease(id, async () => {
        held(true);
        const work = await finished;
        try {
          await work?.();
        } catch (error) {
          this.deps.onBackgroundError?.(error, id);
        }
      })
      .then(
        (attempt) => attempt.acquired || held(false),
        () => held(false),
      );
    return { held: heldAnswer, finish };
  }

  /**
   * Reviews of one request in one transaction, in the order they came: each answered as if it ran
   * alone after the ones before it (the request as it left it, or its refusal, which writes nothing).
   * A failure of the store fails them all: none was recorded. `leased`: whether the batch holds the
   * request's execution lease (asked only when an approval reaches the quorum), so that it may claim it.
   */
  private async recordBatch(id: string, entry: ReviewQueue, jobs: readonly ReviewJob[], leased: Promise<boolean> | null): Promise<BatchOutcome<RollbackRequest>[]> {
    let left: RollbackRequest | null = null;
    const outcomes = await this.deps.requests.transaction(async (tx) => {
      let request = await tx.getRequest(id);
      if (!request) return jobs.map((): BatchOutcome<RollbackRequest> => ({ status: 'rejected', reason: notFound(`rollback request ${id} not found`) }));
      // The reviewers' sessions in one read: nothing the batch writes changes them.
      const sessions = await tx.activeBreakGlassOf(jobs.map((job) => ({ user: job.user.email, now: job.now })));
      const outcomes: BatchOutcome<RollbackRequest>[] = [];
      for (const [i, job] of jobs.entries()) {
        const session = sessions[i] ?? null;
        // A refusal writes nothing and leaves the others be; an error of the store ends them all.
        const refusal = refusalOf(request, job, session !== null);
        if (refusal) {
          outcomes.push({ status: 'rejected', reason: refusal });
          continue;
        }
        const claim = job.claimAtQuorum && leased !== null && reachesQuorum(request, job) && (await leased);
        request = await this.recordIn(tx, request, job, session !== null, claim);
        outcomes.push({ status: 'fulfilled', value: request });
      }
      left = request;
      return outcomes;
    }, requestScope(id));
    // What the next batch guesses from: only what was committed.
    entry.last = left;
    return outcomes;
  }

  /** A review that `refusalOf` let through, recorded and audited; the request as it leaves it. */
  private async recordIn(tx: RequestStoreTx, request: RollbackRequest, { user, decision, comment, now }: ReviewJob, underBreakGlass: boolean, claimAtQuorum: boolean): Promise<RollbackRequest> {
    const review: Review = { by: user.email, decision, comment, at: now.toISOString(), stale: false };
    await tx.addReview(request.id, review);
    const next: RollbackRequest = { ...request, reviews: [...request.reviews, review] };
    const approvals = countApprovals(next);
    const quorum = quorumOf(request);
    const quorumReached = decision === 'approve' && approvals >= quorum;
    if (decision === 'reject') next.state = 'rejected';
    else if (quorumReached) next.state = claimAtQuorum ? 'executing' : 'approved';
    if (quorumReached) delete next.error;
    if (next.state !== request.state) await tx.updateRequest(next);
    await this.audit(tx, 'rollback.reviewed', user.email, next, now, request.breakGlass || underBreakGlass, {
      decision,
      comment,
      approvals,
      requiredApprovals: quorum,
      // What the review decided: `approved` also when the request went on to `executing` at once.
      state: quorumReached ? 'approved' : next.state,
      ...(quorumReached ? { quorumReached: true } : {}),
    });
    return next;
  }

  /**
   * The request as claimed (`executing`), its execution going on under its lease; or, when the
   * execution ends before a claim (someone else's claim first, a mode no longer allowed), its outcome.
   * Whatever the execution ends with is recorded on the request by execution itself (decision 049).
   */
  private executeInBackground(id: string, actor: string, target: TargetConfig): Promise<RollbackRequest> {
    return this.answerEarly(id, (answer) => this.deps.rollbacks.executeAs(id, actor, { onClaimed: answer, target }), (outcome) => outcome);
  }

  /**
   * `work`'s early `answer`, or, when it ends without one, `unanswered(outcome)`. An error after the
   * answer has nobody waiting for it: it goes to `onBackgroundError` (the request records its outcome).
   */
  private answerEarly<T, A>(id: string, work: (answer: (value: A) => void) => Promise<T>, unanswered: (outcome: T) => A): Promise<A> {
    return new Promise<A>((resolve, reject) => {
      let answered = false;
      work((value) => {
        answered = true;
        resolve(value);
      }).then(
        (outcome) => (answered ? undefined : resolve(unanswered(outcome))),
        (error: unknown) => (answered ? this.deps.onBackgroundError?.(error, id) : reject(error)),
      );
    });
  }

  /**
   * `POST /api/rollbacks/{id}/notes`: a note on the request, in any state, by anyone the target's
   * policy gives a role in rollbacks (requesters, approvers, break-glass).
   */
  async addNote(id: string, user: User, text: unknown): Promise<RollbackRequest> {
    const { rollbacks, requests, clock } = this.deps;
    const stored = await rollbacks.requireRequest(id);
    const target = await rollbacks.requireTarget(stored.tenant, stored.environment);
    assertRole(user, noteRoles(target.policy), `adding a note to a rollback on ${targetKey(target)}`);
    const body = checkNoteText(text);
    const now = clock.now();
    const noted = await requests.transaction(async (tx) => {
      const request = await tx.getRequest(id);
      if (!request) throw notFound(`rollback request ${id} not found`);
      const note = { by: user.email, text: body, at: now.toISOString() };
      await tx.addNote(id, note);
      const session = await tx.activeBreakGlass(user.email, now);
      await this.audit(tx, 'rollback.note-added', user.email, request, now, session !== null, { text: body, state: request.state });
      return { ...request, notes: [...request.notes, note] };
    }, requestScope(id));
    rollbacks.notify(noted);
    return noted;
  }

  /** The verification of a completed request (null for any other state or an unknown target). */
  async verify(request: RollbackRequest): Promise<Verification | null> {
    if (request.state !== 'completed' || !request.commitSha) return null;
    const target = await this.deps.rollbacks.requireTarget(request.tenant, request.environment).catch(() => null);
    if (!target) return null;
    const { revisions, cluster } = this.deps;
    const commitSha = request.commitSha;
    const [head, onBranch] = await Promise.all([revisions.branchHead(), revisions.resolveCommit(commitSha)]);
    const commitOnBranch = onBranch === commitSha;
    const scope = scopeOf(target, request);
    let drift = true;
    if (commitOnBranch && head) {
      // Commits touching the scope since the rollback; only then are the files compared (a change
      // undone again is no drift).
      const since = head === commitSha ? [] : await revisions.range({ paths: scope, since: commitSha, until: head });
      drift = since.length > 0 && (await revisions.diff({ paths: scope, from: commitSha, to: head })).length > 0;
    }
    const clusterStatus = cluster ?? new NoClusterStatus();
    const status = await clusterStatus.status(target, head);
    const services = request.affectedServices.map(
      (name): ServiceStatus => status.services.find((s) => s.name === name) ?? { name, health: 'unknown', sync: 'unknown', reason: 'the agent reports nothing for this service' },
    );
    const committedAt = await commitTime(revisions, target.layout.paths, commitSha, request.createdAt);
    const rollout = await describeRollout({ revisions, cluster: clusterStatus, target, status, commitSha, committedAt, now: this.deps.clock.now() });
    return { commitOnBranch, services, drift, rollout };
  }

  private async audit(
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
