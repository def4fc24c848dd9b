/** The diff without patches (the field table's, decision 050) against git's own diff with patches. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RawFileDiff } from '#core/ports.ts';
import { compareFields, compareRevisions } from '#core/compare.ts';
import { defaultLayout, type TargetConfig } from '#core/target-config.ts';
import { importCommits, initRepo } from './fast-import.ts';
import { attributeFilesFor } from './git-attributes.ts';
import { GitRevisionStore } from './git-revision-store.ts';
import { isBinaryBlob } from './git-tree-diff.ts';
import { tempDirs } from './test-repos.ts';

const dirs = tempDirs('rewind-tree-diff-');
afterAll(() => dirs.cleanup());

const ROOT = 'tenants/acme/staging/';
const author = { name: 'CI', email: 'ci@example.com' };
const NUL_LATE = `${'x'.repeat(8000)}\0binary only after git's first 8000 bytes\n`;
const secret = (password: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${password}\n`;

async function repo(extra: Record<string, string | null> = {}) {
  const gitDir = await initRepo(join(dirs.make(), 'repo.git'));
  const { shas } = await importCommits(gitDir, [
    {
      timestamp: '2026-11-01T09:00:00Z',
      author,
      message: 'one\n',
      changes: {
        [`${ROOT}services/api/values.yaml`]: 'image:\n  tag: v1\nreplicas: 2\n',
        [`${ROOT}services/api/secret.yaml`]: secret('old-password'),
        [`${ROOT}services/api/logo.png`]: 'PNG\0\u0001',
        [`${ROOT}services/web/gone.yaml`]: 'a: 1\n',
        [`${ROOT}services/web/late-nul.txt`]: 'text\n',
        'elsewhere/values.yaml': 'x: 1\n',
      },
    },
    {
      timestamp: '2026-11-01T10:00:00Z',
      author,
      message: 'two\n',
      changes: {
        [`${ROOT}services/api/values.yaml`]: 'image:\n  tag: v2\nreplicas: 3\n',
        [`${ROOT}services/api/secret.yaml`]: secret('new-password'),
        [`${ROOT}services/api/logo.png`]: 'PNG\0\u0002',
        [`${ROOT}services/web/gone.yaml`]: null,
        [`${ROOT}services/web/added.yaml`]: 'b: 2\n',
        [`${ROOT}services/web/late-nul.txt`]: NUL_LATE,
        'elsewhere/values.yaml': 'x: 2\n',
        ...extra,
      },
    },
  ]);
  const store = await GitRevisionStore.open({ repoPath: gitDir, branch: 'main', writeCommitGraph: false });
  return { gitDir, store, from: shas[0]!, to: shas[1]! };
}

const withoutPatches = (diffs: RawFileDiff[]) => diffs.map(({ patch: _patch, additions: _a, deletions: _d, ...rest }) => rest);

const target: TargetConfig = {
  tenant: 'acme',
  environment: 'staging',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 0, blockSelfApproval: true, requesters: ['requester'], approvers: ['approver'], breakGlass: ['admin'] },
  layout: defaultLayout('acme', 'staging', ['api', 'web']),
};

describe('diff without patches', () => {
  it('finds the files, statuses, binaries and texts git\'s own diff finds, without writing patches', async () => {
    const { store, from, to } = await repo();
    try {
      const query = { paths: [ROOT], from, to, withTexts: true };
      const [withPatches, texts] = await Promise.all([store.diff(query), store.diff({ ...query, patches: false })]);
      expect(texts.map((d) => d.patch)).toEqual(texts.map(() => ''));
      expect(withoutPatches(texts)).toEqual(withoutPatches(withPatches));
      expect(texts.filter((d) => d.binary).map((d) => d.path)).toEqual([`${ROOT}services/api/logo.png`]);
      expect(texts.map((d) => [d.path, d.status])).toContainEqual([`${ROOT}services/web/added.yaml`, 'added']);
      expect(texts.map((d) => [d.path, d.status])).toContainEqual([`${ROOT}services/web/gone.yaml`, 'deleted']);
    } finally {
      await store.close();
    }
  });

  it('uses git\'s own diff wherever attributes could decide binary-ness: a .gitattributes in a commit, info/attributes', async () => {
    const marked = await repo({ [`${ROOT}services/.gitattributes`]: '*.yaml binary\n' });
    try {
      const query = { paths: [ROOT], from: marked.from, to: marked.to, withTexts: true };
      // Whether git reads a bare repository's attributes from a tree depends on its version: the
      // answer is git's own diff, patches and all, whatever git decides.
      const diffs = await marked.store.diff({ ...query, patches: false });
      expect(diffs.find((d) => d.path.endsWith('api/values.yaml'))!.patch).not.toBe('');
      expect(diffs).toEqual(await marked.store.diff(query));
    } finally {
      await marked.store.close();
    }
    const configured = await repo();
    try {
      mkdirSync(join(configured.gitDir, 'info'), { recursive: true });
      writeFileSync(join(configured.gitDir, 'info', 'attributes'), '*.txt -diff\n');
      const diffs = await configured.store.diff({ paths: [ROOT], from: configured.from, to: configured.to, withTexts: true, patches: false });
      expect(diffs.find((d) => d.path.endsWith('late-nul.txt'))).toMatchObject({ binary: true });
      expect(diffs.find((d) => d.path.endsWith('api/values.yaml'))!.patch).toMatch(/^diff --git /);
    } finally {
      await configured.store.close();
    }
  });

  it('the field table is the compare\'s, Secrets masked, on the git store', async () => {
    const { store, from, to } = await repo();
    try {
      const full = await compareRevisions(store, target, from, to);
      const fields = await compareFields(store, target, from, to);
      expect(fields.fields).toEqual(full.fields);
      expect(fields.files).toEqual(full.files.map((f) => (f.fieldDiff ? { path: f.path, fieldDiff: f.fieldDiff } : { path: f.path })));
      expect(fields.fields.find((f) => f.file.endsWith('secret.yaml'))).toMatchObject({ redacted: true });
      expect(JSON.stringify(fields)).not.toMatch(/old-password|new-password/);
    } finally {
      await store.close();
    }
  });

  it('git\'s binary rule: a NUL in the first 8000 bytes; the attribute files above a path', () => {
    expect(isBinaryBlob(Buffer.from('a\0b'))).toBe(true);
    expect(isBinaryBlob(Buffer.from(NUL_LATE))).toBe(false);
    expect(attributeFilesFor(['a/b/c.yaml', 'a/d.yaml'])).toEqual(['.gitattributes', 'a/.gitattributes', 'a/b/.gitattributes']);
  });
});
