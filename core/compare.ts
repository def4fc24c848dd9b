/**
 * Revision compare (API.md "Compare"): per-file changes of a target between two revisions, the
 * changed YAML fields, and the impact. Storage computes the text diff (git: `diff --histogram`;
 * in-memory: jsdiff through `unifiedGitPatch`); `buildDiff` classifies files, computes field changes
 * and masks Kubernetes Secret values in both (docs/decisions/004-field-diff.md).
 */
import { DEFAULT_CONTEXT_LINES } from './compare-fields.ts';
import { readKustomizations } from './kustomizations-read.ts';
import { buildDiff, type ChangedFile, type FileDiffOptions } from './file-diffs.ts';
import type { RevisionStore } from './ports.ts';
import type { CompareFields, Diff, FileDiff } from './schemas.ts';
import type { TargetConfig } from './target-config.ts';
import { DEFAULT_YAML_LIMITS } from './yaml-documents.ts';

/**
 * Files larger than this (either side) get no field diff (`fieldDiff: 'too-large'`), unless they are
 * multi-document files where only some documents changed (see field-diff.ts); their text diff shows.
 */
export const FIELD_DIFF_MAX_CHARS = DEFAULT_YAML_LIMITS.maxChars;

/**
 * The compare endpoint computes field changes with the text diff only while the YAML texts to parse
 * (both sides, all changed files) stay within this many characters; beyond it every YAML file says
 * `fieldDiff: 'deferred'` and the fields come from `compareFields`. Parsing costs more than git's
 * whole diff (docs/decisions/009, 014), so the text diff is not kept waiting for it.
 */
export const INLINE_FIELD_DIFF_MAX_CHARS = 4_096;

export interface CompareOptions extends FileDiffOptions {
  /** Only this file of the target (an exact path). */
  file?: string;
}

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
    // The field table needs the texts and which files are binary, not git's patches (decision 050).
    ...(options.fieldsOnly ? { patches: false } : {}),
    ...(options.file !== undefined ? { file: options.file } : {}),
    ...(context !== DEFAULT_CONTEXT_LINES ? { context } : {}),
  });
  // Texts the store did not return with the diff are read in two calls.
  const textual = raw.filter((file) => !file.binary && (file.oldText === undefined || file.newText === undefined)).map((file) => file.path);
  const [[before, after], kustomizations] = await Promise.all([
    textual.length === 0
      ? [new Map<string, string>(), new Map<string, string>()]
      : Promise.all([store.readFiles(textual, fromSha), store.readFiles(textual, toSha)]),
    // Only when a changed file could be what a secretGenerator reads or declares.
    raw.some((file) => !file.binary)
      ? Promise.all([kustomizationsAt(store, target.layout.paths, fromSha), kustomizationsAt(store, target.layout.paths, toSha)]).then(([a, b]) => [...a, ...b])
      : Promise.resolve([] as [string, string][]),
  ]);

  const changed = raw.map((change): ChangedFile => {
    const oldText = change.status === 'added' ? null : change.oldText !== undefined ? change.oldText : (before.get(change.path) ?? null);
    const newText = change.status === 'deleted' ? null : change.newText !== undefined ? change.newText : (after.get(change.path) ?? null);
    const missing = !change.binary && ((change.status !== 'added' && oldText === null) || (change.status !== 'deleted' && newText === null));
    return { change, oldText, newText, missing };
  });
  return buildDiff(target, fromSha, toSha, changed, { ...options, context, kustomizations });
}

/** A commit's kustomizations never change: read once per store, commit and target (a bounded cache). */
const kustomizationCache = new WeakMap<RevisionStore, Map<string, Promise<[string, string][]>>>();
const KUSTOMIZATION_CACHE_MAX = 512;

function kustomizationsAt(store: RevisionStore, paths: readonly string[], sha: string): Promise<[string, string][]> {
  let cache = kustomizationCache.get(store);
  if (!cache) kustomizationCache.set(store, (cache = new Map()));
  const key = `${sha}\0${paths.join('\0')}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const read = readKustomizations(store, paths, sha);
  read.catch(() => cache.delete(key));
  if (cache.size >= KUSTOMIZATION_CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, read);
  return read;
}

/** The field changes of a compare, all computed (API extension `GET .../compare/fields`). */
export async function compareFields(
  store: RevisionStore,
  target: TargetConfig,
  fromSha: string,
  toSha: string,
  options: Pick<CompareOptions, 'fieldDiffer'> = {},
): Promise<CompareFields> {
  const diff = await compareRevisions(store, target, fromSha, toSha, { fieldsOnly: true, ...(options.fieldDiffer ? { fieldDiffer: options.fieldDiffer } : {}) });
  return {
    from: diff.from,
    to: diff.to,
    files: diff.files.map((file) => (file.fieldDiff ? { path: file.path, fieldDiff: file.fieldDiff as Exclude<FileDiff['fieldDiff'], 'deferred' | undefined> } : { path: file.path })),
    fields: diff.fields,
  };
}
