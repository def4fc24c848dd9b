/**
 * Who may do what with a rollback request, and when a request has its approvals: the rules the
 * server enforces (core/approval-service.ts, core/rollback-service.ts) and the SPA uses to decide
 * what to offer. The Target carries its policy's role lists (decision 039), so both sides decide from
 * the same lists with the same functions (`permissionsOn`); `DEFAULT_ROLES` is what a target has
 * unless configured otherwise.
 */
import { forbidden } from './errors.ts';
import type { BreakGlass, Review, Role, RollbackRequest, User } from './schemas.ts';
import type { AccessPolicy } from './target-config.ts';

export type PolicyRoles = Pick<AccessPolicy, 'requesters' | 'approvers' | 'breakGlass'>;

/** The roles of a target whose configuration names none (server/config, the demo, the SPA). */
export const DEFAULT_ROLES: Readonly<PolicyRoles> = {
  requesters: ['requester', 'approver', 'admin'],
  approvers: ['approver', 'admin'],
  breakGlass: ['break-glass', 'admin'],
};

/** Emails name the same person whatever their case. */
export const sameEmail = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function hasRole(user: Pick<User, 'roles'>, allowed: readonly Role[]): boolean {
  return user.roles.some((role) => allowed.includes(role));
}

/** Notes: anyone with a part in rollbacks (requesters, approvers, break-glass). */
export const noteRoles = (policy: PolicyRoles): Role[] => [...new Set([...policy.requesters, ...policy.approvers, ...policy.breakGlass])];

/** Executing a request: its requesters and approvers. */
export const executeRoles = (policy: PolicyRoles): Role[] => [...new Set([...policy.requesters, ...policy.approvers])];

/** Why `user` may not do `action`: the roles that would allow it and the ones the user has. */
export function roleRefusal(user: Pick<User, 'email' | 'roles'>, allowed: readonly Role[], action: string): string | null {
  if (hasRole(user, allowed)) return null;
  const roles = [...new Set(allowed)];
  const needed = roles.length === 0 ? 'a role the policy grants to nobody' : `the role ${roles.length === 1 ? roles[0] : `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}`}`;
  return `${action} requires ${needed} (${user.email} has ${user.roles.length ? user.roles.join(', ') : 'no role'})`;
}

/** 403 naming the roles that would allow `action` and the ones the user has. */
export function assertRole(user: Pick<User, 'email' | 'roles'>, allowed: readonly Role[], action: string): void {
  const refusal = roleRefusal(user, allowed, action);
  if (refusal) throw forbidden(refusal);
}

/** Whether `user` may open break-glass: a role some target's policy allows (core/break-glass-service.ts). */
export function mayOpenBreakGlass(policies: readonly Pick<PolicyRoles, 'breakGlass'>[], user: Pick<User, 'roles'>): boolean {
  return policies.some((policy) => hasRole(user, policy.breakGlass));
}

/** Whether `user` may review on some target (the header's review count is for them only). */
export function mayReviewSomewhere(policies: readonly Pick<PolicyRoles, 'approvers'>[], user: Pick<User, 'roles'>): boolean {
  return policies.some((policy) => hasRole(user, policy.approvers));
}

export type RolePermission = { allowed: true } | { allowed: false; reason: string };

export interface TargetPermissions {
  request: RolePermission;
  review: RolePermission;
  execute: RolePermission;
  note: RolePermission;
  breakGlass: RolePermission;
}

/**
 * What `user` may do on a target with this policy, each refusal in the words of the server's 403
 * (the server checks with the same lists through assertRole). `where` names the target.
 */
export function permissionsOn(policy: PolicyRoles, user: Pick<User, 'email' | 'roles'>, where: string): TargetPermissions {
  const check = (allowed: readonly Role[], action: string): RolePermission => {
    const reason = roleRefusal(user, allowed, `${action} on ${where}`);
    return reason === null ? { allowed: true } : { allowed: false, reason };
  };
  return {
    request: check(policy.requesters, 'requesting a rollback'),
    review: check(policy.approvers, 'reviewing a rollback'),
    execute: check(executeRoles(policy), 'executing a rollback'),
    note: check(noteRoles(policy), 'adding a note to a rollback'),
    breakGlass: check(policy.breakGlass, 'opening break-glass'),
  };
}


/** Approvals that count: non-stale approve reviews. */
export function countApprovals(request: Pick<RollbackRequest, 'reviews'>): number {
  return request.reviews.filter((review) => review.decision === 'approve' && !review.stale).length;
}

/**
 * The quorum a pending request waits for: what it recorded (the policy when it was created or its
 * approvals were last dismissed), at least one, since a pending request always waits for someone.
 */
export function quorumOf(request: Pick<RollbackRequest, 'requiredApprovals'>): number {
  return Math.max(1, request.requiredApprovals);
}

export function isBreakGlassActive(session: BreakGlass | null | undefined, now: number): session is BreakGlass {
  return session != null && Date.parse(session.expiresAt) > now;
}

/**
 * One's own request cannot be reviewed while the policy blocks self-approval, nor while one holds an
 * active break-glass session: break-glass skips approval for its holder's requests, it never makes
 * them reviewable.
 */
export function isSelfReviewBlocked(
  request: Pick<RollbackRequest, 'requestedBy'>,
  reviewer: string,
  policy: { blockSelfApproval: boolean },
  breakGlassActive: boolean,
): boolean {
  return sameEmail(request.requestedBy, reviewer) && (policy.blockSelfApproval || breakGlassActive);
}

/** The reviewer's review that counts (one per approver; stale ones were dismissed), if any. */
export function reviewBy(request: Pick<RollbackRequest, 'reviews'>, reviewer: string): Review | undefined {
  return request.reviews.find((review) => !review.stale && sameEmail(review.by, reviewer));
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
 * Whether `reviewer` may review `request` now, by the rules the server applies. When several rules
 * refuse, the one a person needs to hear comes first: "this is your own request" before the role
 * (the server checks the role first: its answer is an error, not advice).
 */
export function reviewEligibility(
  request: RollbackRequest,
  reviewer: Reviewer,
  policy: { blockSelfApproval: boolean; approvers?: readonly Role[] } | undefined,
  now: number,
): ReviewEligibility {
  if (request.state !== 'pending') return { kind: 'not-pending' };
  const { user } = reviewer;
  // Unknown target: assume the default, blocking (the server answers if not).
  if (isSelfReviewBlocked(request, user.email, policy ?? { blockSelfApproval: true }, isBreakGlassActive(reviewer.breakGlass, now))) {
    return { kind: 'own', reason: `This is your own request: ${request.tenant}/${request.environment} needs someone else to approve or reject it.` };
  }
  const approvers = policy?.approvers ?? DEFAULT_ROLES.approvers;
  if (!hasRole(user, approvers)) {
    const roles = user.roles.length > 0 ? user.roles.join(', ') : 'no roles';
    return { kind: 'no-role', reason: `Reviewing needs the ${approvers.join(' or ')} role (you have ${roles}).` };
  }
  const mine = reviewBy(request, user.email);
  if (mine) return { kind: 'reviewed', reason: `You ${mine.decision === 'approve' ? 'approved' : 'rejected'} this request.` };
  return { kind: 'can-review' };
}
