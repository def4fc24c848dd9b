/**
 * Every field edit is checked by parsing its result: the edited field has the wanted value and
 * nothing else changed (core/yaml-field-edit.ts). Also the context an edit carries.
 */
import { badRequest } from './errors.ts';
import { parsePathElement } from './field-path.ts';
import { isPlainObject, parseYamlDocuments } from './yaml-documents.ts';
import { deepEqual, type FieldPath, formatPath, itemNameOf, type Lookup, lookupPath, NOT_FOUND, type ParsedText, REMOVE, type Step, walk } from './yaml-locate.ts';
import type { Style } from './yaml-splice.ts';

// --------------------------------------------------------------------------------------------------
// Verification.

export function without<T>(list: readonly T[], index: number): T[] {
  return [...list.slice(0, index), ...list.slice(index + 1)];
}

export function sizeOf(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (isPlainObject(value)) return Object.keys(value).length;
  return 0;
}

export function isEmptyContainer(value: unknown): boolean {
  return value === null || ((Array.isArray(value) || isPlainObject(value)) && sizeOf(value) === 0);
}

/** Whether `after` equals `before` everywhere except at (and below) `path`. */
export function equalExceptPath(before: unknown, after: unknown, path: FieldPath): boolean {
  const [element, ...rest] = path;
  if (element === undefined) return true;
  const step = parsePathElement(element);
  if (Array.isArray(before) && Array.isArray(after) && step.type !== 'key') {
    if (step.type === 'index') {
      const i = step.index;
      if (before.length === after.length) {
        if (!before.every((item, j) => j === i || deepEqual(item, after[j]))) return false;
        return i >= before.length || equalExceptPath(before[i], after[i], rest);
      }
      if (after.length === before.length + 1) return deepEqual(before, without(after, i));
      if (before.length === after.length + 1) return deepEqual(without(before, i), after);
      return false;
    }
    const i = before.findIndex((item) => itemNameOf(item) === step.name);
    const j = after.findIndex((item) => itemNameOf(item) === step.name);
    if (!deepEqual(i >= 0 ? without(before, i) : before, j >= 0 ? without(after, j) : after)) return false;
    return i < 0 || j < 0 || equalExceptPath(before[i], after[j], rest);
  }
  if (isPlainObject(before) && isPlainObject(after) && step.type === 'key') {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) {
      if (key === step.key) continue;
      if (Object.hasOwn(before, key) !== Object.hasOwn(after, key) || !deepEqual(before[key], after[key])) return false;
    }
    if (!Object.hasOwn(before, step.key) || !Object.hasOwn(after, step.key)) return true;
    return equalExceptPath(before[step.key], after[step.key], rest);
  }
  // An empty value (null, {} or []) that gained exactly the edited entry, or a container that lost it.
  if (isEmptyContainer(before)) return sizeOf(after) === 1 && lookupPath(after, [element]).found;
  if (isEmptyContainer(after)) return sizeOf(before) === 1 && lookupPath(before, [element]).found;
  return false;
}

export interface EditContext {
  head: ParsedText;
  source: ParsedText | null;
  /** The whole path, for messages. */
  label: FieldPath;
  headDoc: number;
  sourceDoc: number | null;
  /** The path inside the document. */
  rest: FieldPath;
  style: Style;
}

export function withRest(ctx: EditContext, rest: FieldPath): EditContext {
  const prefix = ctx.label.slice(0, ctx.label.length - ctx.rest.length);
  return { ...ctx, rest, label: [...prefix, ...rest] };
}

/** Parses `after` and checks that only `ctx.rest` changed, to `expected` (or away, for REMOVE). */
export function verify(ctx: EditContext, after: string, expected: unknown): boolean {
  const parsed = parseYamlDocuments(after);
  if (!parsed.ok) return false;
  if (parsed.values.length === 0 && ctx.head.values.length === 1) {
    // The only document lost its last entry: the file is empty now (the field diff reads it as {}).
    return expected === REMOVE && ctx.rest.length === 1 && sizeOf(ctx.head.values[0]) === 1;
  }
  if (parsed.values.length !== ctx.head.values.length) return false;
  for (let i = 0; i < parsed.values.length; i++) {
    if (i !== ctx.headDoc && !deepEqual(parsed.values[i], ctx.head.values[i])) return false;
  }
  const now = lookupPath(parsed.values[ctx.headDoc], ctx.rest);
  if (expected === REMOVE ? now.found : !now.found || !deepEqual(now.value, expected)) return false;
  return equalExceptPath(ctx.head.values[ctx.headDoc], parsed.values[ctx.headDoc], ctx.rest);
}

/** The first candidate text that verifies, or a 400. */
export function firstVerified(ctx: EditContext, candidates: Iterable<string>, expected: unknown, what: string): string {
  for (const candidate of candidates) {
    if (verify(ctx, candidate, expected)) return candidate;
  }
  throw badRequest(`cannot ${what} ${formatPath(ctx.label)} without changing other fields`);
}

export function sourceValue(ctx: EditContext, path: FieldPath): Lookup {
  if (!ctx.source || ctx.sourceDoc === null) return NOT_FOUND;
  return lookupPath(ctx.source.values[ctx.sourceDoc], path);
}

/** The source's step for `path` when the source has exactly `value` there. */
export function sourceStepWith(ctx: EditContext, path: FieldPath, value: unknown): Step | undefined {
  if (!ctx.source || ctx.sourceDoc === null) return undefined;
  const there = sourceValue(ctx, path);
  if (!there.found || !deepEqual(there.value, value)) return undefined;
  try {
    const { steps } = walk(ctx.source.roots[ctx.sourceDoc] ?? null, path, ctx.label);
    return steps.length === path.length ? steps.at(-1) : undefined;
  } catch {
    return undefined;
  }
}
