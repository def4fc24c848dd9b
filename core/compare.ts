/**
 * Revision compare (API.md "Compare"): per-file changes of a target between two revisions, the
 * changed YAML fields, and the impact. Storage computes the text diff (git: `diff --histogram`;
 * in-memory: jsdiff through `unifiedGitPatch`); this module classifies files, computes field changes
 * and masks Kubernetes Secret values in both (docs/decisions/004-field-diff.md).
 */
import { structuredPatch } from 'diff';
import { DEFAULT_CONTEXT_LINES, MAX_CONTEXT_LINES } from './compare-fields.ts';
import { diffYamlFieldsDetailed, isCertainlyTooLarge } from './field-diff.ts';
import type { FieldDiffer, RawFileDiff, RevisionStore } from './ports.ts';
import type { CompareFields, Diff, FieldChange, FileDiff } from './schemas.ts';
import { maskSecretTexts, mentionsSecret } from './secret-masking.ts';
import { classifyPath, type TargetConfig } from './target-config.ts';
import { DEFAULT_YAML_LIMITS } from './yaml-documents.ts';

// --- Git-format patches with jsdiff ------------------------------------------------------------------

export interface PatchBounds {
  /** jsdiff gives up after this many milliseconds. */
  timeoutMs: number;
  /** jsdiff gives up beyond this edit distance (lines added + removed). */
  maxEditLength: number;
}

/** Bounds for one file: a few hundred milliseconds at most, then a whole-file replacement. */
export const DEFAULT_PATCH_BOUNDS: PatchBounds = { timeoutMs: 300, maxEditLength: 20_000 };

export { DEFAULT_CONTEXT_LINES, MAX_CONTEXT_LINES };

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

// --- Compare ---------------------------------------------------------------------------------------

/**
 * Files larger than this (either side) get no field diff (`fieldDiff: 'too-large'`), unless they are
 * multi-document files where only some documents changed (see field-diff.ts); their text diff shows.
 */
export const FIELD_DIFF_MAX_CHARS = DEFAULT_YAML_LIMITS.maxChars;

export function isYamlPath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/**
 * The compare endpoint computes field changes with the text diff only while the YAML texts to parse
 * (both sides, all changed files) stay within this many characters; beyond it every YAML file says
 * `fieldDiff: 'deferred'` and the fields come from `compareFields`. Parsing costs more than git's
 * whole diff (docs/decisions/009, 014), so the text diff is not kept waiting for it.
 */
export const INLINE_FIELD_DIFF_MAX_CHARS = 4_096;

export interface CompareOptions {
  /** Bounds for re-diffing masked Secret files. */
  patchBounds?: PatchBounds;
  /** Only this file of the target (an exact path). */
  file?: string;
  /** Lines of context in the patches (default 3). */
  context?: number;
  /**
   * Compute field changes only when the YAML texts to parse hold at most this many characters in all;
   * otherwise mark the files `deferred`. Default: always compute them.
   */
  inlineFieldChars?: number;
  /** Computes the field changes (all files in one call). Default: `inProcessFieldDiffer`. */
  fieldDiffer?: FieldDiffer;
}

/** The default FieldDiffer: each pair in turn, in-process, during the call. */
export const inProcessFieldDiffer: FieldDiffer = async (pairs) => pairs.map((pair) => diffYamlFieldsDetailed(pair.oldText, pair.newText));

/**
 * The compare of API.md for `target` from `fromSha` to `toSha` (full ids of commits on the branch; any
 * two, in either order). Secret values are masked in patches and fields, and no content of a file
 * that mentions a Secret but cannot be masked reliably is returned.
 */
