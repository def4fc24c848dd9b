import { describe, expect, it } from 'vitest';
import { buildDiff, inProcessFieldDiffer, type ChangedFile } from './file-diffs.ts';
import { unifiedGitPatch } from './git-patch.ts';
import type { FieldDiffer } from './ports.ts';
import { rollbackDiff } from './rollback-compute.ts';
import { defaultLayout, type TargetConfig } from './target-config.ts';

const TARGET = {
  tenant: 'acme',
  environment: 'staging',
  layout: defaultLayout('acme', 'staging', ['api']),
} as TargetConfig;
const VALUES = 'tenants/acme/staging/services/api/values.yaml';
const SECRET = 'tenants/acme/staging/services/api/secret.yaml';
const README = 'tenants/acme/staging/README.md';
const FROM = 'a'.repeat(40);
const TO = 'b'.repeat(40);

const secret = (password: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\nstringData:\n  password: ${password}\n`;

function changed(path: string, oldText: string | null, newText: string | null): ChangedFile {
  return { change: unifiedGitPatch(path, oldText, newText), oldText, newText, missing: false };
}

/** A FieldDiffer that records the pairs it was asked for. */
function countingDiffer() {
  const calls: number[] = [];
  const differ: FieldDiffer = async (pairs) => {
    calls.push(pairs.length);
    return inProcessFieldDiffer(pairs);
  };
  return { differ, calls };
}

describe('buildDiff', () => {
  it('classifies files, lists field changes and counts the impact', async () => {
    const diff = await buildDiff(TARGET, FROM, TO, [changed(VALUES, 'image:\n  tag: v1\n', 'image:\n  tag: v2\n'), changed(README, 'a\n', 'b\n')]);
    expect(diff.files.map((f) => [f.path, f.kind, f.service, f.status])).toEqual([
      [VALUES, 'service', 'api', 'modified'],
      [README, 'other', null, 'modified'],
    ]);
    expect(diff.fields).toEqual([{ service: 'api', file: VALUES, path: ['image', 'tag'], from: 'v1', to: 'v2' }]);
    expect(diff.impact).toEqual({ services: 1, bindings: 0, variables: 0 });
  });

  it('computes all fields in one call of the given differ, and none for files without YAML', async () => {
    const { differ, calls } = countingDiffer();
    await buildDiff(TARGET, FROM, TO, [changed(VALUES, 'a: 1\n', 'a: 2\n'), changed(SECRET, 'b: 1\n', 'b: 2\n'), changed(README, 'x\n', 'y\n')], { fieldDiffer: differ });
    expect(calls).toEqual([2]);
  });

  it('defers the fields past the inline bound, without parsing', async () => {
    const { differ, calls } = countingDiffer();
    const diff = await buildDiff(TARGET, FROM, TO, [changed(VALUES, 'a: 1\n', 'a: 2\n')], { fieldDiffer: differ, inlineFieldChars: 4 });
    expect(diff.files[0]!.fieldDiff).toBe('deferred');
    expect(diff.fields).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('masks Secret values in the patch and the fields', async () => {
    const diff = await buildDiff(TARGET, FROM, TO, [changed(SECRET, secret('Old-Pa55!'), secret('New-Pa55!'))]);
    expect(JSON.stringify(diff)).not.toMatch(/Pa55/);
    expect(diff.files[0]!.redacted).toBe('values');
    expect(diff.fields[0]).toMatchObject({ path: ['stringData', 'password'], redacted: true });
  });

  it('withholds a patch that may show a Secret when the texts could not be read', async () => {
    const change = unifiedGitPatch(SECRET, secret('Old-Pa55!'), secret('New-Pa55!'));
    const diff = await buildDiff(TARGET, FROM, TO, [{ change, oldText: null, newText: null, missing: true }]);
    expect(diff.files[0]).toMatchObject({ redacted: 'file', fieldDiff: 'withheld', patch: `diff --git a/${SECRET} b/${SECRET}\n` });
  });
});

describe('rollbackDiff', () => {
  it('is built by the same builder as compare: the same files and fields as buildDiff over the same change', async () => {
    const head = new Map([[SECRET, secret('Old-Pa55!')], [VALUES, 'a: 1\n']]);
    const changes: Record<string, string> = { [VALUES]: 'a: 2\n', [SECRET]: secret('New-Pa55!') };
    const diff = rollbackDiff(TARGET, head, changes, FROM, TO);
    const paths = Object.keys(changes).sort();
    expect(diff).toEqual(await buildDiff(TARGET, FROM, TO, paths.map((path) => changed(path, head.get(path)!, changes[path]!))));
    expect(diff.fields).toContainEqual({ service: 'api', file: VALUES, path: ['a'], from: 1, to: 2 });
    expect(diff.files.find((f) => f.path === VALUES)!.patch).toContain('-a: 1\n+a: 2\n');
    expect(JSON.stringify(diff)).not.toMatch(/Pa55/);
  });
});
