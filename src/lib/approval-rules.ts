import type { BreakGlass, Role, RollbackRequest, Target, User } from '#core/schemas.ts';

/**
 * The browser's copy of the approval rules of core/approval-service.ts, as far as the API exposes
 * them: it decides what to *offer* (the queue, the Approve button), the server decides what is allowed.
 * API.md's Target carries the quorum and self-approval blocking but not the policy's role lists, so
 * the roles are the defaults every target uses unless configured otherwise (server/config).
 */
export const APPROVER_ROLES: readonly Role[] = ['approver', 'admin'];
export const BREAK_GLASS_ROLES: readonly Role[] = ['break-glass', 'admin'];
/** Notes: anyone with a part in rollbacks (requesters, approvers, break-glass). */
export const NOTE_ROLES: readonly Role[] = ['requester', 'approver', 'break-glass', 'admin'];

export const hasAnyRole = (user: Pick<User, 'roles'>, roles: readonly Role[]) => user.roles.some((role) => roles.includes(role));

export const sameEmail = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Approvals that count: non-stale approve reviews. */
export function countApprovals(request: Pick<RollbackRequest, 'reviews'>): number {
  return request.reviews.filter((review) => review.decision === 'approve' && !review.stale).length;
}

/** The quorum a pending request waits for (at least one: a pending request always waits for someone). */
export function quorumOf(request: Pick<RollbackRequest, 'requiredApprovals'>): number {
  return Math.max(1, request.requiredApprovals);
}

export function isBreakGlassActive(session: BreakGlass | null | undefined, now: number): session is BreakGlass {
  return session != null && Date.parse(session.expiresAt) > now;
}

export type ReviewEligibility =
  | { kind: 'can-review' }
  /** Shown as disabled buttons with the reason: the person expects to act here and must learn why not. */
  | { kind: 'own'; reason: string }
  | { kind: 'no-role'; reason: string }
  | { kind: 'reviewed'; reason: string }
  | { kind: 'not-pending' };

export interface Reviewer {
  user: User;
  breakGlass: BreakGlass | null;
}

/**
 * Whether `reviewer` may review `request` now, in the server's terms. Own requests come first (the
 * server checks the role first, but "this is your own request" is the reason a requester needs).
 */
export function reviewEligibility(
  request: RollbackRequest,
  reviewer: Reviewer,
  target: Pick<Target, 'policy'> | undefined,
  now: number,
): ReviewEligibility {
  if (request.state !== 'pending') return { kind: 'not-pending' };
  const { user } = reviewer;
  if (sameEmail(request.requestedBy, user.email)) {
    // Unknown target: assume the default, blocking (the server answers if not).
    const blocked = (target?.policy.blockSelfApproval ?? true) || isBreakGlassActive(reviewer.breakGlass, now);
    if (blocked) {
      return {
        kind: 'own',
        reason: `This is your own request: ${request.tenant}/${request.environment} needs someone else to approve or reject it.`,
      };
    }
  }
  if (!hasAnyRole(user, APPROVER_ROLES)) {
    const roles = user.roles.length > 0 ? user.roles.join(', ') : 'no roles';
    return { kind: 'no-role', reason: `Reviewing needs the approver or admin role (you have ${roles}).` };
  }
  const mine = request.reviews.find((review) => !review.stale && sameEmail(review.by, user.email));
  if (mine) {
    return { kind: 'reviewed', reason: `You ${mine.decision === 'approve' ? 'approved' : 'rejected'} this request.` };
  }
  return { kind: 'can-review' };
}
