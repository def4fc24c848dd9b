import { describe, expect, it } from 'vitest';
import {
  assertRole,
  countApprovals,
  DEFAULT_ROLES,
  isSelfReviewBlocked,
  noteRoles,
  quorumOf,
  reviewBy,
  reviewEligibility,
  type Reviewer,
} from './review-rules.ts';
import type { Review, RollbackRequest, User } from './schemas.ts';

const DANA: User = { email: 'dana@example.com', name: 'Dana', roles: ['approver'] };
const SAM: User = { email: 'sam@example.com', name: 'Sam', roles: ['requester'] };
const NOW = Date.parse('2026-11-20T09:00:00Z');

const review = (by: string, decision: Review['decision'], stale = false): Review => ({ by, decision, comment: '', at: '2026-11-20T08:00:00Z', stale });

function request(over: Partial<RollbackRequest> = {}): RollbackRequest {
  return {
    id: 'rbk-1',
    tenant: 'acme',
    environment: 'production',
    mode: 'service',
    service: 'api',
    targetSha: 'a'.repeat(40),
    baseSha: 'b'.repeat(40),
    diffHash: 'h',
    justification: 'why',
    requestedBy: 'Sam@Example.com',
    requestedAt: '2026-11-20T08:00:00Z',
    state: 'pending',
    requiredApprovals: 2,
    breakGlass: false,
    reviews: [],
    notes: [],
    ...over,
  } as RollbackRequest;
}

const as = (user: User, breakGlass: Reviewer['breakGlass'] = null): Reviewer => ({ user, breakGlass });

describe('review rules', () => {
  it('counts only approvals that are not stale, against a quorum of at least one', () => {
    const r = request({ reviews: [review('a@x', 'approve'), review('b@x', 'approve', true), review('c@x', 'reject')] });
    expect(countApprovals(r)).toBe(1);
    expect(quorumOf({ requiredApprovals: 0 })).toBe(1);
    expect(quorumOf({ requiredApprovals: 3 })).toBe(3);
  });

  it('blocks one\'s own request by policy, or while one holds break-glass; emails in any case', () => {
    const r = request();
    expect(isSelfReviewBlocked(r, 'sam@example.com', { blockSelfApproval: true }, false)).toBe(true);
    expect(isSelfReviewBlocked(r, 'sam@example.com', { blockSelfApproval: false }, false)).toBe(false);
    expect(isSelfReviewBlocked(r, 'sam@example.com', { blockSelfApproval: false }, true)).toBe(true);
    expect(isSelfReviewBlocked(r, 'dana@example.com', { blockSelfApproval: true }, true)).toBe(false);
  });

  it('finds the reviewer\'s counting review, ignoring dismissed ones', () => {
    expect(reviewBy(request({ reviews: [review('DANA@example.com', 'reject')] }), 'dana@example.com')?.decision).toBe('reject');
    expect(reviewBy(request({ reviews: [review('dana@example.com', 'approve', true)] }), 'dana@example.com')).toBeUndefined();
  });

  it('tells the reviewer why not, own request first, then role, then an earlier review', () => {
    const policy = { blockSelfApproval: true };
    const samApprover: User = { ...SAM, roles: [] };
    expect(reviewEligibility(request(), as(samApprover), policy, NOW)).toMatchObject({ kind: 'own' });
    expect(reviewEligibility(request({ requestedBy: 'x@y' }), as(samApprover), policy, NOW)).toEqual({
      kind: 'no-role',
      reason: 'Reviewing needs the approver or admin role (you have no roles).',
    });
    expect(reviewEligibility(request({ reviews: [review(DANA.email, 'approve')] }), as(DANA), policy, NOW)).toEqual({ kind: 'reviewed', reason: 'You approved this request.' });
    expect(reviewEligibility(request(), as(DANA), policy, NOW)).toEqual({ kind: 'can-review' });
    expect(reviewEligibility(request({ state: 'approved' }), as(DANA), policy, NOW)).toEqual({ kind: 'not-pending' });
  });

  it('counts an expired break-glass session as none', () => {
    const samWhoApproves: User = { ...SAM, roles: ['approver'] };
    const session = (expiresAt: string) => ({ user: SAM.email, justification: 'x', openedAt: '2026-11-20T08:00:00Z', expiresAt });
    expect(reviewEligibility(request(), as(samWhoApproves, session('2026-11-20T09:30:00Z')), { blockSelfApproval: false }, NOW).kind).toBe('own');
    expect(reviewEligibility(request(), as(samWhoApproves, session('2026-11-20T08:30:00Z')), { blockSelfApproval: false }, NOW).kind).toBe('can-review');
  });

  it('names the roles in a refusal, once each', () => {
    expect(noteRoles(DEFAULT_ROLES)).toEqual(['requester', 'approver', 'admin', 'break-glass']);
    expect(() => assertRole(SAM, [...DEFAULT_ROLES.approvers, 'admin'], 'reviewing')).toThrow('reviewing requires the role approver or admin (sam@example.com has requester)');
    expect(() => assertRole(DANA, DEFAULT_ROLES.approvers, 'reviewing')).not.toThrow();
  });
});
