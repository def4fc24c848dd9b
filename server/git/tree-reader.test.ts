import { afterAll, describe, expect, it } from 'vitest';
import { CatFileBatch } from './cat-file-batch.ts';
import { createRepo } from './demo-repo.ts';
import { gitText } from './git-cli.ts';
import { tempDirs } from './test-repos.ts';
import { matchesAny } from '#core/target-config.ts';
import { listPathspecBlobs, listTreeBlobs } from './tree-reader.ts';

const dirs = tempDirs('rewind-tree-');
afterAll(() => dirs.cleanup());

describe('listTreeBlobs', () => {
  it('lists what ls-tree lists under directories, nested ones too, and nothing for an absent one', { timeout: 30_000 }, async () => {
    const repo = dirs.make();
    const changes = {
      'svc/a/values.yaml': 'image:\n  tag: v1\n',
      'svc/a/deep/er/job.yaml': 'kind: Job\n',
      'svc/a/name with spaces.yaml': 'x: 1\n',
      'svc/b/values.yaml': 'y: 2\n',
    };
    const { gitDir } = await createRepo(repo, [{ timestamp: '2026-03-01T10:00:00.000Z', author: { name: 'A', email: 'a@example.com' }, message: 'one\n', changes }]);
    const head = (await gitText(['--git-dir', gitDir, 'rev-parse', 'HEAD'])).trim();
    const batch = new CatFileBatch(gitDir);
    try {
      const listed = await listTreeBlobs(batch, head, ['svc/a', 'svc/missing']);
      const lsTree = (await gitText(['--git-dir', gitDir, 'ls-tree', '-r', '-z', head, '--', 'svc/a/']))
        .split('\0')
        .filter(Boolean)
        .map((line) => ({ path: line.slice(line.indexOf('\t') + 1), oid: line.split(' ')[2]!.split('\t')[0]! }));
      const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1);
      expect(listed?.sort(byPath)).toEqual(lsTree.sort(byPath));
      expect(listed).toHaveLength(3);
      // A file where a directory was expected is not a tree: the caller falls back to ls-tree.
      expect(await listTreeBlobs(batch, head, ['svc/b/values.yaml'])).toBeNull();
    } finally {
      await batch.close();
    }
  });
});

describe('listPathspecBlobs', () => {
  it('gives what ls-tree gives for directories, names under directories and exact paths; null for other patterns', { timeout: 30_000 }, async () => {
    const repo = dirs.make();
    const changes = {
      'kustomization.yaml': 'resources: [apps]\n',
      'apps/kustomization.yaml': 'resources: [prod]\n',
      'apps/prod/kustomization.yaml': 'resources: [web]\n',
      'apps/prod/web/kustomization.yaml': 'resources: [d.yaml]\n',
      'apps/prod/web/d.yaml': 'kind: Deployment\n',
      'apps/staging/kustomization.yaml': 'resources: []\n',
    };
    const { gitDir } = await createRepo(repo, [{ timestamp: '2026-03-01T10:00:00.000Z', author: { name: 'A', email: 'a@example.com' }, message: 'one\n', changes }]);
    const head = (await gitText(['--git-dir', gitDir, 'rev-parse', 'HEAD'])).trim();
    const batch = new CatFileBatch(gitDir);
    try {
      const specs = ['apps/prod/**/kustomization.yaml', 'apps/kustomization.yaml', 'kustomization.yaml', 'apps/Kustomization', 'apps/prod', 'nowhere/kustomization.yaml'];
      const listed = await listPathspecBlobs(batch, head, specs, (path) => matchesAny(specs, path));
      const lsTree = (await gitText(['--git-dir', gitDir, 'ls-tree', '-r', '-z', head]))
        .split('\0')
        .filter(Boolean)
        .map((line) => line.slice(line.indexOf('\t') + 1))
        .filter((path) => matchesAny(specs, path));
      expect(listed!.map((b) => b.path).sort()).toEqual(lsTree.sort());
      expect(listed!.map((b) => b.path).sort()).toEqual(['apps/kustomization.yaml', 'apps/prod/kustomization.yaml', 'apps/prod/web/kustomization.yaml', 'kustomization.yaml']);
      // Exact paths come with their content.
      expect(listed!.find((b) => b.path === 'kustomization.yaml')?.content?.toString()).toBe('resources: [apps]\n');
      for (const other of [['apps/*/kustomization.yaml'], ['../x'], ['apps/./prod/d.yaml']]) expect(await listPathspecBlobs(batch, head, other, () => true)).toBeNull();
    } finally {
      await batch.close();
    }
  });
});
