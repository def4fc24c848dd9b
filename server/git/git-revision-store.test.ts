import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RewindError } from '#core/errors.ts';
import { commitGraphIsFresh } from './commit-graph.ts';
import { createRepo } from './demo-repo.ts';
import { gitText, runGit } from './git-cli.ts';
import { importCommits, type ImportCommit } from './fast-import.ts';
import { GitRevisionStore } from './git-revision-store.ts';
import { tempDirs } from './test-repos.ts';

// Real work (git repos and remotes) on a busy machine: generous limits, never vitest's 5 s (decision 024).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const dirs = tempDirs('rewind-store-');
afterAll(() => dirs.cleanup());

const ALICE = { name: 'Alice', email: 'alice@example.com' };
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();
const commit = (minute: number, path: string, content: string | null, message = `change ${minute}\n`): ImportCommit => ({
  timestamp: at(minute),
  author: ALICE,
  message,
  changes: { [path]: content },
});

async function refOf(gitDir: string, ref: string): Promise<string> {
  return (await gitText(['--git-dir', gitDir, 'rev-parse', ref])).trim();
}

describe('GitRevisionStore.open', () => {
  it('says in one sentence when the path is not a git repository', async () => {
    const plain = dirs.make('plain-');
    await expect(GitRevisionStore.open({ repoPath: join(plain, 'missing'), branch: 'main' })).rejects.toThrow(
      /^The repository path .*missing does not exist\.$/,
    );
    writeFileSync(join(plain, 'file'), 'x');
    await expect(GitRevisionStore.open({ repoPath: join(plain, 'file'), branch: 'main' })).rejects.toThrow(/is not a directory\.$/);
    await expect(GitRevisionStore.open({ repoPath: plain, branch: 'main' })).rejects.toThrow(/is not a git repository \(git says: .*\)\.$/);
    // A plain directory inside a work tree is not the repository.
    const repo = dirs.make('worktree-');
    await createRepo(repo, [commit(0, 'a.txt', 'a\n')], { bare: false });
    mkdirSync(join(repo, 'sub'));
    await expect(GitRevisionStore.open({ repoPath: join(repo, 'sub'), branch: 'main' })).rejects.toThrow(/is not a git repository/);
    // The work tree itself is, but not while its checked-out branch is the one served (issue 11).
    await expect(GitRevisionStore.open({ repoPath: repo, branch: 'main' })).rejects.toThrow(/has the branch "main" checked out in the work tree .*git clone --bare/);
    await runGit(['--git-dir', join(repo, '.git'), 'branch', 'release', 'main']);
    await runGit(['--git-dir', join(repo, '.git'), 'symbolic-ref', 'HEAD', 'refs/heads/release']);
    const store = await GitRevisionStore.open({ repoPath: repo, branch: 'main' });
    expect(store.gitDir).toMatch(/\.git$/);
    await store.close();
  });

  it('refuses a bare repo whose linked work tree has the served branch checked out', async () => {
    const repo = dirs.make('bare-');
    await createRepo(repo, [commit(0, 'a.txt', 'a\n')]);
    const linked = join(dirs.make('linked-'), 'wt');
    await runGit(['--git-dir', repo, 'worktree', 'add', '--quiet', linked, 'main']);
    await expect(GitRevisionStore.open({ repoPath: repo, branch: 'main' })).rejects.toThrow(new RegExp(`checked out in the work tree .*wt\\. `));
    await runGit(['--git-dir', repo, 'worktree', 'remove', '--force', linked]);
    const store = await GitRevisionStore.open({ repoPath: repo, branch: 'main' });
    await store.close();
  });

  it('says when the branch does not exist or is not a branch name', async () => {
    const repo = dirs.make();
    await createRepo(repo, [commit(0, 'a.txt', 'a\n')]);
    await expect(GitRevisionStore.open({ repoPath: repo, branch: 'release' })).rejects.toThrow(/^The branch "release" does not exist in .*\.$/);
    await expect(GitRevisionStore.open({ repoPath: repo, branch: 'a..b' })).rejects.toThrow(/^"a\.\.b" is not a valid branch name\.$/);
    const empty = dirs.make();
    await createRepo(empty, []);
    await expect(GitRevisionStore.open({ repoPath: empty, branch: 'main' })).rejects.toThrow(/does not exist/);
  });

  it('writes a commit-graph with changed-path filters, and refreshes it when stale', async () => {
    const repo = dirs.make();
    const { gitDir } = await createRepo(repo, [commit(0, 'a.txt', 'a\n'), commit(1, 'b.txt', 'b\n')]);
    const objects = join(gitDir, 'objects');
    expect(await commitGraphIsFresh(objects, await refOf(gitDir, 'main'))).toBe(false);
    await (await GitRevisionStore.open({ repoPath: repo, branch: 'main' })).close();
    expect(await commitGraphIsFresh(objects, await refOf(gitDir, 'main'))).toBe(true);
    await importCommits(gitDir, [commit(2, 'c.txt', 'c\n')]);
    expect(await commitGraphIsFresh(objects, await refOf(gitDir, 'main'))).toBe(false);
    await (await GitRevisionStore.open({ repoPath: repo, branch: 'main' })).close();
    expect(await commitGraphIsFresh(objects, await refOf(gitDir, 'main'))).toBe(true);
  });
});

