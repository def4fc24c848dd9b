/**
 * Roll-forward hints (docs/decisions/032): reasons a planned rollback may be the wrong tool, each
 * with its evidence, shown in the preview and recorded with the request. They never block: the
 * incident commander decides, and the record shows what they were told.
 */
import { isPlainObject, parseYamlValues } from './yaml-documents.ts';
import { matchesAny } from './target-config.ts';
import { VERSION_YAML_LIMITS } from './service-version.ts';
import type { RollForwardHint } from './rollback-hint-schemas.ts';
import type { RevisionStatus } from './schemas.ts';
import type { ServiceVersionChange } from './version-schemas.ts';

/** What counts as a database migration; configurable because repos name them differently. */
export interface MigrationPatterns {
  /** Path globs (target-config rules): a changed file matching one is a migration. */
  paths: string[];
  /** Resource kinds that are migrations whatever their name (Atlas, Flyway and Liquibase operators). */
  kinds: string[];
  /** Jobs (and CronJobs) whose name matches are migrations. */
  jobName: RegExp;
}

export const DEFAULT_MIGRATION_PATTERNS: MigrationPatterns = {
  paths: ['**/migrations/**', '**/migration/**', '**/*migrat*', '**/db.changelog*', '**/flyway*', '**/liquibase*', '**/atlas.hcl'],
  kinds: ['AtlasMigration', 'AtlasSchema', 'Flyway', 'FlywayMigration', 'Liquibase', 'LiquibaseChangelog', 'SchemaMigration'],
  jobName: /migrat|flyway|liquibase|atlas/i,
};

export interface HintThresholds {
  /** More undone revisions than this is a very large span. */
  maxRevisions: number;
  /** An older target than this (ms before the head) is a very large span. */
  maxAgeMs: number;
}

export const DEFAULT_HINT_THRESHOLDS: HintThresholds = { maxRevisions: 20, maxAgeMs: 7 * 24 * 60 * 60 * 1000 };

export interface HintInput {
  /** The revision the rollback restores (the newest commit of the target at or before it). */
  target: { sha: string; status: RevisionStatus; timestamp: string; rolledBackBy?: string };
  /** The head it is planned on. */
  head: { sha: string; timestamp: string };
  /** Commits of the rollback's scope the rollback undoes (after the target, up to the head). */
  undone: number;
  /** The scope's files at the head, and the planned new contents (null: deleted). */
  headFiles: ReadonlyMap<string, string>;
  changes: Readonly<Record<string, string | null>>;
  /** Each affected service's version now (`from`) and after the rollback (`to`). */
  versions: readonly ServiceVersionChange[];
  migrations?: MigrationPatterns;
  thresholds?: HintThresholds;
}

interface Resource {
  kind: string;
  name: string;
  apiVersion: string;
}

function resourcesOf(path: string, text: string | null | undefined): Resource[] {
  if (!text || !/\.ya?ml$/i.test(path)) return [];
  const parsed = parseYamlValues(text, VERSION_YAML_LIMITS);
  if (!parsed.ok) return [];
  return parsed.values.filter(isPlainObject).flatMap((doc) => {
    const metadata = isPlainObject(doc.metadata) ? doc.metadata : {};
    return typeof doc.kind === 'string'
      ? [{ kind: doc.kind, name: typeof metadata.name === 'string' ? metadata.name : '', apiVersion: typeof doc.apiVersion === 'string' ? doc.apiVersion : '' }]
      : [];
  });
}

/** The leading number of a version ("v2.13.14" → 2), or null when it does not start with one. */
export function majorOf(version: string): number | null {
  const match = /^v?(\d+)(?:[.\-+]|$)/i.exec(version.trim());
  return match ? Number(match[1]) : null;
}

const short = (sha: string) => sha.slice(0, 7);

function days(ms: number): string {
  const d = Math.round(ms / 86_400_000);
  return d === 1 ? '1 day' : `${d} days`;
}

export function rollForwardHints(input: HintInput): RollForwardHint[] {
  const patterns = input.migrations ?? DEFAULT_MIGRATION_PATTERNS;
  const thresholds = input.thresholds ?? DEFAULT_HINT_THRESHOLDS;
  const hints: RollForwardHint[] = [];
  const { target } = input;

  if (target.status === 'failed') {
    hints.push({ kind: 'target-failed', sha: target.sha, message: `Revision ${short(target.sha)} itself failed to deploy: restoring it may bring that failure back. Consider rolling forward with a fix.` });
  } else if (target.status === 'rolled-back' || target.status === 'partially-rolled-back') {
    const by = target.rolledBackBy ? ` by ${short(target.rolledBackBy)}` : '';
    hints.push({
      kind: 'target-rolled-back',
      sha: target.sha,
      message:
        target.status === 'rolled-back'
          ? `Revision ${short(target.sha)} was itself rolled back${by}: it was judged bad once already.`
          : `Part of revision ${short(target.sha)} was rolled back${by}: some of it was judged bad once already.`,
    });
  }

  for (const path of Object.keys(input.changes).sort()) {
    const before = input.headFiles.get(path) ?? null;
    const after = input.changes[path] ?? null;
    const resources = [...resourcesOf(path, before), ...resourcesOf(path, after)];
    const migration =
      matchesAny(patterns.paths, path) ||
      resources.some((r) => patterns.kinds.includes(r.kind) || ((r.kind === 'Job' || r.kind === 'CronJob') && patterns.jobName.test(r.name)));
    if (migration) {
      hints.push({
        kind: 'migration',
        file: path,
        message: `The rollback changes ${path}, a database migration: reverting manifests does not revert a schema. Check the old version runs against the current schema, or roll forward.`,
      });
    }
    const crd = resources.find((r) => r.kind === 'CustomResourceDefinition');
    if (crd) {
      hints.push({ kind: 'crd', file: path, message: `The rollback changes the CustomResourceDefinition ${crd.name || 'in ' + path}: resources stored with the newer schema may stop validating.` });
    }
    const apiBefore = resourcesOf(path, before);
    for (const r of resourcesOf(path, after)) {
      const was = apiBefore.find((b) => b.kind === r.kind && b.name === r.name);
      if (was && was.apiVersion !== r.apiVersion) {
        hints.push({ kind: 'api-version', file: path, message: `${r.kind} ${r.name} goes from apiVersion ${was.apiVersion} back to ${r.apiVersion}: check the cluster still serves it.` });
      }
    }
  }

  for (const change of input.versions) {
    if (!change.from.known || !change.to.known) continue;
    const [now, after] = [majorOf(change.from.version), majorOf(change.to.version)];
    if (now !== null && after !== null && after < now) {
      hints.push({
        kind: 'major-downgrade',
        service: change.service,
        message: `${change.service} goes from ${change.from.version} down to ${change.to.version}, a major version: data or APIs written by version ${now} may not be readable by version ${after}.`,
      });
    }
  }

  const age = Date.parse(input.head.timestamp) - Date.parse(target.timestamp);
  if (input.undone > thresholds.maxRevisions || age > thresholds.maxAgeMs) {
    hints.push({
      kind: 'large-span',
      message: `The rollback undoes ${input.undone} revision${input.undone === 1 ? '' : 's'} over ${days(Math.max(age, 0))}: a very large span; a targeted fix may be safer.`,
    });
  }
  return hints;
}
