/**
 * Service versions per revision, for history rows, the target header and the rollback preview
 * (docs/decisions/031). A revision only gets the versions of the services it changed, so a history
 * page reads one service's files per row, not the whole target's. Commits never change, so a version
 * at a commit is cached for good; parsed readings are cached by file content, which repeats across
 * commits (a release changes one file of a service, the others keep their content).
 */
import type { RevisionStore } from './ports.ts';
import type { Revision } from './schemas.ts';
import { rankVersionReadings, readVersions, YAML_FILE, type ServiceVersion, type VersionReading } from './service-version.ts';
import type { ServiceLayout, TargetConfig } from './target-config.ts';
import type { ServiceVersionAt, ServiceVersionChange, VersionInfo } from './version-schemas.ts';

const VERSION_CACHE_MAX = 20_000;
const PREVIOUS_CACHE_MAX = 20_000;
const READINGS_CACHE_MAX = 5_000;
/** Concurrent file reads per page: the machine's git processes are the cost, not the waiting. */
const READ_CONCURRENCY = 4;

export function toVersionInfo(version: ServiceVersion): VersionInfo {
  if (!version.known) return { known: false, reason: version.reason };
  const { reading } = version;
  return {
    known: true,
    version: version.version,
    source: reading.source,
    file: reading.file,
    field: reading.field,
    ...(reading.image !== undefined ? { image: reading.image } : {}),
  };
}

/** "v2.13.14", or "version unknown"; the reason belongs on hover. */
export function versionLabel(version: VersionInfo): string {
  return version.known ? version.version : 'version unknown';
}

/** Where a version came from, or why there is none: the hover text next to every version shown. */
export function versionProvenance(version: VersionInfo): string {
  return version.known ? `read from ${version.field} in ${version.file}` : `version unknown: ${version.reason}`;
}

class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const BEFORE_FIRST: VersionInfo = { known: false, reason: 'the service did not exist before this revision' };

export class VersionReader {
  private readonly versions = new BoundedMap<string, Promise<VersionInfo>>(VERSION_CACHE_MAX);
  private readonly previous = new BoundedMap<string, string | null>(PREVIOUS_CACHE_MAX);
  private readonly readings = new BoundedMap<string, VersionReading[]>(READINGS_CACHE_MAX);

  constructor(private readonly store: RevisionStore) {}

  /** The service's version at commit `sha`. */
  versionAt(service: ServiceLayout, sha: string): Promise<VersionInfo> {
    const key = `${sha}\0${service.name}\0${service.paths.join('\0')}`;
    let cached = this.versions.get(key);
    if (!cached) {
      cached = this.read(service, sha);
      this.versions.set(key, cached);
      cached.catch(() => this.versions.delete(key));
    }
    return cached;
  }

  /** Every service's version at `sha` (a target's head), in layout order. */
  async versionsAt(target: TargetConfig, sha: string): Promise<ServiceVersionAt[]> {
    const services = target.layout.services;
    const versions = await mapLimited(services, READ_CONCURRENCY, (service) => this.versionAt(service, sha));
    return services.map((service, i) => ({ service: service.name, version: versions[i]! }));
  }

  /**
   * Sets `versions` on each revision: for every service it changed, the version before it (at the
   * previous commit touching that service) and at it.
   */
  async annotate(target: TargetConfig, revisions: Revision[]): Promise<void> {
    const byService = new Map<string, Revision[]>();
    for (const revision of revisions) {
      for (const name of revision.services) {
        const list = byService.get(name) ?? [];
        list.push(revision);
        byService.set(name, list);
      }
    }
    const pairs: { revision: Revision; service: ServiceLayout; before: string | null }[] = [];
    for (const [name, list] of byService) {
      const service = target.layout.services.find((s) => s.name === name);
      if (!service) continue;
      const before = await this.previousCommits(service, list.map((r) => r.sha));
      list.forEach((revision, i) => pairs.push({ revision, service, before: before[i]! }));
    }
    const changes = await mapLimited(pairs, READ_CONCURRENCY, async ({ service, revision, before }) => {
      const [from, to] = await Promise.all([before ? this.versionAt(service, before) : BEFORE_FIRST, this.versionAt(service, revision.sha)]);
      return { service: service.name, from, to } satisfies ServiceVersionChange;
    });
    for (const revision of revisions) revision.versions = [];
    pairs.forEach(({ revision }, i) => revision.versions!.push(changes[i]!));
    // Layout order within a row, as `services` has it.
    for (const revision of revisions) {
      revision.versions!.sort((a, b) => revision.services.indexOf(a.service) - revision.services.indexOf(b.service));
    }
  }

  /**
   * For each of `shas` (commits touching the service, newest first), the commit touching the service
   * just before it, or null. One log of the service's paths covers a whole page when the page lists
   * the service's commits without gaps (an unfiltered page); any it leaves out are asked one by one.
   */
  private async previousCommits(service: ServiceLayout, shas: readonly string[]): Promise<(string | null)[]> {
    const keyOf = (sha: string) => `${sha}\0${service.paths.join('\0')}`;
    const missing = shas.filter((sha) => !this.previous.has(keyOf(sha)));
    if (missing.length > 0) {
      const chain = [missing[0]!, ...(await this.store.log({ paths: service.paths, after: missing[0]!, limit: missing.length })).map((c) => c.sha)];
      const exhausted = chain.length < missing.length + 1;
      for (const sha of missing) {
        const at = chain.indexOf(sha);
        if (at !== -1 && (at + 1 < chain.length || exhausted)) {
          this.previous.set(keyOf(sha), chain[at + 1] ?? null);
        } else {
          const [before] = await this.store.log({ paths: service.paths, after: sha, limit: 1 });
          this.previous.set(keyOf(sha), before?.sha ?? null);
        }
      }
    }
    return shas.map((sha) => this.previous.get(keyOf(sha)) ?? null);
  }

  private async read(service: ServiceLayout, sha: string): Promise<VersionInfo> {
    const files = await this.store.readFiles(service.paths, sha);
    const readings: VersionReading[] = [];
    for (const [path, text] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const key = `${path}\0${text}`;
      let found = this.readings.get(key);
      if (!found) {
        found = readVersions(path, text);
        this.readings.set(key, found);
      }
      readings.push(...found);
    }
    const hasManifests = [...files.keys()].some((path) => YAML_FILE.test(path));
    return toVersionInfo(rankVersionReadings(service.name, readings, hasManifests));
  }
}

const readers = new WeakMap<RevisionStore, VersionReader>();

/** One reader (and cache) per store, shared by every route that shows versions. */
export function versionReaderFor(store: RevisionStore): VersionReader {
  let reader = readers.get(store);
  if (!reader) {
    reader = new VersionReader(store);
    readers.set(store, reader);
  }
  return reader;
}
