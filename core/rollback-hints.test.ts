import { describe, expect, it } from 'vitest';
import { majorOf, rollForwardHints, type HintInput } from './rollback-hints.ts';

const known = (version: string) => ({ known: true as const, version, source: 'helm-values' as const, file: 'v.yaml', field: 'image.tag' });
const base: HintInput = {
  target: { sha: 'a'.repeat(40), status: 'success', timestamp: '2026-11-20T10:00:00Z' },
  head: { sha: 'b'.repeat(40), timestamp: '2026-11-20T12:00:00Z' },
  undone: 2,
  headFiles: new Map([['svc/payments/values.yaml', 'image:\n  tag: v2.14.0\n']]),
  changes: { 'svc/payments/values.yaml': 'image:\n  tag: v2.13.14\n' },
  versions: [{ service: 'payments', from: known('v2.14.0'), to: known('v2.13.14') }],
};
const kinds = (input: Partial<HintInput>) => rollForwardHints({ ...base, ...input }).map((h) => h.kind);

describe('rollForwardHints', () => {
  it('gives none for a small, plain rollback to a good revision', () => {
    expect(rollForwardHints(base)).toEqual([]);
  });

  it('says when the target revision itself failed or was rolled back', () => {
    const failed = rollForwardHints({ ...base, target: { ...base.target, status: 'failed' } });
    expect(failed).toMatchObject([{ kind: 'target-failed', sha: base.target.sha }]);
    expect(failed[0]!.message).toMatch(/aaaaaaa itself failed to deploy/);
    const undone = rollForwardHints({ ...base, target: { ...base.target, status: 'rolled-back', rolledBackBy: 'c'.repeat(40) } });
    expect(undone[0]!.message).toMatch(/rolled back by ccccccc/);
  });

  it('finds migrations by path, by kind and by Job name', () => {
    expect(kinds({ changes: { 'svc/payments/migrations/0042.sql': null } })).toEqual(['migration']);
    expect(kinds({ changes: { 'svc/payments/db.changelog-master.yaml': 'databaseChangeLog: []\n' } })).toEqual(['migration']);
    const job = 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: payments-db-migrate\nspec: {}\n';
    expect(kinds({ changes: { 'svc/payments/job.yaml': job } })).toEqual(['migration']);
    const atlas = 'apiVersion: db.atlasgo.io/v1alpha1\nkind: AtlasMigration\nmetadata:\n  name: schema\n';
    expect(kinds({ changes: { 'svc/payments/schema.yaml': atlas } })).toEqual(['migration']);
    expect(kinds({ changes: { 'svc/payments/job.yaml': job.replace('payments-db-migrate', 'nightly-report') } })).toEqual([]);
  });

  it('takes the migration patterns from configuration', () => {
    const migrations = { paths: ['**/schema/**'], kinds: [], jobName: /^never$/ };
    expect(kinds({ migrations, changes: { 'svc/payments/schema/v42.sql': 'x' } })).toEqual(['migration']);
    expect(kinds({ migrations, changes: { 'svc/payments/migrations/1.sql': 'x' } })).toEqual([]);
  });

  it('flags CRDs and apiVersion changes', () => {
    const crd = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n';
    const crdHint = rollForwardHints({ ...base, changes: { 'svc/payments/crd.yaml': crd } });
    expect(crdHint).toMatchObject([{ kind: 'crd', file: 'svc/payments/crd.yaml' }]);
    expect(crdHint[0]!.message).toContain('widgets.example.com');
    const hpa = (v: string) => `apiVersion: ${v}\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: payments\n`;
    const hints = rollForwardHints({ ...base, headFiles: new Map([['svc/payments/hpa.yaml', hpa('autoscaling/v2')]]), changes: { 'svc/payments/hpa.yaml': hpa('autoscaling/v2beta2') } });
    expect(hints).toMatchObject([{ kind: 'api-version' }]);
    expect(hints[0]!.message).toBe('HorizontalPodAutoscaler payments goes from apiVersion autoscaling/v2 back to autoscaling/v2beta2: check the cluster still serves it.');
  });

  it('flags a major-version downgrade, and not a minor one or an unknown version', () => {
    expect(kinds({ versions: [{ service: 'payments', from: known('v3.0.1'), to: known('v2.13.14') }] })).toEqual(['major-downgrade']);
    expect(kinds({ versions: [{ service: 'payments', from: known('3.0'), to: known('3.0-rc1') }] })).toEqual([]);
    expect(kinds({ versions: [{ service: 'payments', from: known('v3.0.1'), to: { known: false, reason: 'no manifests' } }] })).toEqual([]);
    expect([majorOf('v2.13.14'), majorOf('10'), majorOf('latest'), majorOf('sha256:abc')]).toEqual([2, 10, null, null]);
  });

  it('flags a very large span by revisions or by age', () => {
    expect(kinds({ undone: 21 })).toEqual(['large-span']);
    expect(rollForwardHints({ ...base, undone: 21 })[0]!.message).toBe('The rollback undoes 21 revisions over 0 days: a very large span; a targeted fix may be safer.');
    expect(kinds({ target: { ...base.target, timestamp: '2026-11-01T10:00:00Z' } })).toEqual(['large-span']);
    expect(kinds({ undone: 20 })).toEqual([]);
  });
});