export async function compareRevisions(
  store: RevisionStore,
  target: TargetConfig,
  fromSha: string,
  toSha: string,
  options: CompareOptions = {},
): Promise<Diff> {
  const context = options.context ?? DEFAULT_CONTEXT_LINES;
  const raw = await store.diff({
    paths: target.layout.paths,
    from: fromSha,
    to: toSha,
    withTexts: true,
    ...(options.file !== undefined ? { file: options.file } : {}),
    ...(context !== DEFAULT_CONTEXT_LINES ? { context } : {}),
  });
  // Texts the store did not return with the diff are read in two calls.
  const textual = raw.filter((file) => !file.binary && (file.oldText === undefined || file.newText === undefined)).map((file) => file.path);
  const [before, after] =
    textual.length === 0
      ? [new Map<string, string>(), new Map<string, string>()]
      : await Promise.all([store.readFiles(textual, fromSha), store.readFiles(textual, toSha)]);

  const files: FileDiff[] = [];
  /** YAML files whose fields can be computed, with their texts: decided on after the loop. */
  const fieldCandidates: { file: FileDiff; oldText: string | null; newText: string | null }[] = [];
  for (const change of raw) {
    const { kind, service } = classifyPath(target.layout, change.path);
    const file: FileDiff = {
      path: change.path,
      service,
      kind,
      status: change.status,
      additions: change.additions,
      deletions: change.deletions,
      patch: change.patch,
    };
    if (change.wholeFile) file.wholeFile = true;
    if (change.binary) file.binary = true;
    files.push(file);
    if (change.binary) continue;

    const oldText = change.status === 'added' ? null : change.oldText !== undefined ? change.oldText : (before.get(change.path) ?? null);
    const newText = change.status === 'deleted' ? null : change.newText !== undefined ? change.newText : (after.get(change.path) ?? null);
    const missing = (change.status !== 'added' && oldText === null) || (change.status !== 'deleted' && newText === null);

    let withheld = false;
    if (missing) {
      // Without the contents nothing can be masked: a patch that might show a Secret is withheld.
      withheld = mentionsSecret(change.patch);
    } else {
      const masked = maskSecretTexts(oldText, newText);
      if (masked.kind === 'withheld') withheld = true;
      else if (masked.kind === 'masked') {
        const redone = unifiedGitPatch(change.path, masked.from, masked.to, options.patchBounds, context);
        file.patch = redone.patch;
        file.additions = redone.additions;
        file.deletions = redone.deletions;
        if (redone.wholeFile) file.wholeFile = true;
        else delete file.wholeFile;
        file.redacted = 'values';
      }
    }
    if (withheld) {
      file.patch = gitPatchHeader(change.path, change.status);
      file.redacted = 'file';
      delete file.wholeFile;
    }

    if (!isYamlPath(change.path)) continue;
    if (withheld) {
      file.fieldDiff = 'withheld';
      continue;
    }
    if (missing) continue;
    if (isCertainlyTooLarge(oldText, newText)) {
      file.fieldDiff = 'too-large';
      continue;
    }
    fieldCandidates.push({ file, oldText, newText });
  }

  const fields: FieldChange[] = [];
  const parseChars = fieldCandidates.reduce((sum, c) => sum + (c.oldText?.length ?? 0) + (c.newText?.length ?? 0), 0);
  const defer = parseChars > (options.inlineFieldChars ?? Infinity);
  const results =
    defer || fieldCandidates.length === 0
      ? []
      : await (options.fieldDiffer ?? inProcessFieldDiffer)(fieldCandidates.map(({ oldText, newText }) => ({ oldText, newText })));
  if (!defer && results.length !== fieldCandidates.length) throw new Error(`the field differ answered ${results.length} results for ${fieldCandidates.length} files`);
  for (const [index, { file }] of fieldCandidates.entries()) {
    if (defer) {
      file.fieldDiff = 'deferred';
      continue;
    }
    const result = results[index]!;
    if (result.incomplete) file.fieldDiff = result.incomplete;
    for (const leaf of result.changes) {
      const field: FieldChange = { service: file.service, file: file.path, path: leaf.path, from: leaf.from, to: leaf.to };
      if (leaf.redacted) field.redacted = true;
      fields.push(field);
    }
  }

  return {
    from: fromSha,
    to: toSha,
    files,
    fields,
    impact: {
      services: new Set(files.map((f) => f.service).filter((s): s is string => s !== null)).size,
      bindings: files.filter((f) => f.kind === 'binding').length,
      variables: files.filter((f) => f.kind === 'variables').length,
    },
  };
}

/** The field changes of a compare, all computed (API extension `GET .../compare/fields`). */
export async function compareFields(
  store: RevisionStore,
  target: TargetConfig,
  fromSha: string,
  toSha: string,
  options: Pick<CompareOptions, 'fieldDiffer'> = {},
): Promise<CompareFields> {
  const diff = await compareRevisions(store, target, fromSha, toSha, options.fieldDiffer ? { fieldDiffer: options.fieldDiffer } : {});
  return {
    from: diff.from,
    to: diff.to,
    files: diff.files.map((file) => (file.fieldDiff ? { path: file.path, fieldDiff: file.fieldDiff as Exclude<FileDiff['fieldDiff'], 'deferred' | undefined> } : { path: file.path })),
    fields: diff.fields,
  };
}