describe('GitRevisionStore', () => {
  it('sees a branch moved by another process, and a commit it made itself', async () => {
    const repo = dirs.make();
    const { gitDir, shas } = await createRepo(repo, [commit(0, 'a.txt', 'a\n')]);
    const store = await GitRevisionStore.open({ repoPath: repo, branch: 'main' });
    try {
      expect(await store.branchHead()).toBe(shas[0]);
      const { shas: more } = await importCommits(gitDir, [commit(1, 'a.txt', 'a2\n')]);
      expect(await store.branchHead()).toBe(more[0]);
      await runGit(['--git-dir', gitDir, 'pack-refs', '--all']);
      expect(await store.branchHead()).toBe(more[0]);
      const mine = await store.commit({ expectedHead: more[0]!, changes: { 'a.txt': 'a3\n' }, message: 'mine', author: ALICE, timestamp: at(2) });
      expect(await refOf(gitDir, 'main')).toBe(mine);
      // The message is stored byte for byte, without a newline added.
      expect((await store.log({ paths: ['a.txt'], limit: 1 }))[0]!.message).toBe('mine');
    } finally {
      await store.close();
    }
  });

  it('resolves only commits reachable from the branch, before and after it lists them', async () => {
    const repo = dirs.make();
    const { gitDir, shas } = await createRepo(repo, Array.from({ length: 30 }, (_, i) => commit(i, `f${i % 3}.txt`, `${i}\n`)));
    const side = await importCommits(gitDir, [commit(40, 'side.txt', 'side\n')], { branch: 'side' });
    const store = await GitRevisionStore.open({ repoPath: repo, branch: 'main', branchSetDelayMs: 0 });
    try {
      // Nothing logged yet: the first answers come from git (merge-base), then from the listed set.
      expect(await store.resolveCommit(shas[3]!)).toBe(shas[3]);
      expect(await store.resolveCommit(side.shas[0]!)).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await store.resolveCommit(shas[5]!)).toBe(shas[5]);
      expect(await store.resolveCommit(shas[6]!.slice(0, 10))).toBe(shas[6]);
      expect(await store.resolveCommit(side.shas[0]!)).toBeNull();
      expect(await store.resolveCommit(side.shas[0]!.slice(0, 10))).toBeNull();
      // The branch moves forward: the set follows.
      const later = await importCommits(gitDir, [commit(50, 'f0.txt', 'later\n')]);
      expect(await store.resolveCommit(later.shas[0]!)).toBe(later.shas[0]);
      // A merge makes the side commit reachable.
      await importCommits(gitDir, [commit(51, 'side.txt', 'merged\n')], { branch: 'side' });
      const tree = (await gitText(['--git-dir', gitDir, 'rev-parse', 'refs/heads/side^{tree}'])).trim();
      const identity = { GIT_AUTHOR_NAME: 'm', GIT_AUTHOR_EMAIL: 'm@x', GIT_COMMITTER_NAME: 'm', GIT_COMMITTER_EMAIL: 'm@x' };
      const merge = (await gitText(['--git-dir', gitDir, 'commit-tree', tree, '-p', later.shas[0]!, '-p', 'refs/heads/side', '-m', 'merge'], { env: identity })).trim();
      await gitText(['--git-dir', gitDir, 'update-ref', 'refs/heads/main', merge]);
      expect(await store.resolveCommit(side.shas[0]!)).toBe(side.shas[0]);
    } finally {
      await store.close();
    }
  });

  it('keeps an executable bit and a symlink when it rewrites them', async () => {
    const repo = dirs.make();
    const { gitDir, shas } = await createRepo(repo, [commit(0, 'a.txt', 'a\n')]);
    const git = (args: string[], options: Parameters<typeof runGit>[1] = {}) => gitText(['--git-dir', gitDir, ...args], options);
    const index = join(dirs.make(), 'index');
    const env = { GIT_INDEX_FILE: index };
    const blob = (await git(['hash-object', '-w', '--stdin'], { input: '#!/bin/sh\n' })).trim();
    const link = (await git(['hash-object', '-w', '--stdin'], { input: 'a.txt' })).trim();
    await git(['read-tree', shas[0]!], { env });
    await git(['update-index', '--index-info'], { env, input: `100755 ${blob}\trun.sh\n120000 ${link}\tlink\n` });
    const tree = (await git(['write-tree'], { env })).trim();
    const head = (await git(['commit-tree', tree, '-p', shas[0]!, '-m', 'modes'], { env: { GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@x', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@x' } })).trim();
    await git(['update-ref', 'refs/heads/main', head]);

    const store = await GitRevisionStore.open({ repoPath: repo, branch: 'main' });
    try {
      const sha = await store.commit({
        expectedHead: head,
        changes: { 'run.sh': '#!/bin/sh\necho hi\n', link: 'b.txt', 'new.txt': 'new\n' },
        message: 'rewrite\n',
        author: ALICE,
      });
      const listing = await git(['ls-tree', sha]);
      expect(listing).toMatch(/^100755 blob \S+\trun\.sh$/m);
      expect(listing).toMatch(/^120000 blob \S+\tlink$/m);
      expect(listing).toMatch(/^100644 blob \S+\tnew\.txt$/m);
    } finally {
      await store.close();
    }
  });

  it('follows the first-parent chain: a merged branch is one revision, its merge commit', async () => {
    const repo = dirs.make();
    const { gitDir, shas } = await createRepo(repo, [commit(0, 'app/a.yaml', 'a: 1\n')]);
    const git = (args: string[], options: Parameters<typeof runGit>[1] = {}) => gitText(['--git-dir', gitDir, ...args], options);
    // A side branch with two commits, merged into main with --no-ff.
    const side = await importCommits(gitDir, [commit(1, 'app/a.yaml', 'a: 2\n'), commit(2, 'app/b.yaml', 'b: 1\n')], { branch: 'side' });
    const tree = (await git(['rev-parse', `${side.shas[1]}^{tree}`])).trim();
    const identity = { GIT_AUTHOR_NAME: 'm', GIT_AUTHOR_EMAIL: 'm@x', GIT_COMMITTER_NAME: 'm', GIT_COMMITTER_EMAIL: 'm@x', GIT_AUTHOR_DATE: '1772362000 +0000', GIT_COMMITTER_DATE: '1772362000 +0000' };
    const merge = (await git(['commit-tree', tree, '-p', shas[0]!, '-p', side.shas[1]!, '-m', 'Merge side'], { env: identity })).trim();
    await git(['update-ref', 'refs/heads/main', merge]);

    const store = await GitRevisionStore.open({ repoPath: repo, branch: 'main' });
    try {
      const log = await store.log({ paths: ['app/'], limit: 10 });
      expect(log.map((r) => r.sha)).toEqual([merge, shas[0]]);
      expect(log[0]!.paths).toEqual(['app/a.yaml', 'app/b.yaml']);
      expect(await store.range({ paths: ['app/'], since: shas[0]!, until: merge })).toEqual([merge]);
      // Side-branch commits are reachable, so their ids resolve.
      expect(await store.resolveCommit(side.shas[0]!.slice(0, 8))).toBe(side.shas[0]);
    } finally {
      await store.close();
    }
  });

  it('finds new rollbacks after the branch moved, and fresh statuses after the notes moved', async () => {
    const repo = dirs.make();
    const rollback = (minute: number) => commit(minute, 'app/a.yaml', `a: ${minute}\n`, `Rollback: tenant/t env/e → revision 0000000\n\nx\n`);
    const { gitDir, shas } = await createRepo(repo, [commit(0, 'app/a.yaml', 'a: 0\n'), rollback(1)]);
    const store = await GitRevisionStore.open({ repoPath: repo, branch: 'main' });
    try {
      expect((await store.logRollbacks(['app/'])).map((r) => r.sha)).toEqual([shas[1]]);
      const later = await importCommits(gitDir, [commit(2, 'app/a.yaml', 'a: 2\n'), rollback(3)]);
      expect((await store.logRollbacks(['app/'])).map((r) => r.sha)).toEqual([later.shas[1], shas[1]]);
      await runGit(['--git-dir', gitDir, 'notes', '--ref=rewind-deployments', 'add', '-m', 'status: failed', shas[1]!], {
        env: { GIT_AUTHOR_NAME: 'n', GIT_AUTHOR_EMAIL: 'n@x', GIT_COMMITTER_NAME: 'n', GIT_COMMITTER_EMAIL: 'n@x' },
      });
      expect((await store.logRollbacks(['app/'])).map((r) => r.deployStatus)).toEqual([undefined, 'failed']);
    } finally {
      await store.close();
    }
  });
});

