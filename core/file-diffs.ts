/**
 * One builder for the per-file part of every diff the API shows: the compare of two revisions and the
 * preview of a rollback. It classifies each file, masks Kubernetes Secret values in patches and
 * fields (or withholds a file that cannot be masked), and computes the changed YAML fields through a
 * `FieldDiffer`, so a large preview parses in the server's worker thread as a large compare does
 * (docs/decisions/004-field-diff.md, 015-field-diff-worker.md).
 */
import { DEFAULT_CONTEXT_LINES } from './compare-fields.ts';
import { diffYamlFieldsDetailed, isCertainlyTooLarge, type FieldDiffResult } from './field-diff.ts';
import { gitPatchHeader, unifiedGitPatch, type PatchBounds } from './git-patch.ts';
import type { FieldDiffer, RawFileDiff } from './ports.ts';
import type { Diff, FieldChange, FileDiff } from './schemas.ts';
import { isKustomizationPath, maskKustomizeTexts, secretGeneratorSources } from './kustomize-secrets.ts';
import { maskSecretTexts, mentionsSecret, REDACTED, REDACTED_CHANGED } from './secret-masking.ts';
import { classifyPath, type TargetConfig } from './target-config.ts';

/** A changed file with its texts on both sides; `missing` when they could not be read. */
export interface ChangedFile {
  change: RawFileDiff;
  oldText: string | null;
  newText: string | null;
  missing: boolean;
}

export interface FileDiffOptions {
  /** Bounds for re-diffing masked Secret files. */
  patchBounds?: PatchBounds | undefined;
  /** Lines of context of re-diffed patches (default 3). */
  context?: number | undefined;
  /**
   * Compute field changes only when the YAML texts to parse hold at most this many characters in all;
   * otherwise mark the files `deferred`. Default: always compute them.
   */
  inlineFieldChars?: number | undefined;
  /** Computes the field changes (all files in one call). Default: `inProcessFieldDiffer`. */
  fieldDiffer?: FieldDiffer | undefined;
  /** Hears each file as its work starts (the rollback worker reports it, to name a file over budget). */
  onFile?: ((path: string) => void) | undefined;
  /**
   * The target's kustomization files (path, text) on either side: the files their secretGenerators
   * read are masked too (core/kustomize-secrets.ts, decision 036).
   */
  kustomizations?: ReadonlyArray<readonly [string, string]> | undefined;
  /**
   * Only the field changes are wanted (`GET .../compare/fields`): masked files keep their fields
   * masked, but their patches are not diffed again, and the store need not write patches.
   */
  fieldsOnly?: boolean | undefined;
}

export function isYamlPath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/** The default FieldDiffer: each pair in turn, in-process, during the call. */
export const inProcessFieldDiffer: FieldDiffer = async (pairs) => pairs.map((pair) => diffYamlFieldsDetailed(pair.oldText, pair.newText));

interface FieldCandidate {
  file: FileDiff;
  oldText: string | null;
  newText: string | null;
  /** Texts masked for a secretGenerator: a field showing a marker is a redacted one. */
  generated?: boolean;
}

function kustomizationTexts({ change, oldText, newText }: ChangedFile): [string, string][] {
  if (!isKustomizationPath(change.path)) return [];
  return [oldText, newText].filter((t): t is string => t !== null).map((t) => [change.path, t]);
}

const showsMarker = (value: unknown) => {
  const shown = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return shown.includes(REDACTED) || shown.includes(REDACTED_CHANGED);
};

