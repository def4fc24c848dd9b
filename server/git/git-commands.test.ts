/**
 * Which git commands the store's lookups cost: every command it runs is counted (head-follower.ts
 * after commits made elsewhere and its own, the range cache of git-revision-store.ts, the walk that
 * answers newest-commit lookups asked together, newest-walk.ts).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createRepo } from './demo-repo.ts';
import { importCommits, type ImportCommit } from './fast-import.ts';
import type * as GitCli from './git-cli.ts';
import { GitRevisionStore } from './git-revision-store.ts';
import { tempDirs } from './test-repos.ts';

// Every git command the store runs.
const sent = vi.hoisted(() => [] as string[][]);
/** How many of the next `git log` commands fail. */
const failing = vi.hoisted(() => ({ logs: 0 }));
vi.mock('./git-cli.ts', async (importOriginal) => {
  const real = await importOriginal<typeof GitCli>();
  return {
    ...real,
    runGit: (args: readonly string[], options?: Parameters<typeof real.runGit>[1]) => {
      sent.push([...args]);
      if (failing.logs > 0 && args.includes('log')) {
        failing.logs -= 1;
        return Promise.reject(new Error('git log failed'));
      }
      return real.runGit(args, options);
    },
  };
});

// Real repositories on a busy machine: generous limits, never vitest's 5 s (decision 024).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const dirs = tempDirs('rewind-follow-');
afterAll(() => dirs.cleanup());

const ALICE = { name: 'Alice', email: 'alice@example.com' };
const commit = (minute: number, path: string, content: string): ImportCommit => ({
  timestamp: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString(),
  author: ALICE,
  message: `change ${minute}\n`,
  changes: { [path]: content },
});

/** The `git log` commands sent for a target's own paths (not the follower's range). */
const lookupsOf = (path: string) => sent.filter((args) => args.includes('log') && args.at(-1) === path);

describe('HeadFollower (decision 059)', () => {
  it('carries newest-commit answers over commits made elsewhere that leave their paths alone, and only along the first-parent chain', async () => {
    const { gitDir, shas } = await createRepo(dirs.make('repo-'), [commit(0, 'a/x', 'x\n'), commit(1, 'b/y', 'y\n')], { branch: 'main' });
    const store = await GitRevisionStore.open({ repoPath: gitDir, branch: 'main' });
    try {
      const newest = async (path: string) => (await store.log({ paths: [path], limit: 1 })).map((c) => c.sha);
      expect([await newest('a/'), await newest('b/')]).toEqual([[shas[0]], [shas[1]]]);

      // A commit pushed by someone else, touching b/ only.
      const { shas: pushed } = await importCommits(gitDir, [commit(2, 'b/y', 'y2\n')], { branch: 'main' });
      sent.length = 0;
      expect(await newest('a/')).toEqual([shas[0]]);
      expect(lookupsOf('a/'), 'a/ carried: no log of its own').toHaveLength(0);
      expect(sent.filter((args) => args.includes(`${shas[1]}..${pushed[0]}`)), 'one log of the new commits').toHaveLength(1);
      expect(await newest('b/')).toEqual([pushed[0]]);
      expect(lookupsOf('b/'), 'b/ changed: looked up again').toHaveLength(1);

      // The branch rewritten: reset to the first commit, then a commit on c/. The head followed before is
      // not on the new first-parent chain: nothing is carried (b/ was never touched on this history).
      const { runGit } = await import('./git-cli.ts');
      await runGit(['--git-dir', gitDir, 'update-ref', 'refs/heads/main', shas[0]!]);
      const { shas: rewritten } = await importCommits(gitDir, [commit(3, 'c/z', 'z\n')], { branch: 'main' });
      sent.length = 0;
      expect(await newest('b/')).toEqual([]);
      expect(await newest('a/')).toEqual([shas[0]]);
      expect(lookupsOf('a/'), 'looked up again on the rewritten branch').toHaveLength(1);
      expect(await newest('c/')).toEqual([rewritten[0]]);
    } finally {
      await store.close();
    }
  });
});

describe('HeadFollower and the store’s own commits (decision 059)', () => {
  it('carries the answers over a peer’s commits fetched under the commit lock and its own commit on top, with one log', async () => {
    const remote = dirs.make('remote-');
    const { gitDir: remoteGitDir, shas } = await createRepo(remote, [commit(0, 'a/x', 'x\n'), commit(1, 'b/y', 'y\n')], { branch: 'main' });
    const local = dirs.make('mirror-');
    const { runGit } = await import('./git-cli.ts');
    await runGit(['clone', '--quiet', '--bare', remote, local]);
    const store = await GitRevisionStore.open({ repoPath: local, branch: 'main', remote: 'origin', mirror: true, fetchIntervalMs: 60 * 60_000 });
    try {
      const newest = async (path: string) => (await store.log({ paths: [path], limit: 1 })).map((c) => c.sha);
      expect([await newest('a/'), await newest('b/')]).toEqual([[shas[0]], [shas[1]]]);

      // A peer replica pushes a commit on c/; this replica fetches it under its commit lock and
      // commits on d/ on top, before anything else is looked up.
      const { shas: theirs } = await importCommits(remoteGitDir, [commit(2, 'c/z', 'z\n')], { branch: 'main' });
      await store.refresh();
      const own = await store.commit({ expectedHead: theirs[0]!, changes: { 'd/w': 'w\n' }, message: 'own\n', author: ALICE, timestamp: new Date(Date.UTC(2026, 2, 1, 10, 3)).toISOString() });
      sent.length = 0;
      expect([await newest('a/'), await newest('b/')]).toEqual([[shas[0]], [shas[1]]]);
      expect([...lookupsOf('a/'), ...lookupsOf('b/')], 'carried: no log of their own').toHaveLength(0);
      expect(sent.filter((args) => args.includes(`${shas[1]}..${own}`)), 'one log of the peer’s commit and the own one').toHaveLength(1);
      expect([await newest('c/'), await newest('d/')]).toEqual([[theirs[0]], [own]]);
      expect([...lookupsOf('c/'), ...lookupsOf('d/')], 'touched: looked up').toHaveLength(2);

      // Its next commit, on the head followed: carried with no log at all.
      const next = await store.commit({ expectedHead: own, changes: { 'd/w': 'w2\n' }, message: 'own again\n', author: ALICE, timestamp: new Date(Date.UTC(2026, 2, 1, 10, 4)).toISOString() });
      sent.length = 0;
      expect(await newest('a/')).toEqual([shas[0]]);
      expect(sent.filter((args) => args.includes('log')), 'no log').toHaveLength(0);
      expect(await newest('d/')).toEqual([next]);
    } finally {
      await store.close();
    }
  });
});

