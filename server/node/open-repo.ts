/**
 * Which repository `rewind serve` serves, on which branch, and how it reaches its remote
 * (docs/decisions/035):
 * - `repo.url`: Rewind's own bare mirror in `<dataDir>/mirrors/`, fetched from and pushed to that URL;
 * - `repo.path` / `--repo`: a local clone (bare, or with another branch checked out), with an optional
 *   `repo.remote` to fetch from and push to;
 * - neither: the demo repo, written once (bare) in `<dataDir>/repo`.
 * The branch is `--branch`, else `repo.branch`, else the repository's default (its HEAD).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RewindConfig } from '#server/config/config-schema.ts';
import { ConfigError } from '#server/config/load-config.ts';
import { readDemoAnchor, writeDemoRepo } from '#server/git/demo-repo.ts';
import { GitError, runGit } from '#server/git/git-cli.ts';
import { ensureMirror, mirrorDir, removeUnusedMirrors, remoteDefaultBranch, setMirrorHead } from '#server/git/git-mirror.ts';
import { GitRevisionStore } from '#server/git/git-revision-store.ts';
import { redactGitUrls, remoteAccess, remoteFailureHint, remoteFailureLine } from '#server/git/remote-access.ts';
import { defaultBranch, locateGitDir } from '#server/git/repo-checks.ts';

export interface OpenedRepo {
  revisions: GitRevisionStore;
  /** The repository read (the mirror's directory with `repo.url`). */
  repoPath: string;
  branch: string;
  usingDemo: boolean;
  /** One line for the start banner: where the repo is, with URLs redacted. */
  description: string;
}

export interface OpenRepoOptions {
  config: RewindConfig;
  dataDir: string;
  repo?: string | undefined;
  branch?: string | undefined;
  log: (entry: Record<string, unknown>) => void;
  /** Relative file names of `repo` (caFile) are relative to this directory (the config file's); default the working directory. */
  baseDir?: string | undefined;
}

export async function openRepo({ config, dataDir, repo, branch: branchFlag, log, baseDir }: OpenRepoOptions): Promise<OpenedRepo> {
  const url = repo === undefined ? config.repo.url : undefined;
  const fetchIntervalMs = config.repo.fetchIntervalSeconds * 1000;
  const caFile = url && config.repo.caFile !== undefined ? resolve(baseDir ?? '.', config.repo.caFile) : undefined;
  const explain = (message: string) => message + (url ? remoteFailureHint(message, redactGitUrls(url), caFile) : '');
  const onFetchError = (error: Error) => {
    const reason = error instanceof GitError ? `git ${error.subcommand} failed: ${remoteFailureLine(error.stderr)}` : error.message;
    log({ level: 'warn', msg: 'git fetch failed; reads use the last fetched branch', error: redactGitUrls(explain(reason)) });
  };

  if (url) {
    const credentials = config.repo.credentials;
    const access = () => remoteAccess(credentials, process.env, { caFile });
    let initialAccess;
    try {
      initialAccess = access();
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
    const branch =
      branchFlag ??
      config.repo.branch ??
      (await remoteDefaultBranch(url, initialAccess).catch((error: unknown) => {
        throw new Error(explain((error as Error).message));
      }));
    if (!branch) throw new ConfigError(`${redactGitUrls(url)} names no default branch: set repo.branch`);
    const mirror = await ensureMirror(dataDir, url);
    cleanUpMirrors(dataDir, config, log);
    await setMirrorHead(mirror, branch);
    const revisions = await GitRevisionStore.open({ repoPath: mirror, branch, remote: url, mirror: true, remoteAccess: access, fetchIntervalMs, onFetchError }).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!/couldn't find remote ref/i.test(message)) throw new Error(explain(message));
      throw new Error(`${message} Set repo.branch in the config (or --branch) to a branch of the remote.`);
    });
    return { revisions, repoPath: mirror, branch, usingDemo: false, description: `${redactGitUrls(url)} (mirror ${mirror}, branch ${branch})` };
  }

  cleanUpMirrors(dataDir, config, log);
  const explicitRepo = repo ?? config.repo.path;
  const usingDemo = !explicitRepo;
  const repoPath = resolve(explicitRepo ?? join(dataDir, 'repo'));
  if (usingDemo) await prepareDemoRepo(repoPath, dataDir);
  if (!existsSync(repoPath)) throw new Error(`--repo ${repoPath} does not exist`);
  const gitDir = await locateGitDir(repoPath);
  const branch = branchFlag ?? config.repo.branch ?? (await defaultBranch((args, opts) => runGit(['--git-dir', gitDir, ...args], opts)));
  if (!branch) throw new ConfigError(`the HEAD of ${repoPath} names no branch: set repo.branch in the config (or --branch)`);
  const remote = config.repo.remote;
  const revisions = await GitRevisionStore.open({ repoPath, branch, ...(remote ? { remote, fetchIntervalMs, onFetchError } : {}) });
  const description = `${repoPath} (branch ${branch}${remote ? `, remote ${remote}` : ''})${usingDemo ? ' [demo]' : ''}`;
  return { revisions, repoPath, branch, usingDemo, description };
}

