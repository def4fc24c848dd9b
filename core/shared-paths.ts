/**
 * Files that several targets own (decision 036): Flux's `apps/base/<app>/` under every environment's
 * overlay, a Helm chart beside its per-environment values. Rolling one target back changes such a file
 * for the others too, so the config check warns about them and a preview names them.
 */
import { matchesAny, targetKey, type TargetConfig } from './target-config.ts';

export interface SharedFiles {
  /** `tenant/environment` of every target owning these files, sorted. */
  targets: string[];
  files: string[];
}

/** Repo files owned by more than one target, grouped by the set of targets owning them. */
export function sharedFiles(targets: readonly TargetConfig[], files: readonly string[]): SharedFiles[] {
  const groups = new Map<string, SharedFiles>();
  for (const file of files) {
    const owners = targets.filter((t) => matchesAny(t.layout.paths, file)).map(targetKey);
    if (owners.length < 2) continue;
    owners.sort();
    const key = owners.join('\n');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { targets: owners, files: [] }));
    group.files.push(file);
  }
  return [...groups.values()].sort((a, b) => a.targets.join().localeCompare(b.targets.join()));
}

export function describeSharing(group: SharedFiles): string {
  const shown = group.files.slice(0, 3).join(', ');
  const more = group.files.length > 3 ? ` and ${group.files.length - 3} more` : '';
  return `targets ${group.targets.join(', ')} share ${group.files.length} file${group.files.length === 1 ? '' : 's'} (${shown}${more}): rolling back one changes the others too`;
}

/** For a plan of `target`, the changed files other targets also own, and which. */
export function sharedChanges(target: TargetConfig, all: readonly TargetConfig[], changed: readonly string[]): { path: string; targets: string[] }[] {
  const others = all.filter((t) => targetKey(t) !== targetKey(target));
  const result: { path: string; targets: string[] }[] = [];
  for (const path of changed) {
    const owners = others.filter((t) => matchesAny(t.layout.paths, path)).map(targetKey).sort();
    if (owners.length > 0) result.push({ path, targets: owners });
  }
  return result;
}