/** Per file: classification, Secret masking, and which YAML files need their fields computed. */
function prepareFiles(target: TargetConfig, changed: readonly ChangedFile[], options: FileDiffOptions): { files: FileDiff[]; fieldCandidates: FieldCandidate[] } {
  const context = options.context ?? DEFAULT_CONTEXT_LINES;
  const files: FileDiff[] = [];
  const fieldCandidates: FieldCandidate[] = [];
  const sources = secretGeneratorSources([...(options.kustomizations ?? []), ...changed.flatMap(kustomizationTexts)]);
  for (const { change, oldText: rawOld, newText: rawNew, missing } of changed) {
    let oldText = rawOld;
    let newText = rawNew;
    let generated = false;
    options.onFile?.(change.path);
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

    let withheld = false;
    if (missing) {
      // Without the contents nothing can be masked: a patch that might show a Secret is withheld.
      withheld = mentionsSecret(change.patch);
    } else {
      const masked = maskSecretTexts(oldText, newText);
      // What Kustomize turns into Secrets: the field changes are computed on the masked texts.
      const generator = masked.kind === 'withheld' ? masked : maskKustomizeTexts(change.path, masked.kind === 'masked' ? masked.from : oldText, masked.kind === 'masked' ? masked.to : newText, sources);
      if (generator.kind === 'masked') {
        generated = true;
        oldText = generator.from;
        newText = generator.to;
      }
      if (masked.kind === 'withheld' || generator.kind === 'withheld') withheld = true;
      else if ((masked.kind === 'masked' || generator.kind === 'masked') && options.fieldsOnly) {
        file.redacted = 'values';
      } else if (masked.kind === 'masked' || generator.kind === 'masked') {
        const texts = generator.kind === 'masked' ? generator : (masked as { from: string | null; to: string | null });
        const redone = unifiedGitPatch(change.path, texts.from, texts.to, options.patchBounds, context);
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
    fieldCandidates.push({ file, oldText, newText, generated });
  }
  return { files, fieldCandidates };
}

function shouldDefer(fieldCandidates: readonly FieldCandidate[], options: FileDiffOptions): boolean {
  const parseChars = fieldCandidates.reduce((sum, c) => sum + (c.oldText?.length ?? 0) + (c.newText?.length ?? 0), 0);
  return parseChars > (options.inlineFieldChars ?? Infinity);
}

/** The diff from the prepared files and the field differ's results (none when deferred). */
function finishDiff(from: string, to: string, files: FileDiff[], fieldCandidates: readonly FieldCandidate[], results: readonly FieldDiffResult[] | 'deferred'): Diff {
  const defer = results === 'deferred';
  if (!defer && results.length !== fieldCandidates.length) throw new Error(`the field differ answered ${results.length} results for ${fieldCandidates.length} files`);
  const fields: FieldChange[] = [];
  for (const [index, { file, generated }] of fieldCandidates.entries()) {
    if (defer) {
      file.fieldDiff = 'deferred';
      continue;
    }
    const result = results[index]!;
    if (result.incomplete) file.fieldDiff = result.incomplete;
    for (const leaf of result.changes) {
      const field: FieldChange = { service: file.service, file: file.path, path: leaf.path, from: leaf.from, to: leaf.to };
      if (leaf.redacted || (generated && (showsMarker(leaf.from) || showsMarker(leaf.to)))) field.redacted = true;
      fields.push(field);
    }
  }
  return {
    from,
    to,
    files,
    fields,
    impact: {
      services: new Set(files.map((f) => f.service).filter((s): s is string => s !== null)).size,
      bindings: files.filter((f) => f.kind === 'binding').length,
      variables: files.filter((f) => f.kind === 'variables').length,
    },
  };
}

/** The files, fields and impact of a diff from `from` to `to` of `target`, in the order given. */
export async function buildDiff(target: TargetConfig, from: string, to: string, changed: readonly ChangedFile[], options: FileDiffOptions = {}): Promise<Diff> {
  const { files, fieldCandidates } = prepareFiles(target, changed, options);
  if (shouldDefer(fieldCandidates, options)) return finishDiff(from, to, files, fieldCandidates, 'deferred');
  const pairs = fieldCandidates.map(({ oldText, newText }) => ({ oldText, newText }));
  const results = pairs.length === 0 ? [] : await (options.fieldDiffer ?? inProcessFieldDiffer)(pairs);
  return finishDiff(from, to, files, fieldCandidates, results);
}

/**
 * `buildDiff` computing field changes in-process, synchronously: for code already off the event loop
 * (the rollback computer runs in the server's worker thread, decision 021).
 */
export function buildDiffSync(target: TargetConfig, from: string, to: string, changed: readonly ChangedFile[], options: Omit<FileDiffOptions, 'fieldDiffer'> = {}): Diff {
  const { files, fieldCandidates } = prepareFiles(target, changed, options);
  if (shouldDefer(fieldCandidates, options)) return finishDiff(from, to, files, fieldCandidates, 'deferred');
  return finishDiff(from, to, files, fieldCandidates, fieldCandidates.map(({ file, oldText, newText }) => {
    options.onFile?.(file.path);
    return diffYamlFieldsDetailed(oldText, newText);
  }));
}
