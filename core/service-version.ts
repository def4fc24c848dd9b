/**
 * The version a service deploys, read from its manifests at one revision: what an incident commander
 * calls a release ("payments v2.13.14"), where git only has a sha. Every reading names the file and the
 * field it came from, so the UI can say where a version comes from; a service whose files say nothing
 * recognisable has no version (the UI says so), never a guessed one.
 *
 * Recognised, in order of preference:
 * - Helm values: `image.tag` (with `image.repository`), or `image: repo:tag`;
 * - Kubernetes workloads: container images (`spec.template.spec.containers[].image` and the like),
 *   then the `app.kubernetes.io/version` / `version` labels;
 * - Kustomize `images[].newTag` / `digest`;
 * - Flux HelmRelease `spec.chart.spec.version` and `spec.values.image.tag`;
 * - Chart.yaml `appVersion`, else `version`.
 */
import { DEFAULT_YAML_LIMITS, isPlainObject, parseYamlValues, type YamlLimits } from './yaml-documents.ts';

export type VersionSource = 'helm-values' | 'container-image' | 'label' | 'kustomize-image' | 'helm-release' | 'chart';

export interface VersionReading {
  version: string;
  source: VersionSource;
  file: string;
  /** The field the version was read from, e.g. `image.tag` or `containers[payments].image`. */
  field: string;
  /** The image repository the tag belongs to, when the reading is an image. */
  image?: string;
}

export type ServiceVersion =
  | { known: true; version: string; reading: VersionReading; others: VersionReading[] }
  | { known: false; reason: string };

/** Version files are small; a larger file is not read for a version (it may still be a valid manifest). */
export const VERSION_YAML_LIMITS: YamlLimits = { ...DEFAULT_YAML_LIMITS, maxChars: 256_000, maxNodes: 20_000, maxDepth: 40 };

const SOURCE_RANK: Record<VersionSource, number> = {
  'helm-values': 0,
  'container-image': 1,
  'kustomize-image': 2,
  'helm-release': 3,
  label: 4,
  chart: 5,
};

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'Rollout']);
const VERSION_LABELS = ['app.kubernetes.io/version', 'version'];
export const YAML_FILE = /\.ya?ml$/i;
/** `apiVersion` is in every manifest and says nothing about the service's version. */
const VERSION_WORDS = /image|(?<!api)version|newtag|digest/i;

/** A scalar that can stand for a version: YAML reads `tag: 1.10` as the number 1.1, so numbers count too. */
function versionText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/**
 * Splits an image reference into repository and version: `registry:5000/team/app:v1.2@sha256:…` →
 * `{ repository: 'registry:5000/team/app', version: 'v1.2' }`. A digest without a tag is the version
 * (shortened); an image with neither has none (`latest` is implicit and says nothing).
 */
export function splitImageReference(reference: string): { repository: string; version: string | null } {
  const [nameAndTag = '', digest] = reference.trim().split('@', 2);
  const lastSlash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.indexOf(':', lastSlash + 1);
  const repository = colon === -1 ? nameAndTag : nameAndTag.slice(0, colon);
  const tag = colon === -1 ? '' : nameAndTag.slice(colon + 1);
  if (tag) return { repository, version: tag };
  if (digest) return { repository, version: digest.length > 19 ? digest.slice(0, 19) : digest };
  return { repository, version: null };
}

