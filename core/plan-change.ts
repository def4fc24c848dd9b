/**
 * What changed in a request's plan since its requester confirmed it (decision 039, issue #12 item 3):
 * the plan as confirmed (the stored `baseSha`'s files restored to `targetSha`) against the plan on the
 * current head, in fields: "the plan now also reverts replicaCount 7 → 3". Secret values stay masked
 * (the field diff masks them); a file whose fields cannot be read is named as a whole.
 */
import { diffYamlFieldsDetailed, type FieldLeafChange } from './field-diff.ts';
import { formatFieldPath } from './field-path.ts';
import type { RevisionStore } from './ports.ts';
import { inProcessRollbackComputer, type RollbackComputer } from './rollback-compute.ts';
import type { PlannedRollback } from './rollback-preview.ts';
import type { RollbackRequest } from './schemas.ts';
import { scopeOf, type TargetConfig } from './target-config.ts';

/** At most this many phrases; the rest is counted. */
const MAX_PHRASES = 8;

export interface PlanChange {
  /** The base the requester confirmed, and the one the plan is made on now. */
  previousBaseSha: string;
  baseSha: string;
  diffHash: string;
  /** Phrases, most useful first: "now also reverts payments.yaml: spec.replicas 7 → 3". */
  changes: string[];
}

function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

const changeKey = (c: FieldLeafChange) => JSON.stringify([c.path, c.from ?? null, c.to ?? null]);
const fileName = (path: string) => path.split('/').at(-1) ?? path;

/** The field changes of one file's part of a plan, or null when they cannot be read. */
function fieldChanges(before: string | null, after: string | null | undefined): FieldLeafChange[] | null {
  if (after === undefined) return [];
  const result = diffYamlFieldsDetailed(before, after);
  return result.incomplete && result.incomplete !== 'truncated' ? null : result.changes;
}

/**
 * Describes how `current` (planned on the head) differs from the plan the request recorded. Reads the
 * scope at the recorded base and the target revision and plans there again.
 */
export async function describePlanChange(
  deps: { revisions: RevisionStore; rollbackComputer?: RollbackComputer | undefined },
  target: TargetConfig,
  request: Pick<RollbackRequest, 'mode' | 'service' | 'fields' | 'baseSha' | 'targetSha'>,
  current: PlannedRollback,
): Promise<PlanChange> {
  const phrases: string[] = [];
  const scope = scopeOf(target, request);
  let baseFiles: ReadonlyMap<string, string>;
  let previous: Record<string, string | null>;
  try {
    const [base, targetFiles] = await Promise.all([deps.revisions.readFiles(scope, request.baseSha), deps.revisions.readFiles(scope, request.targetSha)]);
    baseFiles = base;
    const { plan } = await (deps.rollbackComputer ?? inProcessRollbackComputer)({
      target,
      mode: request.mode,
      service: request.service,
      fields: request.fields,
      headFiles: base,
      targetFiles,
    });
    previous = plan.changes;
  } catch {
    // The confirmed base may be gone (a rewritten branch): the new base alone is what can be said.
    return { previousBaseSha: request.baseSha, baseSha: current.baseSha, diffHash: current.diffHash, changes: [`is now made on ${current.baseSha.slice(0, 7)}; the plan made on ${request.baseSha.slice(0, 7)} cannot be read again`] };
  }
  const next = current.plan.changes;
  const paths = [...new Set([...Object.keys(previous), ...Object.keys(next)])].sort();
  for (const path of paths) {
    const was = fieldChanges(baseFiles.get(path) ?? null, path in previous ? previous[path] : undefined);
    const now = fieldChanges(current.headFiles.get(path) ?? null, path in next ? next[path] : undefined);
    if (was === null || now === null) {
      if (!(path in previous)) phrases.push(`now also changes ${path}`);
      else if (!(path in next)) phrases.push(`no longer changes ${path}`);
      else if (previous[path] !== next[path] || baseFiles.get(path) !== current.headFiles.get(path)) phrases.push(`changes ${path} differently`);
      continue;
    }
    const wasKeys = new Set(was.map(changeKey));
    const nowKeys = new Set(now.map(changeKey));
    for (const c of now) {
      if (!wasKeys.has(changeKey(c))) phrases.push(`now also reverts ${fileName(path)}: ${formatFieldPath(c.path)} ${show(c.from)} → ${show(c.to)}`);
    }
    for (const c of was) {
      if (!nowKeys.has(changeKey(c))) phrases.push(`no longer reverts ${fileName(path)}: ${formatFieldPath(c.path)} ${show(c.from)} → ${show(c.to)}`);
    }
  }
  if (phrases.length === 0) phrases.push(`is now made on ${current.baseSha.slice(0, 7)} instead of ${request.baseSha.slice(0, 7)} (the same fields change)`);
  const shown = phrases.length > MAX_PHRASES ? [...phrases.slice(0, MAX_PHRASES - 1), `and ${phrases.length - MAX_PHRASES + 1} more changes`] : phrases;
  return { previousBaseSha: request.baseSha, baseSha: current.baseSha, diffHash: current.diffHash, changes: shown };
}

/** One sentence for a 409 or a banner: "the plan now also reverts …; no longer …". */
export function planChangeText(change: Pick<PlanChange, 'changes'>): string {
  return `the plan ${change.changes.join('; ')}`;
}
