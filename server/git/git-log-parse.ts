/**
 * Reading `git log` output: the record format the store asks for, its parser, and what a deployment
 * note says. Pure functions, so the store's log, range and rollback scans share one parser.
 */
import type { CommitRecord } from '#core/ports.ts';
import { GitError } from './git-cli.ts';

/** Where deployment outcomes are kept, as git notes (decision 002). */
export const DEPLOYMENTS_NOTES_REF = 'refs/notes/rewind-deployments';

/** `-c` settings that would change what log commands print, pinned for every call. */
export const PINNED_LOG_CONFIG = ['-c', 'log.showSignature=false', '-c', 'log.follow=false', '-c', 'core.quotePath=false'];

/**
 * `git log` along the branch's first-parent chain, with the paths each commit changes (a merge against
 * its first parent), NUL-separated: how the store reads history, so every reader walks the same chain.
 */
export const FIRST_PARENT_LOG = [...PINNED_LOG_CONFIG, 'log', '--first-parent', '--diff-merges=first-parent', '--no-renames', '--name-only', '-z'];

/** One record per commit, NUL-separated: an empty marker field, then the fields below. */
export const LOG_FORMAT = '--format=%x00%H%x00%at%x00%an%x00%ae%x00%N%x00%B';
export const LOG_FIELDS = 6;
export const IDS_FORMAT = '--format=%x00%H';

export interface RawCommit {
  fields: string[];
  names: string[];
}

/** Parses `git log -z --name-only` output of a format that starts with %x00 (see LOG_FORMAT). */
export function parseLogOutput(output: string, fieldCount: number): RawCommit[] {
  const tokens = output.split('\0');
  const commits: RawCommit[] = [];
  let i = 0;
  while (i < tokens.length - 1) {
    if (tokens[i] !== '') throw new GitError('log', null, `unexpected output near ${JSON.stringify(tokens[i]!.slice(0, 80))}`);
    const fields = tokens.slice(i + 1, i + 1 + fieldCount);
    if (fields.length !== fieldCount) throw new GitError('log', null, 'truncated output');
    i += 1 + fieldCount;
    const names: string[] = [];
    // The file list follows the record after one LF; a commit without files has none.
    for (let first = true; i < tokens.length && tokens[i] !== ''; i++, first = false) {
      const name = first && tokens[i]!.startsWith('\n') ? tokens[i]!.slice(1) : tokens[i]!;
      if (name) names.push(name);
    }
    commits.push({ fields, names });
  }
  return commits;
}

export function deployStatusOf(note: string): CommitRecord['deployStatus'] {
  const match = /^status:[ \t]*(\S+)[ \t]*$/im.exec(note);
  const value = match?.[1]!.toLowerCase();
  return value === 'failed' || value === 'success' ? value : undefined;
}

/** Callers own what they get: cached records are handed out as copies. */
export function copyRecord(record: CommitRecord): CommitRecord {
  return { ...record, author: { ...record.author }, paths: [...record.paths] };
}

export function sortPaths(paths: string[]): string[] {
  return paths.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Matches shas that start with `start`. */
export function prefix(start: string): (sha: string) => boolean {
  return (sha) => sha.startsWith(start);
}
