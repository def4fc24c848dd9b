import { describe, expect, it } from 'vitest';
import { RewindError } from './errors.ts';
import {
  allowedModes,
  approvalRequired,
  assertModeAllowed,
  modeAvailability,
  modeDenial,
  requiredApprovalsFor,
} from './rollback-gating.ts';
import type { Features, Plan } from './schemas.ts';

const ALL: Features = { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true };
const NONE: Features = { basic_rollback: false, rollback: false, selective_rollback: false, rollback_approval: false };

function target(plan: Plan, features: Partial<Features> = {}) {
  return { tenant: 'acme', environment: 'production', plan, features: { ...NONE, ...features } };
}

function denial(fn: () => void): { status: number; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof RewindError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected a denial');
}

describe('allowedModes', () => {
  const cases: Array<[Plan, Partial<Features>, string[]]> = [
    ['free', {}, []],
    ['free', { basic_rollback: true }, ['full']],
    ['free', { rollback: true }, ['full']],
    ['free', { ...ALL }, ['full']],
    ['pro', { basic_rollback: true }, ['full']],
    ['pro', { rollback: true }, ['full']],
    ['pro', { selective_rollback: true }, []],
    ['pro', { basic_rollback: true, selective_rollback: true }, ['full']],
    ['pro', { rollback: true, selective_rollback: true }, ['full', 'service']],
    ['pro', { ...ALL }, ['full', 'service']],
    ['enterprise', {}, []],
    ['enterprise', { basic_rollback: true }, ['full']],
    ['enterprise', { rollback: true }, ['full']],
    ['enterprise', { rollback: true, selective_rollback: true }, ['full', 'service', 'field']],
    ['enterprise', { basic_rollback: true, selective_rollback: true }, ['full']],
    ['enterprise', { ...ALL }, ['full', 'service', 'field']],
  ];
  it.each(cases)('%s with %j → %j', (plan, features, modes) => {
    expect(allowedModes(target(plan, features))).toEqual(modes);
  });
});

describe('assertModeAllowed', () => {
  it('names the plan first, with the target and its plan', () => {
    expect(denial(() => assertModeAllowed(target('free', ALL), 'service'))).toEqual({
      status: 403,
      message: 'service rollback requires the pro plan or higher (acme/production is on free)',
    });
    expect(denial(() => assertModeAllowed(target('free', ALL), 'field'))).toEqual({
      status: 403,
      message: 'field rollback requires the enterprise plan (acme/production is on free)',
    });
    expect(denial(() => assertModeAllowed(target('pro', ALL), 'field'))).toEqual({
      status: 403,
      message: 'field rollback requires the enterprise plan (acme/production is on pro)',
    });
    // The plan is named even when flags are missing too: no flag can help.
    expect(denial(() => assertModeAllowed(target('pro'), 'field')).message).toBe(
      'field rollback requires the enterprise plan (acme/production is on pro)',
    );
  });

  it('names the missing flags', () => {
    expect(denial(() => assertModeAllowed(target('free'), 'full'))).toEqual({
      status: 403,
      message: 'full rollback requires the basic_rollback or rollback feature flag',
    });
    expect(denial(() => assertModeAllowed(target('pro', { rollback: true }), 'service')).message).toBe(
      'service rollback requires the selective_rollback feature flag',
    );
    expect(denial(() => assertModeAllowed(target('enterprise', { rollback: true }), 'field')).message).toBe(
      'field rollback requires the selective_rollback feature flag',
    );
    expect(
      denial(() => assertModeAllowed(target('enterprise', { basic_rollback: true, selective_rollback: true }), 'field'))
        .message,
    ).toBe('field rollback requires the rollback feature flag');
    expect(denial(() => assertModeAllowed(target('pro', { basic_rollback: true }), 'service')).message).toBe(
      'service rollback requires the rollback and selective_rollback feature flags',
    );
  });

  it('says "this target" when the target has no name', () => {
    expect(modeDenial({ plan: 'free', features: ALL }, 'service')).toBe(
      'service rollback requires the pro plan or higher (this target is on free)',
    );
  });

  it('passes allowed modes', () => {
    expect(() => assertModeAllowed(target('free', { basic_rollback: true }), 'full')).not.toThrow();
    expect(() => assertModeAllowed(target('pro', { rollback: true, selective_rollback: true }), 'service')).not.toThrow();
    expect(() => assertModeAllowed(target('enterprise', ALL), 'field')).not.toThrow();
  });

  it('agrees with allowedModes for every plan and flag combination', () => {
    const plans: Plan[] = ['free', 'pro', 'enterprise'];
    for (const plan of plans) {
      for (let bits = 0; bits < 16; bits++) {
        const features: Features = {
          basic_rollback: (bits & 1) > 0,
          rollback: (bits & 2) > 0,
          selective_rollback: (bits & 4) > 0,
          rollback_approval: (bits & 8) > 0,
        };
        const t = target(plan, features);
        const allowed = allowedModes(t);
        for (const { mode, allowed: ok, reason } of modeAvailability(t)) {
          expect(ok).toBe(allowed.includes(mode));
          expect(reason === null).toBe(ok);
          if (ok) expect(() => assertModeAllowed(t, mode)).not.toThrow();
          else expect(denial(() => assertModeAllowed(t, mode)).message).toBe(reason);
        }
      }
    }
  });
});

describe('approvalRequired', () => {
  const policy = (requiredApprovals: number) => ({ requiredApprovals, blockSelfApproval: true });
  it('needs the rollback_approval flag and a quorum above zero', () => {
    expect(approvalRequired({ features: ALL, policy: policy(1) })).toBe(true);
    expect(approvalRequired({ features: ALL, policy: policy(0) })).toBe(false);
    expect(approvalRequired({ features: { ...ALL, rollback_approval: false }, policy: policy(2) })).toBe(false);
    expect(requiredApprovalsFor({ features: ALL, policy: policy(2) })).toBe(2);
    expect(requiredApprovalsFor({ features: { ...ALL, rollback_approval: false }, policy: policy(2) })).toBe(0);
  });
});
