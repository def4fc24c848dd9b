/**
 * Planning a rollback on the current branch head, and the diff it would commit (the preview): used by
 * `POST .../rollback-preview`, by request creation, by execution (which plans again) and by the
 * request page. See core/rollback-service.ts for how plans bind approvals to content.
 */
import { rollbackInsight, type RollbackInsight } from './rollback-insight.ts';
import { DEFAULT_PATCH_BOUNDS, gitPatchHeader, isYamlPath, unifiedGitPatch, type PatchBounds } from './compare.ts';
import { badRequest, notFound } from './errors.ts';
import { diffYamlFieldsDetailed } from './field-diff.ts';
import { hashPlan } from './plan-hash.ts';
import type { RevisionStore } from './ports.ts';
import { planRollback, type RollbackPlan } from './rollback-planner.ts';
import { validateSelection, type RollbackSelection } from './rollback-validation.ts';
import type { Diff, FieldChange, FieldSelection, FileDiff, RollbackMode } from './schemas.ts';
import { maskSecretTexts } from './secret-masking.ts';
import { classifyPath, targetKey, type TargetConfig } from './target-config.ts';

/** `POST .../rollback-preview`: exactly the change the rollback would commit now. */
export type RollbackPreview = Diff & {
  /** The target's head revision the plan was made on (also `from`). */
  baseSha: string;
  diffHash: string;
  affectedServices: string[];
  versions?: RollbackInsight['versions'];
  hints?: RollbackInsight['hints'];
};

/**
 * The diff of `GET /api/rollbacks/{id}`: for a completed request the rollback commit against the
 * revision it was planned on; otherwise the plan as it would execute now (with its `baseSha` and
 * `diffHash`, so a client sees when the target moved since the request), or, when no plan can be
 * made any more, an empty diff and `diffError` saying why.
 */
export type RollbackRequestDiff = Diff & {
  baseSha?: string;
  diffHash?: string;
  affectedServices?: string[];
  diffError?: string;
};

/** A plan made on a branch head: what execution commits, and what preview shows. */
export interface PlannedRollback {
  /** The branch head when planning started: the compare-and-swap expectation of the commit. */
  head: string;
  /** The newest commit touching the target at that head: the base of the diff and of its hash. */
  baseSha: string;
  targetSha: string;
  /** The files read at `baseSha` (the plan's scope only). */
  headFiles: ReadonlyMap<string, string>;
  plan: RollbackPlan;
  diffHash: string;
}

const codeUnitOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const shortSha = (sha: string) => sha.slice(0, 7);

export function nothingToRollBack(target: TargetConfig, selection: { mode: RollbackMode; service?: string | undefined }, targetSha: string): string {
  const where = targetKey(target);
  if (selection.mode === 'full') return `nothing to roll back: ${where} already matches revision ${shortSha(targetSha)}`;
  if (selection.mode === 'service') {
    return `nothing to roll back: service ${selection.service} of ${where} already matches revision ${shortSha(targetSha)}`;
  }
  return `nothing to roll back: the selected fields of ${where} already have their values of revision ${shortSha(targetSha)}`;
}

/**
 * The diff of a planned rollback: old = the file at the head, new = the planned file. Built as
 * compare builds one (core/compare.ts): git-format patches (jsdiff, bounded), field changes, and
 * Kubernetes Secret values masked in both, or the file withheld when it cannot be masked reliably.
 */
