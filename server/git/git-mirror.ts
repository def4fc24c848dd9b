/**
 * Rewind's own bare mirror of `repo.url`, in its data dir (docs/decisions/035). Nobody else has a work
 * tree on it, so a rollback commit can never be undone by a stale index. The URL is not written into
 * the mirror's config (no `remote.origin`): every fetch and push names it, with credentials from the
 * environment of that one command (remote-access.ts). Only the served branch and the deployment
 * notes are fetched, fast-forward only; pushes are never forced.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitError, runGit } from './git-cli.ts';
import { REMOTE_TIMEOUT_MS } from './git-remote.ts';
import { redactGitUrls, remoteFailureLine, type RemoteAccess } from './remote-access.ts';

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

/**
 * The file by which Rewind recognises a mirror it made (git ignores unknown files in a git dir). Only a
 * directory holding it is ever removed by `removeUnusedMirrors`.
 */
export const MIRROR_MARKER = 'rewind-mirror.json';
const MARKER_KIND = 'rewind-mirror';

/** Creates the bare mirror for `url` under `dataDir` when missing, and its marker; returns its directory. */
export async function ensureMirror(dataDir: string, url: string): Promise<string> {
  const dir = mirrorDir(dataDir, url);
  if (!existsSync(join(dir, 'HEAD'))) {
    mkdirSync(dir, { recursive: true });
    await runGit(['init', '--quiet', '--bare', dir]);
  }
  // Also on a mirror made before markers existed: this directory is the one `mirrorDir` names for the
  // configured URL, so it is Rewind's. The URL is stored redacted: no credentials on disk.
  const marker = join(dir, MIRROR_MARKER);
  if (!existsSync(marker)) writeFileSync(marker, `${JSON.stringify({ kind: MARKER_KIND, url: redactGitUrls(url) })}\n`, { mode: 0o600 });
  return dir;
}

export interface MirrorCleanup {
  /** Mirrors removed: their directories and (redacted) URLs. */
  removed: { dir: string; url: string }[];
  /** Directories under `mirrors/` left alone because Rewind's marker is not in them. */
  unrecognised: string[];
  /** Mirrors that could not be removed, with why. */
  failed: { dir: string; error: string }[];
}

function markedUrl(dir: string): string | null {
  try {
    const marker = JSON.parse(readFileSync(join(dir, MIRROR_MARKER), 'utf8')) as { kind?: unknown; url?: unknown };
    return marker.kind === MARKER_KIND && typeof marker.url === 'string' ? marker.url : null;
  } catch {
    return null;
  }
}

/**
 * Removes the mirrors under `<dataDir>/mirrors/` that no configuration refers to any more (`keep`: the
 * mirror of the configured URL, or null when the config names none). Only directories that hold
 * Rewind's marker are removed; anything else there (a file, a symlink, a directory without the marker,
 * a mirror made before markers existed) is left as it is and reported.
 */
export function removeUnusedMirrors(dataDir: string, keep: string | null): MirrorCleanup {
  const result: MirrorCleanup = { removed: [], unrecognised: [], failed: [] };
  const root = join(dataDir, 'mirrors');
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return result;
  }
  for (const name of names.sort()) {
    const dir = join(root, name);
    if (dir === keep) continue;
    const stat = lstatSync(dir, { throwIfNoEntry: false });
    const url = stat?.isDirectory() ? markedUrl(dir) : null;
    if (url === null) {
      result.unrecognised.push(dir);
      continue;
    }
    try {
      rmSync(dir, { recursive: true, force: true });
      result.removed.push({ dir, url });
    } catch (error) {
      result.failed.push({ dir, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
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
    const reason = error instanceof GitError ? redactGitUrls(remoteFailureLine(error.stderr)) : String(error);
    throw new Error(`Cannot read the default branch of ${redactGitUrls(url)} (git says: ${reason}). Set repo.branch to skip this question.`);
  }
}