describe('GitRevisionStore.range', () => {
  it('shares one git log among concurrent askers of one range, remembers it, and forgets a failed one', async () => {
    const { gitDir, shas } = await createRepo(dirs.make('repo-'), [commit(0, 'a/x', 'x\n'), commit(1, 'a/x', 'x2\n'), commit(2, 'b/y', 'y\n')], { branch: 'main' });
    const store = await GitRevisionStore.open({ repoPath: gitDir, branch: 'main' });
    try {
      const rangeLogs = () => sent.filter((args) => args.includes(`${shas[0]}..${shas[2]}`));
      sent.length = 0;
      // A full rollback's preview asks the undone revisions and those since the target at once.
      const asked = await Promise.all([0, 1, 2].map(() => store.range({ paths: ['a/'], since: shas[0]!, until: shas[2]! })));
      expect(asked).toEqual([[shas[1]], [shas[1]], [shas[1]]]);
      expect(rangeLogs(), 'one log for three askers').toHaveLength(1);
      // Each asker has its own array.
      asked[0]!.push('changed');
      expect(await store.range({ paths: ['a/'], since: shas[0]!, until: shas[2]! })).toEqual([shas[1]]);
      expect(rangeLogs(), 'remembered').toHaveLength(1);
      expect(await store.range({ paths: ['b/'], since: shas[0]!, until: shas[2]! })).toEqual([shas[2]]);
      expect(rangeLogs(), 'other paths: a log of their own').toHaveLength(2);

      // A failed log fails its askers and is not remembered: the next asker runs it again.
      failing.logs = 1;
      const failed = await Promise.all([0, 1].map(() => store.range({ paths: ['c/'], since: shas[0]!, until: shas[2]! }).catch((error: Error) => error.message)));
      expect(failed).toEqual(['git log failed', 'git log failed']);
      expect(await store.range({ paths: ['c/'], since: shas[0]!, until: shas[2]! })).toEqual([]);
      expect(rangeLogs(), 'the failed log and its retry').toHaveLength(4);
    } finally {
      await store.close();
    }
  });
});

describe('Newest-commit lookups asked together (decision 061)', () => {
  it('answers a cold burst of every target’s lookup with a few git logs, each answer the one its own git log gives', async () => {
    // 30 targets: a first commit touches them all and quiet/; then 200 commits, six or seven per
    // target. The walk for the burst's lookups lists fewer commits than that (four per lookup): quiet/,
    // reached by none of them, is looked up alone after it, and so is none/, which nothing touches.
    const targets = Array.from({ length: 30 }, (_, i) => `t${String(i).padStart(2, '0')}/`);
    const everything = Object.fromEntries([...targets, 'quiet/'].map((dir) => [`${dir}values.yaml`, 'v0\n']));
    const commits: ImportCommit[] = [{ ...commit(0, 'quiet/values.yaml', 'v0\n'), changes: everything }];
    for (let i = 0; i < 200; i++) commits.push(commit(1 + i, `${targets[i % 30]}values.yaml`, `v${i + 1}\n`));
    const { gitDir } = await createRepo(dirs.make('repo-'), commits, { branch: 'main' });
    const asked = [...targets, 'quiet/', 'none/'];

    // Each lookup on its own, one after the other: its own git log each.
    const alone = await GitRevisionStore.open({ repoPath: gitDir, branch: 'main' });
    const expected: string[][] = [];
    try {
      for (const dir of asked) expected.push((await alone.log({ paths: [dir], limit: 1 })).map((c) => c.sha));
    } finally {
      await alone.close();
    }
    expect(expected.at(-2), 'quiet/ has its one commit').toHaveLength(1);
    expect(expected.at(-1), 'none/ has none').toEqual([]);

    // All at once on a store that has answered none of them (a replica just started).
    const store = await GitRevisionStore.open({ repoPath: gitDir, branch: 'main' });
    try {
      sent.length = 0;
      const found = await Promise.all(asked.map(async (dir) => (await store.log({ paths: [dir], limit: 1 })).map((c) => c.sha)));
      expect(found).toEqual(expected);
      // What each log looked for: its -n and its paths.
      const logs = sent.filter((args) => args.includes('log')).map((args) => [args[args.indexOf('-n') + 1], ...args.slice(args.indexOf('--') + 1)]);
      const walks = logs.filter((log) => log.length > 2);
      // The first four go at once, alone; those asked meanwhile share a walk; quiet/ and none/ go alone after it.
      expect(logs.length, JSON.stringify(logs)).toBeLessThanOrEqual(8);
      expect(walks.length).toBeGreaterThanOrEqual(1);
      expect(walks.flat()).toContain('quiet/');
      expect(logs.slice(logs.indexOf(walks[0]!))).toContainEqual(['1', 'quiet/']);
    } finally {
      await store.close();
    }
  });
});