/**
 * Mirrors of URLs the config no longer names are removed at start (only those Rewind marked as its
 * own). The config's `repo.url` keeps its mirror even while `--repo` serves another repository.
 */
function cleanUpMirrors(dataDir: string, config: RewindConfig, log: OpenRepoOptions['log']): void {
  const keep = config.repo.url ? mirrorDir(dataDir, config.repo.url) : null;
  const { removed, unrecognised, failed } = removeUnusedMirrors(dataDir, keep);
  for (const { dir, url } of removed) log({ level: 'info', msg: 'removed the mirror of a repo URL no longer configured', dir, url });
  for (const { dir, error } of failed) log({ level: 'warn', msg: 'could not remove the mirror of a repo URL no longer configured', dir, error });
  if (unrecognised.length > 0) log({ level: 'info', msg: 'left alone under mirrors/: not marked as a mirror Rewind made', dirs: unrecognised });
}

/**
 * The demo repo is Rewind's own: written bare once, its story dated from the moment it is written
 * (decision 044; `REWIND_DEMO_ANCHOR` pins that moment). One written earlier keeps its dates, since the
 * requests in the database name its commits: the start output says how old its incident is and how to
 * start the story afresh. One written by an older version has a work tree with `main` checked out; it
 * becomes bare in place (its files there are no longer read).
 */
async function prepareDemoRepo(repoPath: string, dataDir: string, now = Date.now()): Promise<void> {
  if (!existsSync(repoPath)) {
    const pinned = process.env.REWIND_DEMO_ANCHOR;
    if (pinned && !Number.isFinite(Date.parse(pinned))) throw new ConfigError(`REWIND_DEMO_ANCHOR=${pinned} is not an ISO 8601 time`);
    const anchor = pinned ? Date.parse(pinned) : now;
    console.log(`Creating the demo infrastructure repo in ${repoPath} (once), its story dated from ${new Date(anchor).toISOString()}: the payments incident started 24 minutes ago...`);
    await writeDemoRepo(repoPath, { size: 'default', bare: true, anchor });
    return;
  }
  const dotGit = join(repoPath, '.git');
  if (existsSync(join(dotGit, 'HEAD'))) {
    await runGit(['--git-dir', dotGit, 'config', 'core.bare', 'true']);
    console.log(`The demo repo in ${repoPath} had a work tree; it is bare now (its checked-out files are no longer used).`);
  }
  const anchor = await readDemoAnchor(existsSync(join(dotGit, 'HEAD')) ? dotGit : repoPath);
  console.log(demoAgeNote(repoPath, dataDir, anchor, now));
}

/** What the start output says about an existing demo repo's dates (decision 044). */
export function demoAgeNote(repoPath: string, dataDir: string, anchor: string | null, now: number): string {
  const afresh = `to see it happen now, stop Rewind and delete ${repoPath} and ${join(dataDir, 'rewind.db')} (the demo's requests)`;
  if (!anchor) return `The demo repo in ${repoPath} was written by an earlier version: its story is dated 2026-11-20; ${afresh}.`;
  const hours = Math.max(0, Math.floor((now - Date.parse(anchor)) / 3_600_000));
  if (hours < 1) return `The demo repo in ${repoPath} is dated from ${anchor}: its payments incident started ${Math.round((now - Date.parse(anchor)) / 60_000) + 24} minutes ago.`;
  const age = hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} days`;
  return `The demo repo in ${repoPath} is dated from ${anchor}, ${age} ago: its payments incident is that old; ${afresh}.`;
}
