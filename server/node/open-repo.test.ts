import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { configSchema } from '#server/config/config-schema.ts';
import { createRepo } from '#server/git/demo-repo.ts';
import { gitText } from '#server/git/git-cli.ts';
import { importCommits, type ImportCommit } from '#server/git/fast-import.ts';
import { tempDirs } from '#server/git/test-repos.ts';
import { demoAgeNote, openRepo } from './open-repo.ts';

// Real git work on a busy machine: generous limits (decision 024).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });
const dirs = tempDirs('rewind-open-repo-');
afterAll(() => dirs.cleanup());

const ALICE = { name: 'Alice', email: 'alice@example.com' };
const change = (minute: number, path: string, content: string): ImportCommit => ({
  timestamp: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString(),
  author: ALICE,
  message: `change ${minute}\n`,
  changes: { [path]: content },
});
const config = (repo: Record<string, unknown>) =>
  configSchema.parse({ repo, targets: { pattern: { tenant: 't', services: 'apps/{environment}/{service}/' } } });
const headOf = async (gitDir: string, branch: string) => (await gitText(['--git-dir', gitDir, 'rev-parse', `refs/heads/${branch}`])).trim();
const quiet = { log: () => {} };

describe('openRepo with repo.url: a bare mirror Rewind owns (decision 035)', () => {
  async function remoteRepo() {
    const dir = dirs.make('remote-');
    // The remote's default branch is `master`: nothing configured, that is what is served.
    const { shas } = await createRepo(dir, [change(0, 'apps/prod/web/a.yaml', 'a: 0\n')], { branch: 'master' });
    return { dir, url: `file://${dir}`, shas };
  }

  it('mirrors the remote in the data dir on its default branch, without the URL in the mirror, and pushes its commits', async () => {
    const remote = await remoteRepo();
    const dataDir = dirs.make('data-');
    const opened = await openRepo({ config: config({ url: remote.url }), dataDir, ...quiet });
    try {
      expect(opened.branch).toBe('master');
      expect(opened.repoPath.startsWith(join(dataDir, 'mirrors'))).toBe(true);
      expect((await gitText(['--git-dir', opened.repoPath, 'rev-parse', '--is-bare-repository'])).trim()).toBe('true');
      expect(readFileSync(join(opened.repoPath, 'config'), 'utf8')).not.toContain(remote.dir);
      expect(await opened.revisions.branchHead()).toBe(remote.shas[0]);
      const sha = await opened.revisions.commit({ expectedHead: remote.shas[0]!, changes: { 'apps/prod/web/a.yaml': 'a: 1\n' }, message: 'rollback\n', author: ALICE });
      expect(await headOf(remote.dir, 'master')).toBe(sha);
    } finally {
      await opened.revisions.close();
    }
    // Started again, the same mirror is used and brought up to date.
    const again = await openRepo({ config: config({ url: remote.url, branch: 'master' }), dataDir, ...quiet });
    try {
      expect(again.repoPath).toBe(opened.repoPath);
      expect(await again.revisions.branchHead()).toBe(await headOf(remote.dir, 'master'));
    } finally {
      await again.revisions.close();
    }
  });

  it('removes the mirror of a URL no longer configured at start, logs it, and keeps the configured one under --repo', async () => {
    const [first, second] = [await remoteRepo(), await remoteRepo()];
    const dataDir = dirs.make('data-');
    const entries: Record<string, unknown>[] = [];
    const log = (entry: Record<string, unknown>) => entries.push(entry);
    const a = await openRepo({ config: config({ url: first.url }), dataDir, log });
    await a.revisions.close();
    // `--repo` serves another repository for once: the config still names the first URL.
    const local = await openRepo({ config: config({ url: first.url }), dataDir, repo: second.dir, log });
    await local.revisions.close();
    expect(existsSync(a.repoPath)).toBe(true);
    const b = await openRepo({ config: config({ url: second.url }), dataDir, log });
    await b.revisions.close();
    expect(existsSync(a.repoPath)).toBe(false);
    expect(existsSync(b.repoPath)).toBe(true);
    expect(entries).toContainEqual({ level: 'info', msg: 'removed the mirror of a repo URL no longer configured', dir: a.repoPath, url: first.url });
    // A config without a URL: no mirror is needed any more.
    const path = await openRepo({ config: config({ path: second.dir }), dataDir, log });
    await path.revisions.close();
    expect(existsSync(b.repoPath)).toBe(false);
  });

  it('two replicas on one remote: a refresh under the commit lock sees the other replica\'s push, so nothing is lost', async () => {
    const remote = await remoteRepo();
    const slow = config({ url: remote.url, fetchIntervalSeconds: 3600 });
    const [a, b] = await Promise.all([openRepo({ config: slow, dataDir: dirs.make('a-'), ...quiet }), openRepo({ config: slow, dataDir: dirs.make('b-'), ...quiet })]);
    try {
      const first = await a.revisions.commit({ expectedHead: remote.shas[0]!, changes: { 'apps/prod/web/a.yaml': 'a: 1\n' }, message: 'a\n', author: ALICE });
      // B's reads are within the fetch interval: still the old head.
      expect(await b.revisions.branchHead()).toBe(remote.shas[0]);
      await b.revisions.refresh();
      expect(await b.revisions.branchHead()).toBe(first);
      const second = await b.revisions.commit({ expectedHead: first, changes: { 'apps/staging/web/a.yaml': 'a: 2\n' }, message: 'b\n', author: ALICE });
      const log = (await gitText(['--git-dir', remote.dir, 'log', '--format=%H', 'master'])).split('\n').filter(Boolean);
      expect(log).toEqual([second, first, remote.shas[0]]);
    } finally {
      await Promise.all([a.revisions.close(), b.revisions.close()]);
    }
  });

  it('says when the remote cannot be reached, with no secret in the message', async () => {
    const url = `file://${join(dirs.make('gone-'), 'nothing.git')}`;
    await expect(openRepo({ config: config({ url }), dataDir: dirs.make('data-'), ...quiet })).rejects.toThrow(/^Cannot read the default branch of file:\/\/.*nothing\.git \(git says: .*\)\. Set repo\.branch/);
    await expect(openRepo({ config: config({ url, branch: 'main' }), dataDir: dirs.make('data-'), ...quiet })).rejects.toThrow(/^Cannot fetch "main" from the remote file:\/\/.*nothing\.git/);
  });

  it('names repo.branch when the branch asked for is not on the remote', async () => {
    const remote = await remoteRepo();
    await expect(openRepo({ config: config({ url: remote.url, branch: 'main' }), dataDir: dirs.make('data-'), ...quiet })).rejects.toThrow(
      /^Cannot fetch "main" from the remote file:.*couldn't find remote ref refs\/heads\/main\)\. Set repo\.branch in the config \(or --branch\) to a branch of the remote\.$/,
    );
  });

  it('refuses to start when a credential it is told to use is missing', async () => {
    const remote = await remoteRepo();
    await expect(openRepo({ config: config({ url: remote.url, credentials: { passwordEnv: 'REWIND_TEST_UNSET_TOKEN' } }), dataDir: dirs.make('data-'), ...quiet })).rejects.toThrow(
      'repo.credentials.passwordEnv names REWIND_TEST_UNSET_TOKEN, which is not set',
    );
  });
});

