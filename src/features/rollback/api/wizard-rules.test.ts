import { describe, expect, it } from 'vitest';
import { ApiError } from '#src/api/api-error.ts';
import { fakeSha, makeRevision, makeTarget } from '#src/test/fixtures.ts';
import {
  approvalOutcome,
  defaultMode,
  defaultRevision,
  defaultService,
  effectiveStep,
  justificationProblem,
  revisionWarning,
  stepForError,
} from './wizard-rules.ts';

const target = makeTarget();
const free = makeTarget({
  plan: 'free',
  features: { basic_rollback: true, rollback: false, selective_rollback: false, rollback_approval: false },
});

describe('wizard rules', () => {
  it('defaults to the last successful revision before the head', () => {
    const revisions = [
      makeRevision(0),
      makeRevision(1, { status: 'failed' }),
      makeRevision(2, { status: 'rolled-back' }),
      makeRevision(3),
      makeRevision(4),
    ];
    expect(defaultRevision(revisions, fakeSha(0))?.sha).toBe(fakeSha(3));
    expect(defaultRevision([makeRevision(0)], fakeSha(0))).toBeUndefined();
  });

  it('where nobody reports outcomes, defaults to the newest revision before the head nobody reported as bad (decision 056)', () => {
    const revisions = [
      makeRevision(0, { status: 'unknown' }),
      makeRevision(1, { status: 'failed' }),
      makeRevision(2, { status: 'unknown' }),
      makeRevision(3, { status: 'unknown' }),
    ];
    expect(defaultRevision(revisions, fakeSha(0))?.sha).toBe(fakeSha(2));
    // A reported success wins over newer revisions nobody reported on.
    expect(defaultRevision([...revisions, makeRevision(4, { status: 'success' })], fakeSha(0))?.sha).toBe(fakeSha(4));
    expect(defaultRevision([makeRevision(0), makeRevision(1, { status: 'rolled-back' })], fakeSha(0))).toBeUndefined();
  });

  it('defaults to the narrowest mode that needs no extra knowledge', () => {
    expect(defaultMode(target)).toBe('service');
    expect(defaultMode(free)).toBe('full');
    expect(defaultMode(makeTarget({ services: [] }))).toBe('full');
  });

  it('picks the service only when the choice is obvious', () => {
    expect(defaultService(target, ['checkout'])).toBe('checkout');
    // payments is the only degraded one among the changed services.
    expect(defaultService(target, ['api-gateway', 'payments'])).toBe('payments');
    expect(defaultService(target, ['api-gateway', 'checkout'])).toBeUndefined();
    expect(defaultService(target, [])).toBeUndefined();
    // Health unknown (no cluster) picks nothing for the person.
    const unknown = makeTarget({ services: target.services.map((s) => ({ ...s, health: s.name === 'payments' ? 'unknown' : 'healthy' })) });
    expect(defaultService(unknown, ['api-gateway', 'payments'])).toBeUndefined();
  });

  it('warns about failed, rolled-back and current revisions', () => {
    expect(revisionWarning(makeRevision(1, { status: 'failed' }), fakeSha(0))?.kind).toBe('failed');
    expect(revisionWarning(makeRevision(1, { status: 'rolled-back', rolledBackBy: fakeSha(9) }), fakeSha(0))?.message).toContain(
      fakeSha(9).slice(0, 7),
    );
    expect(revisionWarning(makeRevision(0), fakeSha(0))?.kind).toBe('head');
    expect(revisionWarning(makeRevision(1), fakeSha(0))).toBeNull();
  });

  it('opens a link at its step only when every earlier step is answered', () => {
    const base = { tenant: 'acme', environment: 'production', fields: [] };
    expect(effectiveStep({ ...base, step: 'submit' }, target)).toBe('scope');
    expect(effectiveStep({ ...base, mode: 'service', revision: fakeSha(3), step: 'submit' }, target)).toBe('revision');
    expect(effectiveStep({ ...base, mode: 'service', revision: fakeSha(3), service: 'payments', step: 'submit' }, target)).toBe('submit');
    expect(effectiveStep({ ...base, mode: 'field', revision: fakeSha(3), service: 'payments', step: 'preview' }, target)).toBe('revision');
    expect(effectiveStep({ ...base, mode: 'service', step: 'preview' }, free)).toBe('scope');
    expect(effectiveStep({ ...base, mode: 'full', step: 'target' }, target)).toBe('target');
    expect(effectiveStep({ fields: [], step: 'preview' }, undefined)).toBe('target');
    expect(effectiveStep({ ...base, mode: 'full', revision: fakeSha(3) }, target)).toBe('preview');
  });

  it('sends an API error to the step of the field it names, never reading the message', () => {
    const error = (status: number, field?: string) => new ApiError(status, 'X', 'whatever the server says', { field });
    expect(stepForError(error(403, 'mode'), 'preview')).toBe('scope');
    expect(stepForError(error(403), 'submit')).toBe('submit'); // a role refusal names no field
    expect(stepForError(error(404, 'targetSha'), 'preview')).toBe('revision');
    expect(stepForError(error(404, 'target'), 'preview')).toBe('target');
    expect(stepForError(error(400, 'fields'), 'submit')).toBe('revision');
    expect(stepForError(error(400, 'service'), 'preview')).toBe('revision');
    expect(stepForError(error(400, 'justification'), 'preview')).toBe('submit');
    expect(stepForError(error(422, 'allowDestructive'), 'submit')).toBe('preview');
    expect(stepForError(error(409), 'submit')).toBe('preview');
    expect(stepForError(error(400, 'something-new'), 'submit')).toBe('submit');
    expect(stepForError(error(500), 'submit')).toBe('submit');
    expect(stepForError(new Error('boom'), 'preview')).toBe('preview');
    // The message alone moves nothing: the old regexes would have sent this to the revision step.
    expect(stepForError(new ApiError(400, 'BAD_REQUEST', 'targetSha is required'), 'submit')).toBe('submit');
  });

  it('says whether the rollback executes now or waits, as the server decides', () => {
    const now = Date.parse('2025-11-20T10:00:00Z');
    const breakGlass = { user: 'a@example.com', justification: 'x', openedAt: '2025-11-20T09:00:00Z', expiresAt: '2025-11-20T11:00:00Z' };
    expect(approvalOutcome(target, null, now)).toEqual({ kind: 'approval', approvals: 1, blockSelfApproval: true });
    expect(approvalOutcome(target, breakGlass, now)).toEqual({ kind: 'break-glass', expiresAt: breakGlass.expiresAt });
    expect(approvalOutcome(target, { ...breakGlass, expiresAt: '2025-11-20T09:30:00Z' }, now).kind).toBe('approval');
    expect(approvalOutcome(makeTarget({ policy: { ...makeTarget().policy, requiredApprovals: 0, blockSelfApproval: true } }), null, now)).toMatchObject({
      kind: 'now',
      reason: expect.stringContaining('requires no approvals'),
    });
    expect(approvalOutcome(free, null, now)).toMatchObject({ kind: 'now', reason: expect.stringContaining('rollback_approval') });
  });

  it('requires a justification of at most 4,000 characters', () => {
    expect(justificationProblem('   \n ')).toMatch(/required/);
    // The server's rule (core/user-text.ts): invisible characters alone say nothing; code points count.
    expect(justificationProblem('\u200b\u202e\u2066')).toMatch(/invisible/);
    expect(justificationProblem('🔥'.repeat(4000))).toBeNull();
    expect(justificationProblem('🔥'.repeat(4001))).toMatch(/1 characters over/);
    expect(justificationProblem('x'.repeat(4000))).toBeNull();
    expect(justificationProblem('x'.repeat(4003))).toMatch(/3 characters over/);
  });
});
