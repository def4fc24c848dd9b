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
import { matchesAny, type ServiceLayout, type TargetConfig } from './target-config.ts';
import type { ServiceVersionAt, ServiceVersionChange, VersionInfo } from './version-schemas.ts';

const VERSION_CACHE_MAX = 20_000;
const PREVIOUS_CACHE_MAX = 20_000;
const READINGS_CACHE_MAX = 5_000;
/** Concurrent file reads per page: the machine's git processes are the cost, not the waiting. */
const READ_CONCURRENCY = 4;
/** The walk that finds previous commits reads the log in batches, and gives up walking after this many. */
const WALK_BATCH = 100;
const MAX_WALK = 3000;

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

class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
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
    const pairs: { revision: Revision; service: ServiceLayout }[] = [];
    for (const revision of revisions) {
      for (const name of revision.services) {
        const service = target.layout.services.find((s) => s.name === name);
        if (service) pairs.push({ revision, service });
      }
    }
    const before = await this.previousCommits(pairs.map(({ revision, service }) => ({ sha: revision.sha, service })));
    const changes = await mapLimited(pairs, READ_CONCURRENCY, async ({ service, revision }, i) => {
      const previous = before[i]!;
      const [from, to] = await Promise.all([previous ? this.versionAt(service, previous) : BEFORE_FIRST, this.versionAt(service, revision.sha)]);
      return { service: service.name, from, to } satisfies ServiceVersionChange;
    });
    for (const revision of revisions) revision.versions = [];
    pairs.forEach(({ revision }, i) => revision.versions!.push(changes[i]!));
  }

  /**
   * For each (commit, service) of a newest-first page, the commit touching the service just before
   * it, or null. One walk down the log of the services' paths answers a whole page with one git call
   * (a page's commits come in log order); answers are kept, since commits never change.
   */
  private async previousCommits(wanted: readonly { sha: string; service: ServiceLayout }[]): Promise<(string | null)[]> {
    const keyOf = (sha: string, service: ServiceLayout) => `${sha}\0${service.paths.join('\0')}`;
    const missing = wanted.filter(({ sha, service }) => !this.previous.has(keyOf(sha, service)));
    if (missing.length > 0) {
      const services = [...new Set(missing.map((m) => m.service))];
      const paths = [...new Set(services.flatMap((s) => s.paths))];
      const waitingAt = new Map<string, ServiceLayout[]>();
      for (const { sha, service } of missing) waitingAt.set(sha, [...(waitingAt.get(sha) ?? []), service]);
      // Pairs whose commit the walk has passed, waiting for an older commit of their service.
      let open: { sha: string; service: ServiceLayout }[] = (waitingAt.get(missing[0]!.sha) ?? []).map((service) => ({ sha: missing[0]!.sha, service }));
      waitingAt.delete(missing[0]!.sha);
      let after = missing[0]!.sha;
      let scanned = 0;
      while ((open.length > 0 || waitingAt.size > 0) && scanned < MAX_WALK) {
        const batch = await this.store.log({ paths, after, limit: WALK_BATCH });
        for (const commit of batch) {
          scanned++;
          open = open.filter(({ sha, service }) => {
            if (!commit.paths.some((path) => matchesAny(service.paths, path))) return true;
            this.previous.set(keyOf(sha, service), commit.sha);
            return false;
          });
          for (const service of waitingAt.get(commit.sha) ?? []) open.push({ sha: commit.sha, service });
          waitingAt.delete(commit.sha);
          if (open.length === 0 && waitingAt.size === 0) break;
        }
        if (batch.length < WALK_BATCH) {
          // The history ends: what is still open has no earlier commit.
          for (const { sha, service } of open) this.previous.set(keyOf(sha, service), null);
          open = [];
          break;
        }
        after = batch.at(-1)!.sha;
      }
      // A page whose commits are far apart (a rare filter): the rest one by one.
      for (const { sha, service } of [...open, ...[...waitingAt].flatMap(([sha, list]) => list.map((service) => ({ sha, service })))]) {
        const [previous] = await this.store.log({ paths: service.paths, after: sha, limit: 1 });
        this.previous.set(keyOf(sha, service), previous?.sha ?? null);
      }
    }
    return wanted.map(({ sha, service }) => this.previous.get(keyOf(sha, service)) ?? null);
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

