/**
 * Rewind's own bare mirror of `repo.url`, in its data dir (docs/decisions/035). Nobody else has a work
 * tree on it, so a rollback commit can never be undone by a stale index. The URL is not written into
 * the mirror's config (no `remote.origin`): every fetch and push names it, with credentials from the
 * environment of that one command (remote-access.ts). Only the served branch and the deployment
 * notes are fetched, fast-forward only; pushes are never forced.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { GitError, firstLine, runGit } from './git-cli.ts';
import { REMOTE_TIMEOUT_MS } from './git-remote.ts';
import { redactGitUrls, type RemoteAccess } from './remote-access.ts';

/** The mirror's directory for `url`: readable (host and path) and unique (a hash of the whole URL). */
export function mirrorDir(dataDir: string, url: string): string {
  const readable = redactGitUrls(url)
    .replace(/^[a-z]+:\/\/(\*\*\*@)?/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(-60);
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 10);
  return join(dataDir, 'mirrors', `${readable || 'repo'}-${hash}.git`);
}

/** Creates the bare mirror for `url` under `dataDir` when missing; returns its directory. */
export async function ensureMirror(dataDir: string, url: string): Promise<string> {
  const dir = mirrorDir(dataDir, url);
  if (!existsSync(join(dir, 'HEAD'))) {
    mkdirSync(dir, { recursive: true });
    await runGit(['init', '--quiet', '--bare', dir]);
  }
  return dir;
}

/** Points the mirror's HEAD at the served branch, so that `git log` in it shows what Rewind serves. */
export async function setMirrorHead(dir: string, branch: string): Promise<void> {
  await runGit(['--git-dir', dir, 'symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
}

/** The remote's default branch (what its HEAD names), asked with `git ls-remote --symref`. */
export async function remoteDefaultBranch(url: string, access: RemoteAccess): Promise<string | null> {
  try {
    const out = await runGit([...access.config, 'ls-remote', '--symref', url, 'HEAD'], { env: access.env, timeoutMs: REMOTE_TIMEOUT_MS });
    const match = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out.stdout.toString('utf8'));
    return match?.[1] ?? null;
  } catch (error) {
    const reason = error instanceof GitError ? redactGitUrls(firstLine(error.stderr).replace(/^fatal: /, '')) : String(error);
    throw new Error(`Cannot read the default branch of ${redactGitUrls(url)} (git says: ${reason}). Set repo.branch to skip this question.`);
  }
}
