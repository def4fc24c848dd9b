import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { identPart } from './commit-writer.ts';
import { gitText, runGit } from './git-cli.ts';
import { initRepo } from './fast-import.ts';
import { GitRevisionStore } from './git-revision-store.ts';
import { tempDirs } from './test-repos.ts';

// Real git processes on a busy machine: generous limits (decision 024).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const dirs = tempDirs('rewind-commit-writer-');
afterAll(() => dirs.cleanup());

const AUTHOR = { name: 'Sam Requester', email: 'sam@example.com' };
const TIMESTAMP = '2026-11-02T10:00:00.000Z';
const ODD = 'tenants/acme/staging/services/api/odd "name" with \\ and spaces ü.yaml';

const git = async (gitDir: string, args: string[], input?: string, env?: Record<string, string>) =>
  (await runGit(['--git-dir', gitDir, ...args], { ...(input === undefined ? {} : { input }), ...(env ? { env } : {}) })).stdout.toString('utf8').trim();

/** A repo whose head has a regular file, an executable, a symlink and a file to delete, in nested trees. */
async function repoWithModes(): Promise<{ gitDir: string; head: string }> {
  const gitDir = await initRepo(join(dirs.make('repo-'), 'repo.git'), { branch: 'main' });
  const blob = (text: string) => git(gitDir, ['hash-object', '-w', '--stdin'], text);
  const api = await git(gitDir, ['mktree'], [
    `100644 blob ${await blob('tag: v2\n')}\tvalues.yaml`,
    `100755 blob ${await blob('#!/bin/sh\necho v2\n')}\tmigrate.sh`,
    `120000 blob ${await blob('values.yaml')}\tcurrent.yaml`,
    `100644 blob ${await blob('gone: soon\n')}\told.yaml`,
  ].join('\n') + '\n');
  let tree = api;
  for (const dir of ['api', 'services', 'staging', 'acme']) tree = await git(gitDir, ['mktree'], `040000 tree ${tree}\t${dir}\n`);
  const root = await git(gitDir, ['mktree'], `040000 tree ${tree}\ttenants\n100644 blob ${await blob('docs\n')}\tREADME.md\n`);
  const env = { GIT_AUTHOR_NAME: 'CI', GIT_AUTHOR_EMAIL: 'ci@example.com', GIT_COMMITTER_NAME: 'CI', GIT_COMMITTER_EMAIL: 'ci@example.com' };
  const head = await git(gitDir, ['commit-tree', root], 'bootstrap\n', env);
  await git(gitDir, ['update-ref', 'refs/heads/main', head]);
  return { gitDir, head };
}

