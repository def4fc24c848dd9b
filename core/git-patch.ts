/**
 * Git-format patches computed with jsdiff, for the stores and views that have no git: the in-memory
 * revision store, masked Secret files and the rollback preview. Always bounded (`PatchBounds`).
 */
import { structuredPatch } from 'diff';
import { DEFAULT_CONTEXT_LINES } from './compare-fields.ts';
import type { RawFileDiff } from './ports.ts';

export interface PatchBounds {
  /** jsdiff gives up after this many milliseconds. */
  timeoutMs: number;
  /** jsdiff gives up beyond this edit distance (lines added + removed). */
  maxEditLength: number;
}

/** Bounds for one file: a few hundred milliseconds at most, then a whole-file replacement. */
export const DEFAULT_PATCH_BOUNDS: PatchBounds = { timeoutMs: 300, maxEditLength: 20_000 };

/** A path as git writes it in patch headers: C-quoted when it holds `"`, `\`, control or non-ASCII characters. */
export function quoteGitPath(path: string): string {
  let plain = true;
  for (let i = 0; i < path.length && plain; i++) {
    const code = path.charCodeAt(i);
    plain = code >= 0x20 && code < 0x7f && code !== 0x22 && code !== 0x5c;
  }
  if (plain) return path;
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };
  let out = '"';
  for (const byte of new TextEncoder().encode(path)) {
    if (named[byte]) out += named[byte];
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

function fileLabel(prefix: 'a/' | 'b/', path: string): string {
  const quoted = quoteGitPath(`${prefix}${path}`);
  // Git ends a `---`/`+++` name containing a space with a tab, so it reads unambiguously.
  return quoted.includes(' ') && !quoted.startsWith('"') ? `${quoted}\t` : quoted;
}

/** The `diff --git` line and the extended header lines git writes before the hunks. */
export function gitPatchHeader(path: string, status: RawFileDiff['status']): string {
  let header = `diff --git ${quoteGitPath(`a/${path}`)} ${quoteGitPath(`b/${path}`)}\n`;
  if (status === 'added') header += 'new file mode 100644\n';
  if (status === 'deleted') header += 'deleted file mode 100644\n';
  return header;
}

function hunkRange(start: number, lines: number): string {
  if (lines === 1) return `${start}`;
  // An empty range names the line before it, as git does (`-0,0` for a new file).
  return `${lines === 0 ? start - 1 : start},${lines}`;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines;
}

/**
 * The text git shows after a hunk header: the nearest line above the hunk that starts with a letter,
 * `_` or `$` (git's default "function" line; a top-level YAML key), without trailing blanks, at most
 * 80 bytes.
 */
function hunkContext(oldLines: readonly string[], firstLine: number): string {
  for (let i = Math.min(firstLine, oldLines.length) - 1; i >= 0; i--) {
    const line = oldLines[i]!;
    if (/^[A-Za-z_$]/.test(line)) {
      let trimmed = line.replace(/\s+$/, '');
      while (new TextEncoder().encode(trimmed).length > 80) trimmed = trimmed.slice(0, -1);
      return trimmed;
    }
  }
  return '';
}

const NO_NEWLINE = '\\ No newline at end of file';

function wholeFileHunk(oldText: string, newText: string): { body: string; additions: number; deletions: number } {
  const oldLines = splitLines(oldText);
  const newLines = splitLines(newText);
  const lines: string[] = [];
  oldLines.forEach((line, i) => {
    lines.push(`-${line}`);
    if (i === oldLines.length - 1 && !oldText.endsWith('\n')) lines.push(NO_NEWLINE);
  });
  newLines.forEach((line, i) => {
    lines.push(`+${line}`);
    if (i === newLines.length - 1 && !newText.endsWith('\n')) lines.push(NO_NEWLINE);
  });
  const header = `@@ -${hunkRange(oldLines.length === 0 ? 0 : 1, oldLines.length)} +${hunkRange(newLines.length === 0 ? 0 : 1, newLines.length)} @@\n`;
  return { body: `${header}${lines.map((l) => `${l}\n`).join('')}`, additions: newLines.length, deletions: oldLines.length };
}

/**
 * One file's change as a git-format patch, computed with jsdiff within `bounds`. When the bound is
 * hit the patch replaces the whole file (every old line removed, every new line added) and says so
 * with `wholeFile: true`. A text containing NUL is binary, as git decides it: no content is shown.
 */
export function unifiedGitPatch(
  path: string,
  oldText: string | null,
  newText: string | null,
  bounds: PatchBounds = DEFAULT_PATCH_BOUNDS,
  context: number = DEFAULT_CONTEXT_LINES,
): RawFileDiff {
  const status: RawFileDiff['status'] = oldText === null ? 'added' : newText === null ? 'deleted' : 'modified';
  const header = gitPatchHeader(path, status);
  const before = oldText ?? '';
  const after = newText ?? '';
  if (before.includes('\u0000') || after.includes('\u0000')) {
    const a = oldText === null ? '/dev/null' : quoteGitPath(`a/${path}`);
    const b = newText === null ? '/dev/null' : quoteGitPath(`b/${path}`);
    return { path, status, additions: 0, deletions: 0, patch: `${header}Binary files ${a} and ${b} differ\n`, binary: true };
  }
  const names = `--- ${oldText === null ? '/dev/null' : fileLabel('a/', path)}\n+++ ${newText === null ? '/dev/null' : fileLabel('b/', path)}\n`;
  // An empty file added or deleted has no hunk, and git writes no `---`/`+++` lines for it.
  if (before === after) return { path, status, additions: 0, deletions: 0, patch: status === 'modified' ? '' : header };
  const structured = structuredPatch('', '', before, after, undefined, undefined, {
    context,
    timeout: bounds.timeoutMs,
    maxEditLength: bounds.maxEditLength,
  });
  if (!structured) {
    const whole = wholeFileHunk(before, after);
    return { path, status, additions: whole.additions, deletions: whole.deletions, patch: `${header}${names}${whole.body}`, wholeFile: true };
  }
  let additions = 0;
  let deletions = 0;
  let body = '';
  const oldLines = structured.hunks.length > 0 ? splitLines(before) : [];
  for (const hunk of structured.hunks) {
    const context = hunkContext(oldLines, hunk.oldStart - 1);
    body += `@@ -${hunkRange(hunk.oldStart, hunk.oldLines)} +${hunkRange(hunk.newStart, hunk.newLines)} @@${context ? ` ${context}` : ''}\n`;
    for (const line of hunk.lines) {
      if (line.startsWith('+')) additions++;
      else if (line.startsWith('-')) deletions++;
      body += `${line}\n`;
    }
  }
  return { path, status, additions, deletions, patch: `${header}${names}${body}` };
}