export function rollbackDiff(
  target: TargetConfig,
  headFiles: ReadonlyMap<string, string>,
  changes: Readonly<Record<string, string | null>>,
  from: string,
  to: string,
  bounds: PatchBounds = DEFAULT_PATCH_BOUNDS,
): Diff {
  const files: FileDiff[] = [];
  const fields: FieldChange[] = [];
  for (const path of Object.keys(changes).sort(codeUnitOrder)) {
    const oldText = headFiles.get(path) ?? null;
    const newText = changes[path] ?? null;
    const { kind, service } = classifyPath(target.layout, path);
    const binary = (oldText ?? '').includes('\u0000') || (newText ?? '').includes('\u0000');
    const masked = binary ? ({ kind: 'clean' } as const) : maskSecretTexts(oldText, newText);
    const shown = masked.kind === 'masked' ? unifiedGitPatch(path, masked.from, masked.to, bounds) : unifiedGitPatch(path, oldText, newText, bounds);
    const file: FileDiff = {
      path,
      service,
      kind,
      status: shown.status,
      additions: shown.additions,
      deletions: shown.deletions,
      patch: shown.patch,
    };
    if (shown.wholeFile) file.wholeFile = true;
    if (shown.binary) file.binary = true;
    files.push(file);
    if (binary) continue;
    if (masked.kind === 'masked') file.redacted = 'values';
    if (masked.kind === 'withheld') {
      file.patch = gitPatchHeader(path, shown.status);
      file.redacted = 'file';
      delete file.wholeFile;
      if (isYamlPath(path)) file.fieldDiff = 'withheld';
      continue;
    }
    if (!isYamlPath(path)) continue;
    const result = diffYamlFieldsDetailed(oldText, newText);
    if (result.incomplete) file.fieldDiff = result.incomplete;
    for (const leaf of result.changes) {
      const field: FieldChange = { service, file: path, path: leaf.path, from: leaf.from, to: leaf.to };
      if (leaf.redacted) field.redacted = true;
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

export function emptyDiff(from: string, to: string): Diff {
  return { from, to, files: [], fields: [], impact: { services: 0, bindings: 0, variables: 0 } };
}

/** The repo paths a plan needs: the whole target, or the one service's files. */
export function scopeOf(target: TargetConfig, selection: { mode: RollbackMode; service?: string | undefined }): readonly string[] {
  if (selection.mode === 'full') return target.layout.paths;
  return target.layout.services.find((s) => s.name === selection.service)?.paths ?? [];
}

/**
 * Plans on the current branch head. `targetSha` may still be resolving: the reads run in parallel
 * (the target's files at the branch head are its files at its head revision, since no later commit
 * touched them), so a preview costs about one git round trip more than the slowest read.
 */
export async function planOnHead(
  revisions: RevisionStore,
  target: TargetConfig,
  selection: { mode: RollbackMode; service?: string | undefined; fields?: readonly FieldSelection[] | undefined },
  targetSha: string | Promise<string>,
): Promise<PlannedRollback> {
  const resolving = Promise.resolve(targetSha);
  // Handled below (Promise.all); this keeps an early rejection from counting as unhandled meanwhile.
  resolving.catch(() => {});
  // The head first: whatever is read after it is at least as new, so a commit landing meanwhile makes
  // the compare-and-swap fail (or the hash differ) rather than a stale plan succeed.
  const head = await revisions.branchHead();
  if (!head) throw notFound('the branch has no commits');
  const scope = scopeOf(target, selection);
  const [newest, headFiles, [resolved, targetFiles]] = await Promise.all([
    revisions.log({ paths: target.layout.paths, limit: 1 }).then((found) => found[0]),
    revisions.readFiles(scope, head),
    resolving.then(async (sha) => [sha, await revisions.readFiles(scope, sha)] as const),
    resolving.then((sha) => assertInTargetHistory(revisions, target, sha)),
  ]);
  const baseSha = newest?.sha ?? head;
  const plan = planRollback({
    target,
    mode: selection.mode,
    ...(selection.service !== undefined ? { service: selection.service } : {}),
    ...(selection.fields !== undefined ? { fields: selection.fields } : {}),
    headFiles,
    targetFiles,
  });
  return { head, baseSha, targetSha: resolved, headFiles, plan, diffHash: await hashPlan(baseSha, plan.changes) };
}

/**
 * The revision a rollback restores must be one of the target's own revisions: a commit that touched
 * its paths. Any other commit of the branch (another target's, the root commit before the target
 * existed) would restore a state the target never had, which for a full rollback can delete every
 * file of it (issue 11).
 */
export async function assertInTargetHistory(revisions: RevisionStore, target: TargetConfig, sha: string): Promise<void> {
  const [found] = await revisions.log({ paths: target.layout.paths, at: sha, limit: 1 });
  if (found?.sha === sha) return;
  throw badRequest(
    `revision ${shortSha(sha)} is not in the history of ${targetKey(target)}: it changed none of the target's files. ` +
      `Pick a revision from the history of ${targetKey(target)}`,
    { field: 'targetSha', rule: 'foreign-revision' },
  );
}

export async function resolveTargetSha(revisions: RevisionStore, ref: string): Promise<string> {
  const sha = await revisions.resolveCommit(ref);
  if (!sha) throw notFound(`unknown revision ${ref}`, { field: 'targetSha' });
  return sha;
}

export function previewOf(target: TargetConfig, planned: PlannedRollback, bounds?: PatchBounds): RollbackPreview {
  const diff = rollbackDiff(target, planned.headFiles, planned.plan.changes, planned.baseSha, planned.targetSha, bounds);
  return { ...diff, baseSha: planned.baseSha, diffHash: planned.diffHash, affectedServices: planned.plan.affectedServices };
}

/**
 * The change a rollback would commit now (`POST .../rollback-preview`), with the errors of a request:
 * `targetSha is required`, the mode's gating (403), a malformed or unknown revision (400/404), the
 * service and field selection (400), and a plan that changes nothing (400 `nothing to roll back: ...`).
 * Read-only and needs no request store: anyone who can see the target may preview.
 */
export async function previewRollback(
  deps: { revisions: RevisionStore; patchBounds?: PatchBounds | undefined },
  target: TargetConfig,
  body: RollbackSelection,
): Promise<RollbackPreview> {
  const selection = validateSelection(target, body);
  const planned = await planOnHead(deps.revisions, target, selection, resolveTargetSha(deps.revisions, selection.targetRef));
  if (planned.plan.nothingToRollBack) throw badRequest(nothingToRollBack(target, selection, planned.targetSha));
  return { ...previewOf(target, planned, deps.patchBounds), ...(await insightOf(deps.revisions, target, selection, planned)) };
}

/** Versions and roll-forward hints of a plan (decisions 031, 032). */
export function insightOf(
  revisions: RevisionStore,
  target: TargetConfig,
  selection: { mode: RollbackMode; service?: string | undefined },
  planned: PlannedRollback,
): Promise<RollbackInsight> {
  const { baseSha, targetSha, headFiles, plan } = planned;
  return rollbackInsight(revisions, target, { baseSha, targetSha, headFiles, scope: scopeOf(target, selection), changes: plan.changes, affectedServices: plan.affectedServices });
}
