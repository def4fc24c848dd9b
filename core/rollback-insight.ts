/**
 * What the preview and the request record say beyond the diff (decisions 031, 032): each affected
 * service's version now and after the rollback, and the roll-forward hints. Read from the same plan
 * the diff comes from, so the versions are those of the files the rollback would commit.
 */
import { buildRolledBackIndex, revisionStatusOf } from './rolled-back-index.ts';
import type { RevisionStore } from './ports.ts';
import { toVersionInfo, versionReaderFor } from './revision-versions.ts';
import type { RollForwardHint } from './rollback-hint-schemas.ts';
import {
  DEFAULT_HINT_THRESHOLDS,
  DEFAULT_MIGRATION_PATTERNS,
  rollForwardHints,
  type HintThresholds,
  type MigrationPatterns,
} from './rollback-hints.ts';
import { readServiceVersion } from './service-version.ts';
import { matchesAny, type TargetConfig } from './target-config.ts';
import type { ServiceVersionChange } from './version-schemas.ts';

export interface PlannedChange {
  baseSha: string;
  targetSha: string;
  /** The rollback scope's paths, and its files at `baseSha`. */
  scope: readonly string[];
  headFiles: ReadonlyMap<string, string>;
  changes: Readonly<Record<string, string | null>>;
  affectedServices: readonly string[];
}

export interface RollbackInsight {
  versions: ServiceVersionChange[];
  hints: RollForwardHint[];
}

/** Each affected service's version at the base and in the files the plan would commit. */
export async function plannedVersions(revisions: RevisionStore, target: TargetConfig, planned: PlannedChange): Promise<ServiceVersionChange[]> {
  const reader = versionReaderFor(revisions);
  return Promise.all(
    planned.affectedServices.flatMap((name) => {
      const service = target.layout.services.find((s) => s.name === name);
      if (!service) return [];
      const after = new Map([...planned.headFiles].filter(([path]) => matchesAny(service.paths, path)));
      for (const [path, content] of Object.entries(planned.changes)) {
        if (!matchesAny(service.paths, path)) continue;
        if (content === null) after.delete(path);
        else after.set(path, content);
      }
      return [reader.versionAt(service, planned.baseSha).then((from) => ({ service: name, from, to: toVersionInfo(readServiceVersion(name, after)) }))];
    }),
  );
}

/** The target's configured hint settings over the defaults. */
export function hintSettings(target: TargetConfig): { migrations: MigrationPatterns; thresholds: HintThresholds } {
  const own = target.rollForward ?? {};
  return {
    migrations: {
      paths: own.migrationPaths ?? DEFAULT_MIGRATION_PATTERNS.paths,
      kinds: own.migrationKinds ?? DEFAULT_MIGRATION_PATTERNS.kinds,
      jobName: own.migrationJobName !== undefined ? new RegExp(own.migrationJobName, 'i') : DEFAULT_MIGRATION_PATTERNS.jobName,
    },
    thresholds: {
      maxRevisions: own.maxRevisions ?? DEFAULT_HINT_THRESHOLDS.maxRevisions,
      maxAgeMs: own.maxAgeDays !== undefined ? own.maxAgeDays * 86_400_000 : DEFAULT_HINT_THRESHOLDS.maxAgeMs,
    },
  };
}

export async function rollbackInsight(
  revisions: RevisionStore,
  target: TargetConfig,
  planned: PlannedChange,
  options: { migrations?: MigrationPatterns; thresholds?: HintThresholds } = hintSettings(target),
): Promise<RollbackInsight> {
  const paths = target.layout.paths;
  const [versions, undone, sinceTarget, [head], rolledBack] = await Promise.all([
    plannedVersions(revisions, target, planned),
    revisions.range({ paths: planned.scope, since: planned.targetSha, until: planned.baseSha }),
    revisions.range({ paths, since: planned.targetSha, until: planned.baseSha }),
    revisions.log({ paths, limit: 1 }),
    buildRolledBackIndex(revisions, target),
  ]);
  // The target's state at the chosen revision is its newest commit at or before it: the revision
  // itself (planning checked it is one of the target's), the very lookup planning made, so a cached
  // answer instead of another `git log` after the span (decision 041).
  const [restored] = sinceTarget.length > 0 ? await revisions.log({ paths, at: planned.targetSha, limit: 1 }) : [];
  if (!restored || !head) return { versions, hints: [] };
  const { status, rolledBackBy } = revisionStatusOf(restored, rolledBack);
  const hints = rollForwardHints({
    target: {
      sha: restored.sha,
      timestamp: restored.timestamp,
      status,
      ...(rolledBackBy ? { rolledBackBy } : {}),
    },
    head: { sha: head.sha, timestamp: head.timestamp },
    undone: undone.length,
    headFiles: planned.headFiles,
    changes: planned.changes,
    versions,
    ...options,
  });
  return { versions, hints };
}
