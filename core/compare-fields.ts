/**
 * Deferred field changes (docs/decisions/014): a large compare leaves its YAML files' field changes to
 * `GET .../compare/fields`; these helpers put the two answers together. Types only, so the browser can
 * use them without the YAML parser.
 */
import type { CompareFields, Diff } from './schemas.ts';

/** Lines of context around each change, as git's default. */
export const DEFAULT_CONTEXT_LINES = 3;
/** The most context a compare may ask for (`context=`): enough for any manifest's whole file. */
export const MAX_CONTEXT_LINES = 1_000_000;

/** True when some file's field changes were left to `GET .../compare/fields`. */
export function hasDeferredFields(diff: Pick<Diff, 'files'>): boolean {
  return diff.files.some((file) => file.fieldDiff === 'deferred');
}

/**
 * `diff` with the field changes of `result` (the same two revisions) in place of deferred ones: each
 * file takes its final field-diff state, and the field list is the complete one.
 */
export function withComputedFields<T extends Diff>(diff: T, result: CompareFields): T {
  if (result.from !== diff.from || result.to !== diff.to) throw new Error('field changes of other revisions');
  const states = new Map(result.files.map((file) => [file.path, file.fieldDiff]));
  const files = diff.files.map((file) => {
    if (file.fieldDiff !== 'deferred') return file;
    const { fieldDiff: _deferred, ...rest } = file;
    const state = states.get(file.path);
    return state ? { ...rest, fieldDiff: state } : rest;
  });
  return { ...diff, files, fields: result.fields };
}
