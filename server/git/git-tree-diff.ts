/**
 * The diff of a target's paths between two commits (RevisionStore.diff), in one `git diff-tree`
 * process: which files changed (`--raw`), then their patches; file texts only for text files, read
 * through the store's cat-file process.
 */
import { isAscii } from 'node:buffer';
import type { DiffQuery, RawFileDiff } from '#core/ports.ts';
import { matchesAny } from '#core/target-config.ts';
import type { CatFileBatch } from './cat-file-batch.ts';
import { GitError, type GitResult } from './git-cli.ts';
import { blobIds, countPatch, parseRawDiff, withoutIndexLine, type RawDiffEntry } from './git-diff-parse.ts';
import { pathspecArgs, toGitPathspec } from './pathspec.ts';

export interface DiffTreesOptions {
  /**
   * Whether git attributes could make one of `paths` binary in `shas` (then only git's own diff says
   * which files are binary). Without it, `patches: false` is ignored.
   */
  attributesMayApply?: (paths: readonly string[], shas: readonly string[]) => Promise<boolean>;
}

export async function diffTrees(
  git: (args: readonly string[]) => Promise<GitResult>,
  batch: CatFileBatch,
  query: DiffQuery,
  options: DiffTreesOptions = {},
): Promise<RawFileDiff[]> {
  const pathspec = toGitPathspec(query.paths);
  if (pathspec.kind === 'none') return [];
  let specs = pathspecArgs(pathspec);
  if (query.file !== undefined) {
    // One file, literally; the target's paths still decide below whether it is part of the target.
    if (!matchesAny(query.paths, query.file)) return [];
    specs = [`:(literal)${query.file}`];
  }
  if (query.patches === false && options.attributesMayApply) {
    // Its own `--raw` listing finds the target's files among all changes too (`keep`).
    const texts = await diffTexts(git, batch, query, specs, options.attributesMayApply);
    if (texts) return texts;
  }
  if (query.file === undefined && pathspec.kind === 'all') {
    // No pathspec narrows git: find the target's files among all changes first, so that git writes
    // patches for those only.
    const raw = await git(['diff-tree', '-r', '-z', '--raw', '--no-renames', '--end-of-options', query.from, query.to]);
    specs = parseRawDiff(raw.stdout.toString('utf8'), query.paths)
      .entries.filter((entry) => entry.keep)
      .map((entry) => `:(literal)${entry.path}`);
    if (specs.length === 0) return [];
  }
  // One process: which files changed (`--raw`, NUL-terminated), then their patches in the same
  // (git's) order, one `diff --git` block per file. Plumbing: no user diff config applies.
  const output = await git([
    'diff-tree',
    '-r',
    '-z',
    '--raw',
    '-p',
    '--histogram',
    '--no-renames',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    `-U${query.context ?? 3}`,
    '--src-prefix=a/',
    '--dst-prefix=b/',
    '--end-of-options',
    query.from,
    query.to,
    '--',
    ...specs,
  ]);
  const text = output.stdout.toString('utf8');
  const { entries, end } = parseRawDiff(text, query.paths);
  if (!entries.some((entry) => entry.keep)) return [];
  // A NUL separates the records from the patches.
  const blocks = text
    .slice(text.charCodeAt(end) === 0 ? end + 1 : end)
    .split(/^(?=diff --git )/m)
    .filter((block) => block.startsWith('diff --git '));
  if (blocks.length !== entries.length) throw new GitError('diff-tree', null, `expected ${entries.length} file diffs, got ${blocks.length}`);
  const diffs: RawFileDiff[] = [];
  const textual: { diff: RawFileDiff; entry: RawDiffEntry }[] = [];
  entries.forEach((entry, i) => {
    if (!entry.keep) return;
    const diff: RawFileDiff = { path: entry.path, status: entry.status, ...countPatch(withoutIndexLine(blocks[i]!)) };
    diffs.push(diff);
    if (query.withTexts && !diff.binary) textual.push({ diff, entry });
  });
  if (textual.length > 0) {
    // Read once git says they are text, so a large binary is never read. (Reading alongside git's
    // diff, from a second `--raw` listing, was measured slower: two processes compete for the CPU.)
    const read = await readTexts(batch, textual.map(({ entry }) => entry));
    for (const { diff, entry } of textual) {
      diff.oldText = entry.status === 'added' ? null : read.get(entry.oldOid)!;
      diff.newText = entry.status === 'deleted' ? null : read.get(entry.newOid)!;
    }
  }
  return diffs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** git's own rule where no attribute decides (xdiff-interface.c `buffer_is_binary`): a NUL in the first 8000 bytes. */
const FIRST_FEW_BYTES = 8000;
export function isBinaryBlob(content: Buffer): boolean {
  return content.subarray(0, FIRST_FEW_BYTES).includes(0);
}

/**
 * `patches: false` (the field table, decision 050): which files changed from a `--raw` listing (git
 * compares trees, no file is diffed), their blobs through cat-file, binary by git's own rule. Null
 * when attributes could decide binary-ness instead: the caller then asks git for the patches.
 */
async function diffTexts(
  git: (args: readonly string[]) => Promise<GitResult>,
  batch: CatFileBatch,
  query: DiffQuery,
  specs: readonly string[],
  attributesMayApply: NonNullable<DiffTreesOptions['attributesMayApply']>,
): Promise<RawFileDiff[] | null> {
  const raw = await git(['diff-tree', '-r', '-z', '--raw', '--no-renames', '--end-of-options', query.from, query.to, '--', ...specs]);
  const entries = parseRawDiff(raw.stdout.toString('utf8'), query.paths).entries.filter((entry) => entry.keep);
  if (entries.length === 0) return [];
  if (await attributesMayApply(entries.map((entry) => entry.path), [query.from, query.to])) return null;
  const blobs = await readBlobs(batch, entries);
  const diffs = entries.map((entry): RawFileDiff => {
    const before = entry.status === 'added' ? null : blobs.get(entry.oldOid)!;
    const after = entry.status === 'deleted' ? null : blobs.get(entry.newOid)!;
    const diff: RawFileDiff = { path: entry.path, status: entry.status, additions: 0, deletions: 0, patch: '' };
    if ((before && isBinaryBlob(before)) || (after && isBinaryBlob(after))) diff.binary = true;
    else if (query.withTexts) {
      diff.oldText = before && blobText(before);
      diff.newText = after && blobText(after);
    }
    return diff;
  });
  return diffs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The blobs of `entries` (both sides), by id: one round trip through cat-file. */
async function readBlobs(batch: CatFileBatch, entries: readonly RawDiffEntry[]): Promise<Map<string, Buffer>> {
  const oids = [...new Set(entries.flatMap(blobIds))];
  const blobs = new Map<string, Buffer>();
  if (oids.length === 0) return blobs;
  (await batch.readMany(oids)).forEach((blob, i) => {
    if (blob.kind !== 'found') throw new GitError('cat-file', null, `blob ${oids[i]} is missing`);
    blobs.set(oids[i]!, blob.content);
  });
  return blobs;
}

/** A blob as UTF-8 text. ASCII (most manifests) reads the same in both; latin1 skips UTF-8 validation (2 ms per 2 MB). */
function blobText(content: Buffer): string {
  return content.toString(isAscii(content) ? 'latin1' : 'utf8');
}

/** The blobs of `entries` (both sides), by id, as text. */
async function readTexts(batch: CatFileBatch, entries: readonly RawDiffEntry[]): Promise<Map<string, string>> {
  return new Map([...(await readBlobs(batch, entries))].map(([oid, content]) => [oid, blobText(content)]));
}
