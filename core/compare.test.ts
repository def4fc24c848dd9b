import { describe, expect, it } from 'vitest';
import { InMemoryRevisionStore, type NewCommit } from '#in-memory/in-memory-revision-store.ts';
import { FIELD_DIFF_MAX_CHARS, compareFields, compareRevisions } from './compare.ts';
import { inProcessFieldDiffer } from './file-diffs.ts';
import { quoteGitPath, unifiedGitPatch } from './git-patch.ts';
import { hasDeferredFields, withComputedFields } from './compare-fields.ts';
import type { FieldDiffPair, FieldDiffer, RevisionStore } from './ports.ts';
import { diffSchema } from './schemas.ts';
import { REDACTED, REDACTED_CHANGED } from './secret-masking.ts';
import { defaultLayout, type TargetConfig } from './target-config.ts';

const ROOT = 'tenants/acme/prod/';
const API = `${ROOT}services/api/values.yaml`;
const API_PATCH = `${ROOT}services/api/deployment-patch.yaml`;
const WEB = `${ROOT}services/web/values.yaml`;
const WEB_SECRET = `${ROOT}services/web/secret.yaml`;
const VARS = `${ROOT}variables.yaml`;
const KUST = `${ROOT}kustomization.yaml`;
const NOTES = `${ROOT}NOTES.txt`;

const target: TargetConfig = {
  tenant: 'acme',
  environment: 'prod',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 1, blockSelfApproval: true, requesters: ['requester'], approvers: ['approver'], breakGlass: ['break-glass'] },
  layout: defaultLayout('acme', 'prod', ['api', 'web']),
};

const values = (tag: string, timeout: string) =>
  `image:\n  repository: registry.example.com/api\n  tag: "${tag}"\nenv:\n  - name: LOG_LEVEL\n    value: info\n  - name: TIMEOUT_MS\n    value: "${timeout}"\n`;
