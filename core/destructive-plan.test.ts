import { describe, expect, it } from 'vitest';
import { RewindError } from './errors.ts';
import { assertDestructiveAllowed, destructiveOf } from './destructive-plan.ts';
import { defaultLayout, type TargetConfig } from './target-config.ts';

const target = (maxDeleteShare?: number): TargetConfig => ({
  tenant: 'acme',
  environment: 'production',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 0, blockSelfApproval: true, requesters: [], approvers: [], breakGlass: [], ...(maxDeleteShare !== undefined ? { maxDeleteShare } : {}) },
  layout: defaultLayout('acme', 'production', ['api']),
});
const head = new Map(['a', 'b', 'c', 'd'].map((name) => [name, `${name}\n`]));

describe('destructive plans', () => {
  it('flags a plan deleting all files, or more than the share (default one half)', () => {
    expect(destructiveOf(target(), { a: null, b: null, c: null, d: null }, head)).toEqual({ deletes: 4, files: 4, all: true, maxShare: 0.5 });
    expect(destructiveOf(target(), { a: null, b: null, c: null }, head)).toEqual({ deletes: 3, files: 4, all: false, maxShare: 0.5 });
    expect(destructiveOf(target(), { a: null, b: null, c: 'changed\n' }, head)).toBeNull();
    expect(destructiveOf(target(0.2), { a: null }, head)).toEqual({ deletes: 1, files: 4, all: false, maxShare: 0.2 });
    // A share of 1 still refuses deleting everything; nothing at the head is nothing to delete.
    expect(destructiveOf(target(1), { a: null, b: null, c: null }, head)).toBeNull();
    expect(destructiveOf(target(1), { a: null, b: null, c: null, d: null }, head)?.all).toBe(true);
    expect(destructiveOf(target(), { x: 'new\n' }, new Map())).toBeNull();
  });

  it('refuses with 422 naming the rule unless allowDestructive is true', () => {
    const plan = destructiveOf(target(), { a: null, b: null, c: null }, head);
    expect(() => assertDestructiveAllowed(target(), { mode: 'full' }, plan, true)).not.toThrow();
    expect(() => assertDestructiveAllowed(target(), { mode: 'full' }, null, undefined)).not.toThrow();
    try {
      assertDestructiveAllowed(target(), { mode: 'service', service: 'api' }, plan, undefined);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RewindError);
      expect(error).toMatchObject({ status: 422, rule: 'destructive-plan', field: 'allowDestructive' });
      expect((error as Error).message).toBe(
        'destructive rollback refused: it would delete 3 of the 4 files of service api of acme/production (75%, more than 50%). Nothing was requested. Check the preview and send allowDestructive: true to confirm',
      );
    }
  });
});
