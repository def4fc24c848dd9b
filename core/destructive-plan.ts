/**
 * The destructive-plan rule (issue 11): a rollback that deletes every file of its scope (the target in
 * full mode, the service in service mode), or more than a share of them, is not made by accident. The
 * preview shows it as destructive; a request needs `allowDestructive: true` to go ahead, else it is
 * refused with a 422 naming the rule. The share is the target policy's `maxDeleteShare` (default 0.5).
 */
import { unprocessable } from './errors.ts';
import type { RollbackMode } from './schemas.ts';
import { targetKey, type TargetConfig } from './target-config.ts';

export const DEFAULT_MAX_DELETE_SHARE = 0.5;

export interface DestructivePlan {
  /** Files the plan deletes, of the files its scope holds at the head. */
  deletes: number;
  files: number;
  /** The plan deletes every file of its scope. */
  all: boolean;
  /** The share above which a plan counts as destructive. */
  maxShare: number;
}

/** What the plan deletes, when that makes it destructive; null otherwise. */
export function destructiveOf(
  target: TargetConfig,
  changes: Readonly<Record<string, string | null>>,
  headFiles: ReadonlyMap<string, string>,
): DestructivePlan | null {
  const files = headFiles.size;
  if (files === 0) return null;
  let deletes = 0;
  for (const [path, content] of Object.entries(changes)) if (content === null && headFiles.has(path)) deletes++;
  const maxShare = target.policy.maxDeleteShare ?? DEFAULT_MAX_DELETE_SHARE;
  const all = deletes === files;
  return all || deletes / files > maxShare ? { deletes, files, all, maxShare } : null;
}

const percent = (share: number) => `${Math.round(share * 100)}%`;

/** 422 unless the request confirmed it; says what would be deleted and how to go ahead. */
export function assertDestructiveAllowed(
  target: TargetConfig,
  selection: { mode: RollbackMode; service?: string | undefined },
  destructive: DestructivePlan | null | undefined,
  allowDestructive: boolean | undefined,
): void {
  if (!destructive || allowDestructive === true) return;
  const scope = selection.mode === 'full' ? targetKey(target) : `service ${selection.service} of ${targetKey(target)}`;
  const what = destructive.all
    ? `every file of ${scope} (${destructive.files})`
    : `${destructive.deletes} of the ${destructive.files} files of ${scope} (${percent(destructive.deletes / destructive.files)}, more than ${percent(destructive.maxShare)})`;
  throw unprocessable(
    `destructive rollback refused: it would delete ${what}. Nothing was requested. ` +
      'Check the preview and send allowDestructive: true to confirm',
    { field: 'allowDestructive', rule: 'destructive-plan' },
  );
}
