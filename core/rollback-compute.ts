/**
 * The CPU-bound part of a rollback, apart from any port: the plan (core/rollback-planner.ts) and,
 * for a preview, its diff (git-format patches, Secret masking, field changes). Everything here parses
 * or diffs manifest text a user controls, so the real server runs it in a worker thread with a time
 * budget (server/node/worker-field-differ.ts, docs/decisions/021); the in-memory backend runs the same
 * code in-process. Input and output are plain data (structured-cloneable).
 */
import { buildDiffSync, type ChangedFile } from './file-diffs.ts';
import { DEFAULT_PATCH_BOUNDS, unifiedGitPatch, type PatchBounds } from './git-patch.ts';
import { planRollback, type RollbackPlan } from './rollback-planner.ts';
import type { Diff, FieldSelection, RollbackMode } from './schemas.ts';
import type { TargetConfig } from './target-config.ts';

export interface RollbackJob {
  target: TargetConfig;
  mode: RollbackMode;
  service?: string | undefined;
  fields?: readonly FieldSelection[] | undefined;
  /** The scope's files at the head and at the target revision. */
  headFiles: ReadonlyMap<string, string>;
  targetFiles: ReadonlyMap<string, string>;
  /** Also compute the diff the plan would commit, from the head revision `from` to `to`. */
  diff?: { from: string; to: string; bounds?: PatchBounds | undefined; kustomizations?: [string, string][] | undefined };
}

export interface RollbackJobResult {
  plan: RollbackPlan;
  diff?: Diff;
}

/**
 * Runs a RollbackJob. Rejects with the planner's RewindErrors (400 for a bad selection, 422 for a file
 * over the parse budget). The server's computer also rejects with a 422 naming the file when the job
 * runs over its time budget.
 */
export type RollbackComputer = (job: RollbackJob) => Promise<RollbackJobResult>;

/** The job, synchronously; `onFile` hears each file as its work starts (the worker reports it). */
export function computeRollback(job: RollbackJob, onFile?: (path: string) => void): RollbackJobResult {
  const plan = planRollback({
    target: job.target,
    mode: job.mode,
    ...(job.service !== undefined ? { service: job.service } : {}),
    ...(job.fields !== undefined ? { fields: job.fields } : {}),
    headFiles: job.headFiles,
    targetFiles: job.targetFiles,
    ...(onFile ? { onFile } : {}),
  });
  if (!job.diff) return { plan };
  return { plan, diff: rollbackDiff(job.target, job.headFiles, plan.changes, job.diff.from, job.diff.to, job.diff.bounds, onFile, job.diff.kustomizations) };
}

/** The default RollbackComputer: in-process, during the call (the in-memory backend, tests). */
export const inProcessRollbackComputer: RollbackComputer = async (job) => computeRollback(job);

/** Characters a job would parse or diff: what decides whether it is worth a worker round trip. */
export function rollbackJobChars(job: RollbackJob): number {
  let chars = 0;
  for (const text of job.headFiles.values()) chars += text.length;
  for (const text of job.targetFiles.values()) chars += text.length;
  return chars;
}

const codeUnitOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The diff of a planned rollback: old = the file at the head, new = the planned file. Built by the
 * builder compare uses (core/file-diffs.ts): git-format patches (jsdiff, bounded), Secret masking,
 * field changes.
 */
export function rollbackDiff(
  target: TargetConfig,
  headFiles: ReadonlyMap<string, string>,
  changes: Readonly<Record<string, string | null>>,
  from: string,
  to: string,
  bounds: PatchBounds = DEFAULT_PATCH_BOUNDS,
  onFile?: (path: string) => void,
  kustomizations?: [string, string][],
): Diff {
  const changed = Object.keys(changes)
    .sort(codeUnitOrder)
    .map((path): ChangedFile => {
      const oldText = headFiles.get(path) ?? null;
      const newText = changes[path] ?? null;
      return { change: unifiedGitPatch(path, oldText, newText, bounds), oldText, newText, missing: false };
    });
  return buildDiffSync(target, from, to, changed, { patchBounds: bounds, onFile, kustomizations });
}
