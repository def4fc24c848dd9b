/**
 * The rollback planner (DESIGN.md "Rollback modes"; issue 5 part 1): from a target's files at the
 * head and at the target revision, the mode and the selection, the new content of every file the
 * rollback changes. Pure and synchronous: the API, the git store and the in-memory backend all plan
 * through it, so a preview, a request and its execution can never disagree.
 *
 * - `full`: every path of the target as it was at the target revision (files added since are
 *   deleted, files removed since return).
 * - `service`: the same, restricted to the files of one service.
 * - `field`: only the selected YAML fields of one service's files take their target-revision value
 *   (or disappear, or come back), through core/yaml-field-edit.ts: every other byte stays.
 *
 * Gating (plan and feature flags) is not checked here: callers run `assertModeAllowed` first
 * (core/rollback-gating.ts). A plan that changes nothing is returned as such (`changes` empty,
 * `nothingToRollBack`); the API decides how to answer it.
 */
import { badRequest, MESSAGES, RewindError, unprocessable } from './errors.ts';
import type { FieldSelection, RollbackMode } from './schemas.ts';
import { classifyPath, matchesAny, type TargetConfig } from './target-config.ts';
import { applyFieldValues, restoringEdits } from './yaml-field-edit.ts';
import type { FieldPath } from './yaml-locate.ts';
import { DEFAULT_YAML_LIMITS } from './yaml-documents.ts';
import { nestingExceeds } from './yaml-nesting.ts';

export interface RollbackPlanInput {
  target: TargetConfig;
  mode: RollbackMode;
  service?: string;
  fields?: readonly FieldSelection[];
  /** The target's files at the head (path → content). */
  headFiles: ReadonlyMap<string, string>;
  /** The target's files at the target revision. */
  targetFiles: ReadonlyMap<string, string>;
  /** Hears each file as its field edit starts (the worker reports it, to name a file over budget). */
  onFile?: (path: string) => void;
}

export interface RollbackImpact {
  services: number;
  bindings: number;
  variables: number;
}

export interface RollbackPlan {
  /** New content per changed path (null: the file is deleted); only files that differ from the head, sorted by path. */
  changes: Record<string, string | null>;
  /** Services with a changed file, in layout order. */
  affectedServices: string[];
  impact: RollbackImpact;
  /** True when the rollback would change nothing (the API answers "nothing to roll back"). */
  nothingToRollBack: boolean;
}

function setOwn(target: Record<string, string | null>, key: string, value: string | null): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function sortedUnion(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

const YAML_FILE = /\.ya?ml$/i;

function requireService(target: TargetConfig, mode: RollbackMode, service: string | undefined): string {
  if (service === undefined || service === '') throw badRequest(`service is required for ${mode} mode`, { field: 'service' });
  if (!target.layout.services.some((s) => s.name === service)) throw badRequest(`unknown service ${service}`, { field: 'service' });
  return service;
}

function restoreFiles(
  paths: readonly string[],
  headFiles: ReadonlyMap<string, string>,
  targetFiles: ReadonlyMap<string, string>,
): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const path of paths) {
    const before = headFiles.get(path) ?? null;
    const after = targetFiles.get(path) ?? null;
    if (before !== after) setOwn(changes, path, after);
  }
  return changes;
}

/** Field edits parse both texts: within the YAML limits only (size, and the nesting scan). */
function overParseBudget(text: string): boolean {
  return text.length > DEFAULT_YAML_LIMITS.maxChars || nestingExceeds(text, DEFAULT_YAML_LIMITS.maxDepth);
}

function planFields(input: RollbackPlanInput, service: string): Record<string, string | null> {
  const fields = input.fields ?? [];
  const { layout } = input.target;
  // Group by file in selection order, without duplicate paths.
  const byFile = new Map<string, FieldPath[]>();
  for (const field of fields) {
    if (classifyPath(layout, field.file).service !== service) {
      throw badRequest(`${field.file} is not a file of service ${service}`, { field: 'fields', file: field.file });
    }
    if (!YAML_FILE.test(field.file)) throw badRequest(`${field.file} is not a YAML file`, { field: 'fields', file: field.file });
    const paths = byFile.get(field.file) ?? [];
    const key = JSON.stringify(field.path);
    if (!paths.some((p) => JSON.stringify(p) === key)) paths.push(field.path);
    byFile.set(field.file, paths);
  }

  const changes: Record<string, string | null> = {};
  for (const [file, paths] of [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const head = input.headFiles.get(file);
    const target = input.targetFiles.get(file) ?? null;
    if (head === undefined) {
      throw badRequest(`${file} does not exist at the head revision: restore it with service mode`, { field: 'fields', file });
    }
    input.onFile?.(file);
    for (const text of [head, target]) {
      if (text !== null && overParseBudget(text)) {
        throw unprocessable(
          `${file} is too large or too deeply nested to edit by field (at most ${DEFAULT_YAML_LIMITS.maxChars.toLocaleString('en')} characters ` +
            `and ${DEFAULT_YAML_LIMITS.maxDepth} levels): restore it with service mode`,
          { field: 'fields', file, rule: 'parse-budget' },
        );
      }
    }
    let result: string;
    try {
      result = applyFieldValues(head, restoringEdits(head, target, paths), target);
    } catch (error) {
      if (error instanceof RewindError && error.code === 'BAD_REQUEST') throw badRequest(`${file}: ${error.message}`, { field: 'fields', file });
      throw error;
    }
    if (result !== head) setOwn(changes, file, result);
  }
  return changes;
}

export function planRollback(input: RollbackPlanInput): RollbackPlan {
  const { target, mode, headFiles, targetFiles } = input;
  const { layout } = target;
  const allPaths = sortedUnion(headFiles.keys(), targetFiles.keys()).filter((path) => matchesAny(layout.paths, path));

  let changes: Record<string, string | null>;
  if (mode === 'full') {
    changes = restoreFiles(allPaths, headFiles, targetFiles);
  } else if (mode === 'service') {
    const service = requireService(target, mode, input.service);
    changes = restoreFiles(
      allPaths.filter((path) => classifyPath(layout, path).service === service),
      headFiles,
      targetFiles,
    );
  } else {
    if (!input.fields || input.fields.length === 0) throw badRequest(MESSAGES.emptyFieldSelection, { field: 'fields' });
    changes = planFields(input, requireService(target, mode, input.service));
  }

  const changed = Object.keys(changes);
  const classes = changed.map((path) => classifyPath(layout, path));
  const touched = new Set(classes.map((c) => c.service).filter((s): s is string => s !== null));
  const affectedServices = layout.services.map((s) => s.name).filter((name) => touched.has(name));
  return {
    changes,
    affectedServices,
    impact: {
      services: affectedServices.length,
      bindings: classes.filter((c) => c.kind === 'binding').length,
      variables: classes.filter((c) => c.kind === 'variables').length,
    },
    nothingToRollBack: changed.length === 0,
  };
}