describe('GitRevisionStore with a remote', () => {
  async function setup() {
    const remote = dirs.make('remote-');
    const { gitDir: remoteGitDir, shas } = await createRepo(remote, [commit(0, 'app/a.yaml', 'a: 0\n'), commit(1, 'app/a.yaml', 'a: 1\n')]);
    const local = dirs.make('local-');
    await runGit(['clone', '--quiet', '--bare', remote, local]);
    return { remote, remoteGitDir, local, shas };
  }

  it('pushes its commits to the remote', async () => {
    const { remoteGitDir, local, shas } = await setup();
    const store = await GitRevisionStore.open({ repoPath: local, branch: 'main', remote: 'origin' });
    try {
      const sha = await store.commit({ expectedHead: shas[1]!, changes: { 'app/a.yaml': 'a: 2\n' }, message: 'two\n', author: ALICE, timestamp: at(2) });
      expect(await refOf(remoteGitDir, 'main')).toBe(sha);
    } finally {
      await store.close();
    }
  });

  it('turns a rejected push into a conflict, moves the local branch back, and never forces', async () => {
    const { remoteGitDir, local, shas } = await setup();
    const store = await GitRevisionStore.open({ repoPath: local, branch: 'main', remote: 'origin', fetchIntervalMs: 60 * 60_000 });
    try {
      // Someone pushes to the remote; this store has not fetched since.
      const { shas: theirs } = await importCommits(remoteGitDir, [commit(5, 'app/b.yaml', 'b: 1\n')]);
      expect(await store.branchHead()).toBe(shas[1]);
      const attempt = store.commit({ expectedHead: shas[1]!, changes: { 'app/a.yaml': 'a: 2\n' }, message: 'mine\n', author: ALICE, timestamp: at(6) });
      await expect(attempt).rejects.toBeInstanceOf(RewindError);
      await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/push rejected/) });
      expect(await refOf(remoteGitDir, 'main')).toBe(theirs[0]);
      // Their commit was fetched after the rejection: mine is gone, theirs is the head to plan on.
      expect(await store.branchHead()).toBe(theirs[0]);
      expect((await store.log({ paths: ['app/a.yaml'], limit: 1 }))[0]!.sha).toBe(shas[1]);
    } finally {
      await store.close();
    }
    // A store that fetched sees their commit and commits on top of it.
    const fresh = await GitRevisionStore.open({ repoPath: local, branch: 'main', remote: 'origin' });
    try {
      const head = await fresh.branchHead();
      expect(head).toBe(await refOf(remoteGitDir, 'main'));
      const sha = await fresh.commit({ expectedHead: head!, changes: { 'app/a.yaml': 'a: 2\n' }, message: 'mine\n', author: ALICE, timestamp: at(7) });
      expect(await refOf(remoteGitDir, 'main')).toBe(sha);
    } finally {
      await fresh.close();
    }
  });

  it('a mirror drops a commit it never pushed (killed between commit and push) and follows the remote', async () => {
    const { remoteGitDir, local, shas } = await setup();
    // What a process killed after its ref move and before its push leaves: a local commit only.
    const orphan = (await gitText(['--git-dir', local, 'commit-tree', '-p', shas[1]!, '-m', 'never pushed', `${shas[1]!}^{tree}`], {
      env: { GIT_AUTHOR_NAME: 'n', GIT_AUTHOR_EMAIL: 'n@x', GIT_COMMITTER_NAME: 'n', GIT_COMMITTER_EMAIL: 'n@x' },
    })).trim();
    await runGit(['--git-dir', local, 'update-ref', 'refs/heads/main', orphan, shas[1]!]);
    // Meanwhile a peer pushed.
    const { shas: theirs } = await importCommits(remoteGitDir, [commit(5, 'app/b.yaml', 'b: 1\n')]);
    // A repository people work in keeps its branch: the fetch is refused, and says so.
    await expect(GitRevisionStore.open({ repoPath: local, branch: 'main', remote: 'origin' })).rejects.toThrow(/^Cannot fetch "main"/);
    const store = await GitRevisionStore.open({ repoPath: local, branch: 'main', remote: 'origin', mirror: true, fetchIntervalMs: 60 * 60_000 });
    try {
      expect(await store.branchHead()).toBe(theirs[0]);
      expect(await store.resolveCommit(orphan)).toBeNull();
      const sha = await store.commit({ expectedHead: theirs[0]!, changes: { 'app/a.yaml': 'a: 2\n' }, message: 'mine\n', author: ALICE, timestamp: at(6) });
      expect(await refOf(remoteGitDir, 'main')).toBe(sha);
    } finally {
      await store.close();
    }
  });

  it('fetches at once for a commit it does not have yet (a peer replica made it after the last fetch)', async () => {
    const { remoteGitDir, local, shas } = await setup();
    const store = await GitRevisionStore.open({ repoPath: local, branch: 'main', remote: 'origin', mirror: true, fetchIntervalMs: 60 * 60_000 });
    try {
      const { shas: theirs } = await importCommits(remoteGitDir, [commit(5, 'app/a.yaml', 'a: 5\n')]);
      const peer = theirs[0]!;
      // Each read names the peer's commit first, as a request's page does with the commit from the database.
      expect((await store.diff({ paths: ['app/'], from: shas[1]!, to: peer })).map((d) => d.path)).toEqual(['app/a.yaml']);
      expect(await store.resolveCommit(peer)).toBe(peer);
      const { shas: later } = await importCommits(remoteGitDir, [commit(6, 'app/a.yaml', 'a: 6\n')]);
      expect(await store.resolveCommit(later[0]!)).toBe(later[0]);
      const { shas: last } = await importCommits(remoteGitDir, [commit(7, 'app/a.yaml', 'a: 7\n')]);
      expect((await store.readFiles(['app/'], last[0]!)).get('app/a.yaml')).toBe('a: 7\n');
      expect(await store.range({ paths: ['app/'], since: shas[1]!, until: last[0]! })).toHaveLength(3);
      // An id nobody has stays unknown (after one fetch).
      expect(await store.resolveCommit('0123456789abcdef0123456789abcdef01234567')).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('says in one sentence when the remote cannot be fetched at open', async () => {
    const { local } = await setup();
    await expect(GitRevisionStore.open({ repoPath: local, branch: 'main', remote: '/nonexistent/remote.git' })).rejects.toThrow(
      /^Cannot fetch "main" from the remote \/nonexistent\/remote\.git \(git says: .*\)\.$/,
    );
  });

  it('fetches deployment notes and keeps reading when the remote is unreachable', async () => {
    const { remote, remoteGitDir, local, shas } = await setup();
    await runGit(['--git-dir', remoteGitDir, 'notes', '--ref=rewind-deployments', 'add', '-m', 'status: failed', shas[1]!], {
      env: { GIT_AUTHOR_NAME: 'n', GIT_AUTHOR_EMAIL: 'n@x', GIT_COMMITTER_NAME: 'n', GIT_COMMITTER_EMAIL: 'n@x' },
    });
    const errors: Error[] = [];
    const store = await GitRevisionStore.open({ repoPath: local, branch: 'main', remote: 'origin', fetchIntervalMs: 0, onFetchError: (e) => errors.push(e) });
    try {
      expect((await store.log({ paths: ['app/'], limit: 1 }))[0]!.deployStatus).toBe('failed');
      rmSync(remote, { recursive: true, force: true });
      expect(await store.branchHead()).toBe(shas[1]);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0]!.message).toMatch(/^git fetch failed/);
    } finally {
      await store.close();
    }
  });
});

