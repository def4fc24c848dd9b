/** Shared helpers of the field-edit tests (core/yaml-field-edit*.test.ts): restore paths and check the field contract. */
import { expect } from 'vitest';
import { RewindError } from '#core/errors.ts';
import { diffYamlFields } from '#core/field-diff.ts';
import { type FieldPathElement } from '#core/field-path.ts';
import { applyFieldValues, restoringEdits } from '#core/yaml-field-edit.ts';

export type Path = FieldPathElement[];

/** Restores `paths` of `head` to their value in `target`, as field mode does. */
export function restore(head: string, target: string | null, paths: Path[]): string {
  return applyFieldValues(head, restoringEdits(head, target, paths), target);
}

export const related = (a: readonly FieldPathElement[], b: readonly FieldPathElement[]) =>
  a.slice(0, Math.min(a.length, b.length)).every((element, i) => element === b[i]);

/**
 * The field-level contract: on the selected paths the result equals the target revision; everywhere
 * else it equals the head. (A change above a selected path counts as on it: a parent created or
 * removed to hold the field.)
 */
export function expectFieldContract(head: string, target: string | null, result: string, paths: Path[]) {
  const onSelected = (path: readonly FieldPathElement[]) => paths.some((p) => related(p, path));
  expect(diffYamlFields(target, result).filter((c) => paths.some((p) => related(p, c.path) && c.path.length >= p.length))).toEqual([]);
  expect(diffYamlFields(head, result).filter((c) => !onSelected(c.path))).toEqual([]);
}

export function rewindError(fn: () => unknown): RewindError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RewindError) return error;
    throw error;
  }
  throw new Error('expected a RewindError');
}
