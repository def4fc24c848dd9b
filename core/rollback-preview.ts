/**
 * Planning a rollback on the current branch head, and the diff it would commit (the preview): used by
 * `POST .../rollback-preview`, by request creation, by execution (which plans again) and by the
 * request page. See core/rollback-service.ts for how plans bind approvals to content.
 */
import { isKustomizationPath } from './kustomize-secrets.ts';
import { readKustomizations } from './kustomizations-read.ts';
import { rollbackInsight, type RollbackInsight } from './rollback-insight.ts';
import type { PatchBounds } from './git-patch.ts';
import { destructiveOf, type DestructivePlan } from './destructive-plan.ts';
import { badRequest, notFound } from './errors.ts';
import { hashPlan } from './plan-hash.ts';
import type { RevisionStore } from './ports.ts';
import { inProcessRollbackComputer, type RollbackComputer } from './rollback-compute.ts';
import type { RollbackPlan } from './rollback-planner.ts';
import { validateSelection, type RollbackSelection } from './rollback-validation.ts';
import type { Diff, FieldSelection, RollbackMode } from './schemas.ts';
import { scopeOf, targetKey, type TargetConfig } from './target-config.ts';
import { targetHead } from './history.ts';

/** `POST .../rollback-preview`: exactly the change the rollback would commit now. */
export type RollbackPreview = Diff & {
  /** The target's head revision the plan was made on (also `from`). */
  baseSha: string;
  diffHash: string;
  affectedServices: string[];
  versions?: RollbackInsight['versions'];
  hints?: RollbackInsight['hints'];
  /** Present when the plan is destructive (core/destructive-plan.ts). */
  destructive?: DestructivePlan;
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
  destructive?: DestructivePlan;
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
  /** The diff the plan would commit, when planned for a preview (`withDiff`). */
  diff?: Diff;
  /** Set when the plan deletes every file of its scope, or more than the policy's share. */
  destructive?: DestructivePlan;
}

/** How a plan is computed: where the YAML work runs, and whether the preview's diff is wanted. */
export interface PlanOptions {
  compute?: RollbackComputer | undefined;
  withDiff?: boolean;
  patchBounds?: PatchBounds | undefined;
}

export const shortSha = (sha: string) => sha.slice(0, 7);

export function nothingToRollBack(target: TargetConfig, selection: { mode: RollbackMode; service?: string | undefined }, targetSha: string): string {
  const where = targetKey(target);
  if (selection.mode === 'full') return `nothing to roll back: ${where} already matches revision ${shortSha(targetSha)}`;
  if (selection.mode === 'service') {
    return `nothing to roll back: service ${selection.service} of ${where} already matches revision ${shortSha(targetSha)}`;
  }
  return `nothing to roll back: the selected fields of ${where} already have their values of revision ${shortSha(targetSha)}`;
}


export function emptyDiff(from: string, to: string): Diff {
  return { from, to, files: [], fields: [], impact: { services: 0, bindings: 0, variables: 0 } };
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
  options: PlanOptions = {},
): Promise<PlannedRollback> {
  const resolving = Promise.resolve(targetSha);
  // Handled below (Promise.all); this keeps an early rejection from counting as unhandled meanwhile.
  resolving.catch(() => {});
  // The head first: whatever is read after it is at least as new, so a commit landing meanwhile makes
  // the compare-and-swap fail (or the hash differ) rather than a stale plan succeed.
  const head = await revisions.branchHead();
  if (!head) throw notFound('the branch has no commits');
  const scope = scopeOf(target, selection);
  // A diff masks what secretGenerators read: their kustomizations, in the target, above it or in the
  // bases it builds on (decision 042).
  const withKustomizations = options.withDiff === true;
  const [newest, headFiles, [resolved, targetFiles], kustomizations] = await Promise.all([
    targetHead(revisions, target),
    revisions.readFiles(scope, head),
    resolving.then(async (sha) => [sha, await revisions.readFiles(scope, sha)] as const),
    withKustomizations
      ? resolving.then(async (sha) => (await Promise.all([readKustomizations(revisions, target.layout.paths, head), readKustomizations(revisions, target.layout.paths, sha)])).flat())
      : Promise.resolve([] as [string, string][]),
    resolving.then((sha) => assertInTargetHistory(revisions, target, sha)),
  ]);
  const baseSha = newest?.sha ?? head;
  // Parsing and diffing user-controlled YAML: off the event loop where the computer runs in a worker.
  const { plan, diff } = await (options.compute ?? inProcessRollbackComputer)({
    target,
    mode: selection.mode,
    service: selection.service,
    fields: selection.fields,
    headFiles,
    targetFiles,
    ...(options.withDiff
      ? {
          diff: {
            from: baseSha,
            to: resolved,
            bounds: options.patchBounds,
            kustomizations: [...kustomizations, ...[...headFiles, ...targetFiles].filter(([path]) => isKustomizationPath(path))],
          },
        }
      : {}),
  });
  const planned: PlannedRollback = { head, baseSha, targetSha: resolved, headFiles, plan, diffHash: await hashPlan(baseSha, plan.changes) };
  if (diff) planned.diff = diff;
  const destructive = destructiveOf(target, plan.changes, headFiles);
  if (destructive) planned.destructive = destructive;
  return planned;
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

/** The preview of a plan made `withDiff`. */
export function previewOf(planned: PlannedRollback): RollbackPreview {
  if (!planned.diff) throw new Error('previewOf needs a plan made withDiff');
  const preview: RollbackPreview = { ...planned.diff, baseSha: planned.baseSha, diffHash: planned.diffHash, affectedServices: planned.plan.affectedServices };
  if (planned.destructive) preview.destructive = planned.destructive;
  return preview;
}

/**
 * The change a rollback would commit now (`POST .../rollback-preview`), with the errors of a request:
 * `targetSha is required`, the mode's gating (403), a malformed or unknown revision (400/404), a
 * revision outside the target's history (400), the service and field selection (400), a file over the
 * parse budget (422), and a plan that changes nothing (400 `nothing to roll back: ...`).
 * Read-only and needs no request store: anyone who can see the target may preview.
 */
export async function previewRollback(
  deps: { revisions: RevisionStore; patchBounds?: PatchBounds | undefined; rollbackComputer?: RollbackComputer | undefined },
  target: TargetConfig,
  body: RollbackSelection,
): Promise<RollbackPreview> {
  const selection = validateSelection(target, body);
  const planned = await planOnHead(deps.revisions, target, selection, resolveTargetSha(deps.revisions, selection.targetRef), {
    compute: deps.rollbackComputer,
    withDiff: true,
    patchBounds: deps.patchBounds,
  });
  if (planned.plan.nothingToRollBack) throw badRequest(nothingToRollBack(target, selection, planned.targetSha), { field: 'targetSha', rule: 'nothing-to-roll-back' });
  return { ...previewOf(planned), ...(await insightOf(deps.revisions, target, selection, planned)) };
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