describe('GitRevisionStore.diff', () => {
  it('returns the texts of changed files with the patches when asked, in one pass over git', async () => {
    const repo = dirs.make();
    const base = { 'app/a.yaml': 'a: 1\nb: 2\n', 'app/gone.yaml': 'gone: true\n', 'app/bin.dat': 'bin\u00001', 'app/run.sh': 'echo\n', 'other/x.yaml': 'x: 1\n' };
    const { gitDir, shas } = await createRepo(repo, [{ timestamp: at(0), author: ALICE, message: 'base\n', changes: base }]);
    const git = (args: string[], options: Parameters<typeof runGit>[1] = {}) => gitText(['--git-dir', gitDir, ...args], options);
    const env = { GIT_INDEX_FILE: join(dirs.make(), 'index') };
    const blob = async (text: string) => (await git(['hash-object', '-w', '--stdin'], { input: text })).trim();
    await git(['read-tree', shas[0]!], { env });
    const entries = [
      `100644 ${await blob('a: 1\nb: 3\n')}\tapp/a.yaml`,
      `0 ${'0'.repeat(40)}\tapp/gone.yaml`,
      `100644 ${await blob('new: 1\n')}\tapp/new.yaml`,
      `100644 ${await blob('bin\u00002')}\tapp/bin.dat`,
      `100755 ${await blob('echo\n')}\tapp/run.sh`,
      // A submodule: never a file of the target.
      `160000 ${shas[0]}\tapp/sub`,
      `100644 ${await blob('x: 2\n')}\tother/x.yaml`,
    ];
    await git(['update-index', '--index-info'], { env, input: `${entries.join('\n')}\n` });
    const tree = (await git(['write-tree'], { env })).trim();
    const identity = { GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@x', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@x' };
    const head = (await git(['commit-tree', tree, '-p', shas[0]!, '-m', 'changes'], { env: identity })).trim();
    await git(['update-ref', 'refs/heads/main', head]);

    const store = await GitRevisionStore.open({ repoPath: repo, branch: 'main' });
    try {
      const query = { paths: ['app/'], from: shas[0]!, to: head };
      const plain = await store.diff(query);
      expect(plain.map((d) => [d.path, d.status, d.additions, d.deletions, d.binary ?? false])).toEqual([
        ['app/a.yaml', 'modified', 1, 1, false],
        ['app/bin.dat', 'modified', 0, 0, true],
        ['app/gone.yaml', 'deleted', 0, 1, false],
        ['app/new.yaml', 'added', 1, 0, false],
        ['app/run.sh', 'modified', 0, 0, false],
      ]);
      expect(plain.find((d) => d.path === 'app/run.sh')!.patch).toBe('diff --git a/app/run.sh b/app/run.sh\nold mode 100644\nnew mode 100755\n');
      expect(plain.every((d) => d.oldText === undefined && d.newText === undefined)).toBe(true);

      const withTexts = await store.diff({ ...query, withTexts: true });
      expect(withTexts.map(({ oldText: _old, newText: _new, ...rest }) => rest)).toEqual(plain);
      const texts = Object.fromEntries(withTexts.map((d) => [d.path, [d.oldText, d.newText]]));
      expect(texts).toEqual({
        'app/a.yaml': ['a: 1\nb: 2\n', 'a: 1\nb: 3\n'],
        'app/bin.dat': [undefined, undefined],
        'app/gone.yaml': ['gone: true\n', null],
        'app/new.yaml': [null, 'new: 1\n'],
        'app/run.sh': ['echo\n', 'echo\n'],
      });

      // A layout glob git cannot express exactly is widened to its directory; the rest is dropped.
      const narrowed = await store.diff({ paths: ['app/a**'], from: shas[0]!, to: head, withTexts: true });
      expect(narrowed.map((d) => [d.path, d.patch.split('\n')[0], d.newText])).toEqual([['app/a.yaml', 'diff --git a/app/a.yaml b/app/a.yaml', 'a: 1\nb: 3\n']]);
      // A glob whose wildcard is in the first segment: git lists every change, patches only the target's.
      expect(await store.diff({ paths: ['app**'], from: shas[0]!, to: head, withTexts: true })).toEqual(withTexts);
      expect(await store.diff({ paths: ['other/'], from: head, to: head, withTexts: true })).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
