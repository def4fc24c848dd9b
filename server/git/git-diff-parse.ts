/**
 * Reading `git diff-tree` output: the raw records that say which files changed, and each file's patch
 * made to look like the one the in-memory store writes. Pure functions.
 */
import type { RawFileDiff } from '#core/ports.ts';
import { matchesAny } from '#core/target-config.ts';
import { GitError } from './git-cli.ts';

/**
 * Drops the `index <old>..<new> <mode>` header line: blob ids mean nothing to a reader, and without it
 * the patch is the one the in-memory store writes for the same change (core/compare.ts).
 */
export function withoutIndexLine(patch: string): string {
  return patch.replace(/^(diff --git [^\n]*\n(?:(?:old|new|deleted file|new file) mode [^\n]*\n)*)index [0-9a-f]+\.\.[0-9a-f]+(?: \d+)?\n/, '$1');
}

/** Additions and deletions of one file's patch (hunk lines only), and whether git saw it as binary. */
export function countPatch(patch: string): Pick<RawFileDiff, 'patch' | 'additions' | 'deletions' | 'binary'> {
  let additions = 0;
  let deletions = 0;
  let inHunks = false;
  let binary = false;
  for (const line of patch.split('\n')) {
    if (line.startsWith('@@')) inHunks = true;
    else if (!inHunks) {
      if (line.startsWith('Binary files ') || line === 'GIT binary patch') binary = true;
    } else if (line.startsWith('+')) additions++;
    else if (line.startsWith('-')) deletions++;
  }
  return binary ? { patch, additions, deletions, binary } : { patch, additions, deletions };
}

export interface RawDiffEntry {
  path: string;
  status: RawFileDiff['status'];
  oldOid: string;
  newOid: string;
  /** False for submodules and for paths the git pathspec matched beyond the layout's rules. */
  keep: boolean;
}

/** The blob ids of a changed file: its old and new one, without the side where it is absent. */
export function blobIds(entry: RawDiffEntry): string[] {
  const ids: string[] = [];
  if (entry.status !== 'added') ids.push(entry.oldOid);
  if (entry.status !== 'deleted') ids.push(entry.newOid);
  return ids;
}

/**
 * The `--raw -z` records at the start of diff-tree output (`:<old mode> <new mode> <old oid> <new oid>
 * <status>` NUL `<path>` NUL, per file), and where they end.
 */
export function parseRawDiff(text: string, paths: readonly string[]): { entries: RawDiffEntry[]; end: number } {
  const entries: RawDiffEntry[] = [];
  let at = 0;
  while (text.charCodeAt(at) === 0x3a /* : */) {
    const metaEnd = text.indexOf('\0', at);
    const pathEnd = metaEnd === -1 ? -1 : text.indexOf('\0', metaEnd + 1);
    if (pathEnd === -1) throw new GitError('diff-tree', null, 'truncated raw output');
    const [oldMode, newMode, oldOid, newOid, letter] = text.slice(at + 1, metaEnd).split(' ');
    const path = text.slice(metaEnd + 1, pathEnd);
    at = pathEnd + 1;
    const keep = oldMode !== '160000' && newMode !== '160000' && matchesAny(paths, path);
    entries.push({ path, status: letter === 'A' ? 'added' : letter === 'D' ? 'deleted' : 'modified', oldOid: oldOid!, newOid: newOid!, keep });
  }
  return { entries, end: at };
}

export function escapeBasicRegExp(text: string): string {
  return text.replace(/[.[\]*^$\\]/g, '\\$&');
}