const secret = (password: string) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: web\ntype: Opaque\ndata:\n  password: ${btoa(password)}\nstringData:\n  apiKey: ${password}-key\n`;

function store(...changes: Record<string, string | null>[]) {
  const s = new InMemoryRevisionStore();
  const shas = changes.map((c, i) => {
    const commit: NewCommit = {
      timestamp: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      author: { name: 'A', email: 'a@example.com' },
      message: `c${i}\n`,
      changes: c,
    };
    return s.append(commit);
  });
  return { store: s, shas };
}

describe('compareRevisions', () => {
  const { store: repo, shas } = store(
    {
      [API]: values('v1.0.0', '3000'),
      [WEB]: 'image:\n  tag: w1\n',
      [VARS]: 'logLevel: info\n',
      [KUST]: 'resources: []\n',
      [NOTES]: 'hello\n',
      'tenants/acme/staging/variables.yaml': 'logLevel: debug\n',
    },
    { [API]: values('v1.1.0', '800') },
    { [WEB]: 'image:\n  tag: w2\n', [VARS]: 'logLevel: debug\n', [KUST]: 'resources: [x]\n', [API_PATCH]: 'spec: {replicas: 2}\n', [NOTES]: null },
    { [WEB_SECRET]: secret('first-Passw0rd') },
    { [WEB_SECRET]: secret('second-Passw0rd') },
  );

  it('lists one changed file with its service, kind, counts, patch and field changes', async () => {
    const diff = diffSchema.parse(await compareRevisions(repo, target, shas[0]!, shas[1]!));
    expect(diff.from).toBe(shas[0]);
    expect(diff.to).toBe(shas[1]);
    expect(diff.files).toHaveLength(1);
    expect(diff.files[0]).toMatchObject({ path: API, service: 'api', kind: 'service', status: 'modified', additions: 2, deletions: 2 });
    expect(diff.files[0]!.patch).toContain('-  tag: "v1.0.0"\n+  tag: "v1.1.0"\n');
    expect(diff.fields).toEqual([
      { service: 'api', file: API, path: ['image', 'tag'], from: 'v1.0.0', to: 'v1.1.0' },
      { service: 'api', file: API, path: ['env', '[name=TIMEOUT_MS]', 'value'], from: '3000', to: '800' },
    ]);
    expect(diff.impact).toEqual({ services: 1, bindings: 0, variables: 0 });
  });

  it('classifies every file, with statuses and the impact, in path order', async () => {
    const diff = await compareRevisions(repo, target, shas[1]!, shas[2]!);
    expect(diff.files.map((f) => [f.path, f.service, f.kind, f.status])).toEqual([
      [NOTES, null, 'other', 'deleted'],
      [KUST, null, 'binding', 'modified'],
      [API_PATCH, 'api', 'service', 'added'],
      [WEB, 'web', 'service', 'modified'],
      [VARS, null, 'variables', 'modified'],
    ]);
    expect(diff.impact).toEqual({ services: 2, bindings: 1, variables: 1 });
    // Added and deleted YAML files show their top-level keys; other files have no fields.
    expect(diff.fields.filter((f) => f.file === API_PATCH)).toEqual([
      { service: 'api', file: API_PATCH, path: ['spec'], from: undefined, to: { replicas: 2 } },
    ]);
    expect(diff.fields.some((f) => f.file === NOTES)).toBe(false);
    expect(diff.fields.find((f) => f.file === VARS)).toEqual({ service: null, file: VARS, path: ['logLevel'], from: 'info', to: 'debug' });
  });

  it('compares in either direction, over several revisions, and nothing for the same revision', async () => {
    const forward = await compareRevisions(repo, target, shas[0]!, shas[2]!);
    const backward = await compareRevisions(repo, target, shas[2]!, shas[0]!);
    expect(backward.files.map((f) => [f.path, f.status])).toEqual(
      forward.files.map((f) => [f.path, f.status === 'added' ? 'deleted' : f.status === 'deleted' ? 'added' : 'modified']),
    );
    expect(backward.fields.map((f) => [f.file, f.path, f.from, f.to])).toEqual(
      forward.fields.map((f) => [f.file, f.path, f.to, f.from]),
    );
    const same = await compareRevisions(repo, target, shas[2]!, shas[2]!);
    expect(same).toEqual({ from: shas[2], to: shas[2], files: [], fields: [], impact: { services: 0, bindings: 0, variables: 0 } });
  });

  it('masks Secret values in patches and fields', async () => {
    const diff = diffSchema.parse(await compareRevisions(repo, target, shas[3]!, shas[4]!));
    const json = JSON.stringify(diff);
    for (const leak of ['first-Passw0rd', 'second-Passw0rd', btoa('first-Passw0rd'), btoa('second-Passw0rd')]) expect(json).not.toContain(leak);
    const [file] = diff.files;
    expect(file).toMatchObject({ path: WEB_SECRET, redacted: 'values', additions: 2, deletions: 2 });
    expect(file!.patch).toContain(`-  password: ${REDACTED}\n+  password: ${REDACTED_CHANGED}\n`);
    expect(diff.fields).toEqual([
      { service: 'web', file: WEB_SECRET, path: ['data', 'password'], from: REDACTED, to: REDACTED_CHANGED, redacted: true },
      { service: 'web', file: WEB_SECRET, path: ['stringData', 'apiKey'], from: REDACTED, to: REDACTED_CHANGED, redacted: true },
    ]);
    const added = await compareRevisions(repo, target, shas[2]!, shas[3]!);
    expect(JSON.stringify(added)).not.toContain('first-Passw0rd');
    expect(added.files[0]).toMatchObject({ status: 'added', redacted: 'values' });
  });

  it('withholds the patch of a Secret that cannot be parsed, and its fields', async () => {
    const { store: s, shas: ids } = store({ [WEB_SECRET]: secret('first-Passw0rd') }, { [WEB_SECRET]: `${secret('second-Passw0rd')}  broken: [\n` });
    const diff = await compareRevisions(s, target, ids[0]!, ids[1]!);
    for (const leak of ['Passw0rd', btoa('first-Passw0rd'), btoa('second-Passw0rd')]) expect(JSON.stringify(diff)).not.toContain(leak);
    // Counts stay those of the real change: they say how much changed, not what.
    expect(diff.files[0]).toMatchObject({ redacted: 'file', fieldDiff: 'withheld', additions: 3, deletions: 2 });
    expect(diff.files[0]!.patch).toBe(`diff --git a/${WEB_SECRET} b/${WEB_SECRET}\n`);
    expect(diff.fields).toEqual([]);
  });

  it('says why a YAML file has no field changes: unparseable or too large', async () => {
    const big = `items:\n${'  - x\n'.repeat(Math.ceil(FIELD_DIFF_MAX_CHARS / 6) + 10)}`;
    const { store: s, shas: ids } = store({ [API]: 'a: 1\n', [WEB]: 'a: 1\n' }, { [API]: 'a: [1\n', [WEB]: big });
    const diff = await compareRevisions(s, target, ids[0]!, ids[1]!);
    expect(diff.files.map((f) => [f.path, f.fieldDiff])).toEqual([
      [API, 'unparseable'],
      [WEB, 'too-large'],
    ]);
    expect(diff.fields).toEqual([]);
    // Too large is known without parsing: never deferred, and not counted against the inline budget.
    const budgeted = await compareRevisions(s, target, ids[0]!, ids[1]!, { inlineFieldChars: 20 });
    expect(budgeted.files.map((f) => [f.path, f.fieldDiff])).toEqual([
      [API, 'unparseable'],
      [WEB, 'too-large'],
    ]);
  });

  it('uses the texts a store returns with its diff, and reads only the ones it does not', async () => {
    const reads: string[][] = [];
    const textsFor = new Set([WEB_SECRET, API]);
    // A store that hands out the texts of some files with the diff (as the git store does for all).
    const partial: RevisionStore = Object.assign(Object.create(repo) as RevisionStore, {
      async diff(query: Parameters<RevisionStore['diff']>[0]) {
        expect(query.withTexts).toBe(true);
        const [diffs, before, after] = await Promise.all([repo.diff(query), repo.readFiles(query.paths, query.from), repo.readFiles(query.paths, query.to)]);
        return diffs.map((d) => (textsFor.has(d.path) ? { ...d, oldText: before.get(d.path) ?? null, newText: after.get(d.path) ?? null } : d));
      },
      readFiles(paths: readonly string[], sha: string) {
        reads.push([...paths]);
        return repo.readFiles(paths, sha);
      },
    });
    for (const [from, to] of [
      [shas[0]!, shas[4]!],
      [shas[3]!, shas[4]!],
    ] as const) {
      reads.length = 0;
      expect(await compareRevisions(partial, target, from, to)).toEqual(await compareRevisions(repo, target, from, to));
      expect(reads.flat().filter((path) => textsFor.has(path))).toEqual([]);
    }
    // Besides the kustomizations, whose secretGenerators name files to mask (decisions 036, 042: the root's too).
    expect(reads.filter((specs) => !specs.every((spec) => /(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(spec)))).toEqual([]);
  });

  it('marks a whole-file replacement when the diff bound is hit, and binary files', async () => {
    const s = new InMemoryRevisionStore({ timeoutMs: 1000, maxEditLength: 1 });
    const a = s.append({ timestamp: '2026-01-01T00:00:00.000Z', author: { name: 'A', email: 'a@example.com' }, message: 'a\n', changes: { [API]: 'a: 1\nb: 2\nc: 3\n', [WEB]: 'x\u0000y' } });
    const b = s.append({ timestamp: '2026-01-01T00:01:00.000Z', author: { name: 'A', email: 'a@example.com' }, message: 'b\n', changes: { [API]: 'a: 9\nb: 2\nc: 8\n', [WEB]: 'x\u0000z' } });
    const diff = diffSchema.parse(await compareRevisions(s, target, a, b));
    expect(diff.files[0]).toMatchObject({ path: API, wholeFile: true, additions: 3, deletions: 3 });
    expect(diff.files[0]!.patch).toContain('@@ -1,3 +1,3 @@\n-a: 1\n-b: 2\n-c: 3\n+a: 9\n+b: 2\n+c: 8\n');
    expect(diff.fields).toHaveLength(2);
    expect(diff.files[1]).toMatchObject({ path: WEB, binary: true, additions: 0, deletions: 0 });
    expect(diff.files[1]!.patch).toBe(`diff --git a/${WEB} b/${WEB}\nBinary files a/${WEB} and b/${WEB} differ\n`);
  });
});

describe('deferred field changes', () => {
  const { store: repo, shas } = store(
    { [API]: values('v1.0.0', '3000'), [WEB]: 'image:\n  tag: w1\n', [NOTES]: 'hello\n' },
    { [API]: values('v1.1.0', '800'), [WEB]: 'image:\n  tag: w2\n', [NOTES]: 'bye\n' },
  );
  /** The characters the field diff would parse: both sides of both YAML files (not NOTES.txt). */
  const yamlChars = values('v1.0.0', '3000').length + values('v1.1.0', '800').length + 2 * 'image:\n  tag: w1\n'.length;

  it('computes fields with the text up to the budget, and defers every YAML file beyond it', async () => {
    const inline = await compareRevisions(repo, target, shas[0]!, shas[1]!, { inlineFieldChars: yamlChars });
    expect(hasDeferredFields(inline)).toBe(false);
    expect(inline.fields.map((f) => f.file)).toEqual([API, API, WEB]);

    const deferred = diffSchema.parse(await compareRevisions(repo, target, shas[0]!, shas[1]!, { inlineFieldChars: yamlChars - 1 }));
    expect(hasDeferredFields(deferred)).toBe(true);
    expect(deferred.files.map((f) => [f.path, f.fieldDiff])).toEqual([
      [NOTES, undefined],
      [API, 'deferred'],
      [WEB, 'deferred'],
    ]);
    expect(deferred.fields).toEqual([]);
    // Only the fields wait: patches and counts are those of the inline compare.
    expect(deferred.files.map(({ fieldDiff: _f, ...rest }) => rest)).toEqual(inline.files);

    const computed = await compareFields(repo, target, shas[0]!, shas[1]!);
    expect(computed.files).toEqual([{ path: NOTES }, { path: API }, { path: WEB }]);
    expect(withComputedFields(deferred, computed)).toEqual(inline);
  });

  it('carries a final state other than complete over to the file', async () => {
    const { store: broken, shas: ids } = store({ [API]: 'a: 1\n' }, { [API]: 'a: [\n' });
    const deferred = await compareRevisions(broken, target, ids[0]!, ids[1]!, { inlineFieldChars: 0 });
    expect(deferred.files[0]!.fieldDiff).toBe('deferred');
    const computed = await compareFields(broken, target, ids[0]!, ids[1]!);
    expect(computed.files).toEqual([{ path: API, fieldDiff: 'unparseable' }]);
    expect(withComputedFields(deferred, computed).files[0]!.fieldDiff).toBe('unparseable');
  });

  it('refuses to merge the fields of other revisions', async () => {
    const deferred = await compareRevisions(repo, target, shas[0]!, shas[1]!, { inlineFieldChars: 0 });
    const other = await compareFields(repo, target, shas[1]!, shas[0]!);
    expect(() => withComputedFields(deferred, other)).toThrow('field changes of other revisions');
  });

  it('computes fields through the given FieldDiffer: one call with the YAML files in order, none when deferred', async () => {
    const calls: FieldDiffPair[][] = [];
    const fieldDiffer: FieldDiffer = async (pairs) => {
      calls.push([...pairs]);
      return inProcessFieldDiffer(pairs);
    };
    const inline = await compareRevisions(repo, target, shas[0]!, shas[1]!);
    expect(await compareRevisions(repo, target, shas[0]!, shas[1]!, { fieldDiffer })).toEqual(inline);
    expect(calls).toEqual([
      [
        { oldText: values('v1.0.0', '3000'), newText: values('v1.1.0', '800') },
        { oldText: 'image:\n  tag: w1\n', newText: 'image:\n  tag: w2\n' },
      ],
    ]);
    expect(await compareFields(repo, target, shas[0]!, shas[1]!, { fieldDiffer })).toEqual(await compareFields(repo, target, shas[0]!, shas[1]!));
    expect(calls).toHaveLength(2);
    await compareRevisions(repo, target, shas[0]!, shas[1]!, { fieldDiffer, inlineFieldChars: 0 });
    expect(calls).toHaveLength(2);
    // Each result belongs to the pair at its position.
    const reversed = await compareRevisions(repo, target, shas[0]!, shas[1]!, { fieldDiffer: async (pairs) => (await inProcessFieldDiffer(pairs)).reverse() });
    expect(reversed.fields.map((f) => [f.file, f.path.join('.')])).toEqual([[API, 'image.tag'], [WEB, 'image.tag'], [WEB, 'env.[name=TIMEOUT_MS].value']]);
    await expect(compareRevisions(repo, target, shas[0]!, shas[1]!, { fieldDiffer: async () => [] })).rejects.toThrow('the field differ answered 0 results for 2 files');
  });

  it('narrows to one file and widens the context', async () => {
    const one = await compareRevisions(repo, target, shas[0]!, shas[1]!, { file: API, context: 0 });
    expect(one.files.map((f) => f.path)).toEqual([API]);
    expect(one.files[0]!.patch.split('\n').filter((l) => l.startsWith(' '))).toEqual([]);
    expect(one.fields).toHaveLength(2);
    expect(one.impact).toEqual({ services: 1, bindings: 0, variables: 0 });
  });
});

describe('unifiedGitPatch', () => {
  it('writes what `git diff --histogram` writes (without index lines)', () => {
    // Captured from git 2.x for the same contents.
    const expected = [
      'diff --git a/add.yaml b/add.yaml\nnew file mode 100644\n--- /dev/null\n+++ b/add.yaml\n@@ -0,0 +1,2 @@\n+new\n+file\n\\ No newline at end of file\n',
      'diff --git a/del.yaml b/del.yaml\ndeleted file mode 100644\n--- a/del.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n',
      'diff --git a/empty.yaml b/empty.yaml\nnew file mode 100644\n',
      'diff --git a/ins.yaml b/ins.yaml\n--- a/ins.yaml\n+++ b/ins.yaml\n@@ -2,6 +2,7 @@ a\n b\n c\n d\n+NEW\n e\n f\n g\n',
      'diff --git a/nonl.yaml b/nonl.yaml\n--- a/nonl.yaml\n+++ b/nonl.yaml\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n',
      'diff --git a/sp ace.yaml b/sp ace.yaml\n--- a/sp ace.yaml\t\n+++ b/sp ace.yaml\t\n@@ -1 +1 @@\n-k: 1\n+k: 2\n',
      'diff --git "a/\\303\\251.yaml" "b/\\303\\251.yaml"\n--- "a/\\303\\251.yaml"\n+++ "b/\\303\\251.yaml"\n@@ -1 +1 @@\n-k: 1\n+k: 2\n',
    ];
    const got = [
      unifiedGitPatch('add.yaml', null, 'new\nfile'),
      unifiedGitPatch('del.yaml', 'gone\n', null),
      unifiedGitPatch('empty.yaml', null, ''),
      unifiedGitPatch('ins.yaml', 'a\nb\nc\nd\ne\nf\ng\nh\n', 'a\nb\nc\nd\nNEW\ne\nf\ng\nh\n'),
      unifiedGitPatch('nonl.yaml', 'x\ny', 'x\nz\n'),
      unifiedGitPatch('sp ace.yaml', 'k: 1\n', 'k: 2\n'),
      unifiedGitPatch('é.yaml', 'k: 1\n', 'k: 2\n'),
    ];
    expect(got.map((d) => d.patch)).toEqual(expected);
    expect(got.map((d) => [d.status, d.additions, d.deletions])).toEqual([
      ['added', 2, 0],
      ['deleted', 0, 1],
      ['added', 0, 0],
      ['modified', 1, 0],
      ['modified', 1, 1],
      ['modified', 1, 1],
      ['modified', 1, 1],
    ]);
  });

  it('quotes paths as git does', () => {
    expect(quoteGitPath('a/plain <script>alert(1)</script>.yaml')).toBe('a/plain <script>alert(1)</script>.yaml');
    expect(quoteGitPath('a/q"b\\c\td\n')).toBe('"a/q\\"b\\\\c\\td\\n"');
  });

  it('falls back to a whole-file replacement when a bound is hit', () => {
    const a = Array.from({ length: 60_000 }, (_, i) => `line ${i} ${i * 7919 % 10007}`).join('\n');
    const b = Array.from({ length: 60_000 }, (_, i) => `other ${i} ${i * 104729 % 10007}`).join('\n');
    const diff = unifiedGitPatch('big.yaml', a, b, { timeoutMs: 100, maxEditLength: 1_000_000 });
    expect(diff).toMatchObject({ wholeFile: true, additions: 60_000, deletions: 60_000 });
    const bounded = unifiedGitPatch('big.yaml', a, b, { timeoutMs: 10_000, maxEditLength: 100 });
    expect(bounded.wholeFile).toBe(true);
  });
});