function get(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isPlainObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

function fromHelmValues(document: Record<string, unknown>, file: string): VersionReading[] {
  const image = document.image;
  if (typeof image === 'string') {
    const { repository, version } = splitImageReference(image);
    return version ? [{ version, source: 'helm-values', file, field: 'image', image: repository }] : [];
  }
  const tag = versionText(get(image, 'tag'));
  if (!tag) return [];
  const repository = versionText(get(image, 'repository'));
  return [{ version: tag, source: 'helm-values', file, field: 'image.tag', ...(repository ? { image: repository } : {}) }];
}

function podSpecOf(document: Record<string, unknown>): unknown {
  if (document.kind === 'Pod') return document.spec;
  if (document.kind === 'CronJob') return get(document, 'spec', 'jobTemplate', 'spec', 'template', 'spec');
  return get(document, 'spec', 'template', 'spec');
}

function fromWorkload(document: Record<string, unknown>, file: string): VersionReading[] {
  const readings: VersionReading[] = [];
  const podSpec = podSpecOf(document);
  const containers = get(podSpec, 'containers');
  if (Array.isArray(containers)) {
    for (const container of containers) {
      const reference = versionText(get(container, 'image'));
      if (!reference) continue;
      const { repository, version } = splitImageReference(reference);
      const name = versionText(get(container, 'name')) ?? String(containers.indexOf(container));
      if (version) readings.push({ version, source: 'container-image', file, field: `containers[${name}].image`, image: repository });
    }
  }
  for (const labels of [get(document, 'metadata', 'labels'), get(document, 'spec', 'template', 'metadata', 'labels')]) {
    for (const label of VERSION_LABELS) {
      const version = versionText(get(labels, label));
      if (version) readings.push({ version, source: 'label', file, field: `labels.${label}` });
    }
  }
  return readings;
}

function fromKustomization(document: Record<string, unknown>, file: string): VersionReading[] {
  const images = document.images;
  if (!Array.isArray(images)) return [];
  const readings: VersionReading[] = [];
  for (const entry of images) {
    const version = versionText(get(entry, 'newTag')) ?? versionText(get(entry, 'digest'));
    if (!version) continue;
    const image = versionText(get(entry, 'newName')) ?? versionText(get(entry, 'name'));
    readings.push({ version, source: 'kustomize-image', file, field: `images[${image ?? '?'}].newTag`, ...(image ? { image } : {}) });
  }
  return readings;
}

function fromHelmRelease(document: Record<string, unknown>, file: string): VersionReading[] {
  const readings: VersionReading[] = [];
  const values = get(document, 'spec', 'values');
  if (isPlainObject(values)) {
    for (const reading of fromHelmValues(values, file)) readings.push({ ...reading, source: 'helm-release', field: `spec.values.${reading.field}` });
  }
  const chartVersion = versionText(get(document, 'spec', 'chart', 'spec', 'version'));
  if (chartVersion) readings.push({ version: chartVersion, source: 'chart', file, field: 'spec.chart.spec.version' });
  return readings;
}

function fromChart(document: Record<string, unknown>, file: string): VersionReading[] {
  const appVersion = versionText(document.appVersion);
  if (appVersion) return [{ version: appVersion, source: 'chart', file, field: 'appVersion' }];
  const version = versionText(document.version);
  return version ? [{ version, source: 'chart', file, field: 'version' }] : [];
}

function readingsOfDocument(document: Record<string, unknown>, file: string): VersionReading[] {
  const kind = typeof document.kind === 'string' ? document.kind : null;
  if (kind === 'Kustomization' && typeof document.apiVersion === 'string' && document.apiVersion.startsWith('kustomize.config.k8s.io')) {
    return fromKustomization(document, file);
  }
  if (kind === 'HelmRelease') return fromHelmRelease(document, file);
  if (kind && WORKLOAD_KINDS.has(kind)) return fromWorkload(document, file);
  if (kind) return [];
  if (/(^|\/)Chart\.ya?ml$/.test(file)) return fromChart(document, file);
  return fromHelmValues(document, file);
}

/** Every version reading in one file, in document order; none for a file that is not YAML or too large. */
export function readVersions(file: string, text: string): VersionReading[] {
  if (!YAML_FILE.test(file)) return [];
  // Every field read above names an image, a version, a tag or a digest: a file without those words
  // holds no version, and YAML parsing is the cost of reading versions across a history page.
  if (!VERSION_WORDS.test(text)) return [];
  const parsed = parseYamlValues(text, VERSION_YAML_LIMITS);
  if (!parsed.ok) return [];
  return parsed.values.filter(isPlainObject).flatMap((document) => readingsOfDocument(document, file));
}

function lastSegment(repository: string | undefined): string {
  return repository?.split('/').at(-1)?.toLowerCase() ?? '';
}

/**
 * The version of one service from its files (path → content). The preferred reading is the best-ranked
 * source, and among several images the one named like the service (a sidecar's tag is not the service's
 * version); the rest are kept as `others`.
 */
export function readServiceVersion(service: string, files: Iterable<readonly [string, string]>): ServiceVersion {
  const readings: VersionReading[] = [];
  let yamlFiles = 0;
  for (const [path, text] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (YAML_FILE.test(path)) yamlFiles += 1;
    readings.push(...readVersions(path, text));
  }
  return rankVersionReadings(service, readings, yamlFiles > 0);
}

/**
 * The service's version from readings already made (in file order, files sorted by path), as
 * readServiceVersion ranks them; `hasManifests` says whether any YAML file was read, for the reason.
 */
export function rankVersionReadings(service: string, readings: readonly VersionReading[], hasManifests: boolean): ServiceVersion {
  if (readings.length === 0) {
    return { known: false, reason: hasManifests ? 'no image tag, chart version or version label in its manifests' : 'no manifests' };
  }
  const named = service.toLowerCase();
  const score = (r: VersionReading) => SOURCE_RANK[r.source] * 2 + (r.image !== undefined && lastSegment(r.image) !== named ? 1 : 0);
  const ranked = readings.map((reading, index) => ({ reading, index })).sort((a, b) => score(a.reading) - score(b.reading) || a.index - b.index);
  const [best, ...rest] = ranked.map((r) => r.reading);
  return { known: true, version: best!.version, reading: best!, others: rest };
}

/** "2.13.14 → 2.13.12", or the one version when both sides agree; `null` when either side is unknown. */
export function describeVersionChange(from: ServiceVersion, to: ServiceVersion): string | null {
  if (!from.known || !to.known) return null;
  return from.version === to.version ? from.version : `${from.version} → ${to.version}`;
}