describe('openRepo with a local path', () => {
  it('serves the repository\'s default branch (its HEAD) unless a branch is given', async () => {
    const dir = dirs.make('local-');
    const { gitDir, shas } = await createRepo(dir, [change(0, 'apps/prod/web/a.yaml', 'a: 0\n')], { branch: 'master' });
    await importCommits(gitDir, [change(1, 'apps/prod/web/a.yaml', 'a: 1\n')], { branch: 'release' });
    const opened = await openRepo({ config: config({ path: dir }), dataDir: dirs.make('data-'), ...quiet });
    expect(opened.branch).toBe('master');
    expect(await opened.revisions.branchHead()).toBe(shas[0]);
    await opened.revisions.close();
    const flagged = await openRepo({ config: config({ path: dir, branch: 'master' }), dataDir: dirs.make('data-'), branch: 'release', ...quiet });
    expect(flagged.branch).toBe('release');
    await flagged.revisions.close();
  });

  it('writes the demo repo bare, and makes a demo repo with a work tree (older versions) bare in place', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const dataDir = dirs.make('demo-');
    const fresh = await openRepo({ config: config({}), dataDir, ...quiet });
    expect(fresh.usingDemo).toBe(true);
    expect(fresh.branch).toBe('main');
    expect(existsSync(join(dataDir, 'repo', 'HEAD'))).toBe(true);
    await fresh.revisions.close();

    const older = dirs.make('old-demo-');
    await createRepo(join(older, 'repo'), [change(0, 'apps/prod/web/a.yaml', 'a: 0\n')], { bare: false });
    const converted = await openRepo({ config: config({}), dataDir: older, ...quiet });
    expect(converted.branch).toBe('main');
    expect((await gitText(['--git-dir', join(older, 'repo', '.git'), 'config', 'core.bare'])).trim()).toBe('true');
    await converted.revisions.close();
    vi.restoreAllMocks();
  });
});

describe('the demo repo’s age in the start output (decision 044)', () => {
  const demoConfig = () => configSchema.parse({ targets: { pattern: { services: 'tenants/{tenant}/{environment}/services/{service}/' } } });
  const now = Date.parse('2026-12-03T12:00:00.000Z');
  it('says how old the incident is and how to start the story afresh', () => {
    expect(demoAgeNote('/d/repo', '/d', '2026-12-03T11:50:00.000Z', now)).toBe('The demo repo in /d/repo is dated from 2026-12-03T11:50:00.000Z: its payments incident started 34 minutes ago.');
    expect(demoAgeNote('/d/repo', '/d', '2026-12-01T09:00:00.000Z', now)).toBe(
      'The demo repo in /d/repo is dated from 2026-12-01T09:00:00.000Z, 2 days ago: its payments incident is that old; to see it happen now, stop Rewind and delete /d/repo and /d/rewind.db (the demo\'s requests).',
    );
    expect(demoAgeNote('/d/repo', '/d', null, now)).toMatch(/^The demo repo in \/d\/repo was written by an earlier version: its story is dated 2026-11-20; to see it happen now/);
  });

  it('creates the demo repo dated from now (or REWIND_DEMO_ANCHOR), and refuses an anchor that is not a time', async () => {
    const dataDir = dirs.make('demo-');
    vi.stubEnv('REWIND_DEMO_ANCHOR', '2026-12-03T10:00:00Z');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const opened = await openRepo({ config: demoConfig(), dataDir, ...quiet });
      await opened.revisions.close();
      expect(log.mock.calls.flat().join('\n')).toContain('its story dated from 2026-12-03T10:00:00.000Z');
      const head = await gitText(['--git-dir', join(dataDir, 'repo'), 'log', '-1', '--format=%aI', 'main']);
      expect(head.trim()).toBe('2026-12-03T09:36:00+00:00');
      vi.stubEnv('REWIND_DEMO_ANCHOR', 'soon');
      await expect(openRepo({ config: demoConfig(), dataDir: dirs.make('demo-'), ...quiet })).rejects.toThrow(/REWIND_DEMO_ANCHOR=soon is not an ISO 8601 time/);
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