/** The same commit made the way it was before decision 041: a temporary index and commit-tree. */
async function referenceCommit(gitDir: string, head: string, changes: Record<string, string | null>, message: string, modes: Record<string, string>) {
  const scratch = mkdtempSync(join(tmpdir(), 'rewind-commit-ref-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    await git(gitDir, ['read-tree', head], undefined, env);
    const zero = '0'.repeat(40);
    let info = '';
    for (const [path, text] of Object.entries(changes)) {
      if (text === null) info += `0 ${zero}\t${path}\0`;
      else info += `${modes[path] ?? '100644'} ${await git(gitDir, ['hash-object', '-w', '--stdin'], text)}\t${path}\0`;
    }
    await git(gitDir, ['update-index', '-z', '--index-info'], info, env);
    const tree = await git(gitDir, ['write-tree'], undefined, env);
    const date = `${Date.parse(TIMESTAMP) / 1000} +0000`;
    return git(gitDir, ['commit-tree', '--no-gpg-sign', tree, '-p', head], message, {
      GIT_AUTHOR_NAME: AUTHOR.name,
      GIT_AUTHOR_EMAIL: AUTHOR.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: AUTHOR.name,
      GIT_COMMITTER_EMAIL: AUTHOR.email,
      GIT_COMMITTER_DATE: date,
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

describe('writeCommits (one git fast-import)', () => {
  it('makes the very commit a temporary index and commit-tree made: modes kept, deletions, odd paths, no ref, no pack', async () => {
    const { gitDir, head } = await repoWithModes();
    const dir = 'tenants/acme/staging/services/api/';
    const changes: Record<string, string | null> = {
      [`${dir}values.yaml`]: 'tag: v1\n',
      [`${dir}migrate.sh`]: '#!/bin/sh\necho v1\n',
      [`${dir}current.yaml`]: 'values-v1.yaml',
      [`${dir}old.yaml`]: null,
      [`${dir}new/added.yaml`]: 'added: true\n',
      [ODD]: 'odd: true\n',
      'top.yaml': 'at the root\n',
    };
    const message = 'Rollback acme/staging: api to v1\n\nRollback Request ID: rbk-1\n';
    const store = await GitRevisionStore.open({ repoPath: gitDir, branch: 'main', writeCommitGraph: false });
    try {
      const created = await store.commit({ expectedHead: head, changes, message, author: AUTHOR, timestamp: TIMESTAMP });
      const expected = await referenceCommit(gitDir, head, changes, message, { [`${dir}migrate.sh`]: '100755', [`${dir}current.yaml`]: '120000' });
      expect(created).toBe(expected);
      expect(await store.branchHead()).toBe(created);
      const listing = await git(gitDir, ['ls-tree', '-r', created, '--', dir]);
      expect(listing).toMatch(/^100755 blob \w+\ttenants\/acme\/staging\/services\/api\/migrate\.sh$/m);
      expect(listing).toMatch(/^120000 blob \w+\ttenants\/acme\/staging\/services\/api\/current\.yaml$/m);
      expect(listing).not.toMatch(/old\.yaml/);
      expect(await git(gitDir, ['for-each-ref', '--format=%(refname)'])).toBe('refs/heads/main');
      expect(readdirSync(join(gitDir, 'objects', 'pack')).filter((f) => f.endsWith('.pack'))).toEqual([]);
      // A commit on top of the new one with nothing but a deletion.
      const next = await store.commit({ expectedHead: created, changes: { 'top.yaml': null }, message: 'tidy\n', author: AUTHOR, timestamp: TIMESTAMP });
      expect(await git(gitDir, ['diff-tree', '--no-commit-id', '--name-status', '-r', next])).toBe('D\ttop.yaml');
    } finally {
      await store.close();
    }
  });

  it('records names and emails as git does from GIT_AUTHOR_*: crud trimmed at the ends, delimiters dropped', async () => {
    expect(identPart('  Sam <Requester>.  ')).toBe('Sam Requester');
    expect(identPart('"Dana\nO\'Neil"')).toBe("DanaO'Neil");
    expect(identPart('sam@example.com')).toBe('sam@example.com');
    const { gitDir, head } = await repoWithModes();
    const store = await GitRevisionStore.open({ repoPath: gitDir, branch: 'main', writeCommitGraph: false });
    try {
      const author = { name: ' <Eve> "the admin", ', email: '<eve@example.com>' };
      const created = await store.commit({ expectedHead: head, changes: { 'a.yaml': 'a\n' }, message: 'x\n', author, timestamp: TIMESTAMP });
      const date = `${Date.parse(TIMESTAMP) / 1000} +0000`;
      const env = { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_AUTHOR_DATE: date, GIT_COMMITTER_NAME: author.name, GIT_COMMITTER_EMAIL: author.email, GIT_COMMITTER_DATE: date };
      const tree = await gitText(['--git-dir', gitDir, 'rev-parse', `${created}^{tree}`]);
      expect(await git(gitDir, ['commit-tree', tree.trim(), '-p', head], 'x\n', env)).toBe(created);
    } finally {
      await store.close();
    }
  });

  it('writes a series of commits in one fast-import, each the very commit one at a time makes, and moves the branch once (decision 049)', async () => {
    const { gitDir, head } = await repoWithModes();
    const dir = 'tenants/acme/staging/services/api/';
    const first = { changes: { [`${dir}migrate.sh`]: '#!/bin/sh\necho v2\n', [`${dir}old.yaml`]: null }, message: 'Rollback one\n', author: AUTHOR, timestamp: TIMESTAMP };
    const second = { changes: { 'top.yaml': 'second\n', [ODD]: 'odd: 2\n' }, message: 'Rollback two\n', author: { name: 'Dana', email: 'dana@example.com' }, timestamp: '2026-11-02T10:00:05.000Z' };
    const store = await GitRevisionStore.open({ repoPath: gitDir, branch: 'main', writeCommitGraph: false });
    try {
      const updates = vi.spyOn(store as unknown as { git: (args: readonly string[]) => Promise<unknown> }, 'git');
      const [a, b] = await store.commitSeries(head, [first, second]);
      expect(updates.mock.calls.filter(([args]) => args.includes('update-ref'))).toHaveLength(1);
      expect(updates.mock.calls.filter(([args]) => args.includes('fast-import'))).toHaveLength(1);
      expect(await store.branchHead()).toBe(b);
      expect((await git(gitDir, ['rev-parse', `${b}^`])).trim()).toBe(a);
      expect(a).toBe(await referenceCommit(gitDir, head, first.changes, first.message, { [`${dir}migrate.sh`]: '100755', [`${dir}current.yaml`]: '120000' }));
      // The second is the commit one at a time would make on top of the first.
      const alone = await GitRevisionStore.open({ repoPath: gitDir, branch: 'main', writeCommitGraph: false });
      try {
        await runGit(['--git-dir', gitDir, 'update-ref', 'refs/heads/main', a!, b!]);
        expect(await alone.commit({ expectedHead: a!, ...second })).toBe(b);
      } finally {
        await alone.close();
      }
      expect(await git(gitDir, ['for-each-ref', '--format=%(refname)'])).toBe('refs/heads/main');
    } finally {
      await store.close();
    }
  });

  it('a series on a branch that moved lands nothing', async () => {
    const { gitDir, head } = await repoWithModes();
    const store = await GitRevisionStore.open({ repoPath: gitDir, branch: 'main', writeCommitGraph: false });
    try {
      const moved = await store.commit({ expectedHead: head, changes: { 'top.yaml': 'moved\n' }, message: 'outside\n', author: AUTHOR, timestamp: TIMESTAMP });
      const series = [{ changes: { 'a.yaml': 'a\n' }, message: 'one\n', author: AUTHOR, timestamp: TIMESTAMP }];
      await expect(store.commitSeries(head, series)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.branchHead()).toBe(moved);
    } finally {
      await store.close();
    }
  });
});
