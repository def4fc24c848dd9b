import { describe, expect, it } from 'vitest';
import { endedText, isOpen, overlaps, supersededBy, withdrawPermission } from './request-lifecycle.ts';
import { permissionsOn, DEFAULT_ROLES } from './review-rules.ts';
import type { RollbackRequest } from './schemas.ts';

const request = (overrides: Partial<RollbackRequest> = {}): RollbackRequest => ({
  id: 'rbk-1',
  tenant: 'acme',
  environment: 'production',
  mode: 'service',
  service: 'payments',
  targetSha: 'a'.repeat(40),
  baseSha: 'b'.repeat(40),
  justification: 'x',
  requestedBy: 'sam@example.com',
  createdAt: '2026-11-21T10:00:00.000Z',
  state: 'pending',
  requiredApprovals: 1,
  reviews: [],
  breakGlass: false,
  affectedServices: ['payments'],
  diffHash: 'c'.repeat(64),
  notes: [],
  ...overrides,
});

describe('request lifecycle rules', () => {
  it('open means pending, approved or executing', () => {
    expect(['pending', 'approved', 'executing', 'completed', 'failed', 'rejected', 'withdrawn', 'superseded', 'closed'].filter((s) => isOpen(s as RollbackRequest['state']))).toEqual([
      'pending',
      'approved',
      'executing',
    ]);
  });

  it('withdraw: the requester (any case) or an admin, pending or approved only', () => {
    const sam = { email: 'SAM@example.com', roles: ['requester' as const] };
    expect(withdrawPermission(request(), sam)).toEqual({ allowed: true });
    expect(withdrawPermission(request({ state: 'approved' }), { email: 'marcus@example.com', roles: ['admin'] })).toEqual({ allowed: true });
    expect(withdrawPermission(request(), { email: 'dana@example.com', roles: ['approver'] })).toMatchObject({ allowed: false, refusal: 'who' });
    for (const state of ['executing', 'completed', 'failed', 'rejected', 'withdrawn'] as const) {
      expect(withdrawPermission(request({ state }), sam)).toMatchObject({ allowed: false, refusal: 'state' });
    }
  });

  it('overlap: same target, and a full rollback or a common service', () => {
    const scope = { tenant: 'acme', environment: 'production', mode: 'service' as const, affectedServices: ['payments'] };
    expect(overlaps(scope, request())).toBe(true);
    expect(overlaps(scope, request({ affectedServices: ['checkout'] }))).toBe(false);
    expect(overlaps({ ...scope, mode: 'full', affectedServices: [] }, request({ affectedServices: ['checkout'] }))).toBe(true);
    expect(overlaps(scope, request({ environment: 'staging' }))).toBe(false);
    const candidates = [request({ id: 'a' }), request({ id: 'b', state: 'failed' }), request({ id: 'c', state: 'completed' }), request({ id: 'd', state: 'executing' })];
    expect(supersededBy(scope, candidates).map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('says why a request ended', () => {
    expect(endedText(request({ state: 'superseded', supersededBy: 'rbk-2' }))).toBe('Superseded by rbk-2.');
    expect(endedText(request({ state: 'withdrawn', closedReason: 'Withdrawn by sam@example.com' }))).toBe('Withdrawn by sam@example.com');
    expect(endedText(request())).toBeNull();
  });

  it('permissionsOn refuses in the words of the server\'s 403', () => {
    const viewer = permissionsOn(DEFAULT_ROLES, { email: 'viktor@example.com', roles: ['viewer'] }, 'acme/production');
    expect(viewer.request).toEqual({ allowed: false, reason: 'requesting a rollback on acme/production requires the role requester, approver or admin (viktor@example.com has viewer)' });
    expect(permissionsOn({ ...DEFAULT_ROLES, approvers: [] }, { email: 'dana@example.com', roles: ['approver'] }, 'x/y').review).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/requires a role the policy grants to nobody/),
    });
    expect(permissionsOn(DEFAULT_ROLES, { email: 'olu@example.com', roles: ['break-glass'] }, 'x/y').breakGlass).toEqual({ allowed: true });
  });
});
