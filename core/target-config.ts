/**
 * How a target (tenant + environment) maps onto the infra repo. Paths are repo-relative pathspecs:
 * `dir/` owns everything below dir, `*` matches within one path segment, `**` across segments, and any
 * other entry is one exact file. The same rules serve the in-memory store, the git store and the SPA.
 */
import type { Features, Plan, Policy, Role } from './schemas.ts';

export interface ServiceLayout {
  name: string;
  paths: string[];
}

export interface TargetLayout {
  /** Everything the target owns; a full rollback restores exactly these paths. */
  paths: string[];
  services: ServiceLayout[];
  bindings: string[];
  variables: string[];
}

export interface AccessPolicy extends Policy {
  /** Roles allowed to request a rollback, to review one, and to open break-glass. */
  requesters: Role[];
  approvers: Role[];
  breakGlass: Role[];
  /**
   * A rollback deleting more than this share of its scope's files (or all of them) needs explicit
   * confirmation (core/destructive-plan.ts); default 0.5.
   */
  maxDeleteShare?: number;
}

/** Overrides of the roll-forward hints' defaults (core/rollback-hints.ts, decision 032). */
export interface RollForwardSettings {
  migrationPaths?: string[];
  migrationKinds?: string[];
  /** A regular expression (case-insensitive) for the names of migration Jobs. */
  migrationJobName?: string;
  maxRevisions?: number;
  maxAgeDays?: number;
}

export interface TargetConfig {
  tenant: string;
  environment: string;
  plan: Plan;
  features: Features;
  policy: AccessPolicy;
  layout: TargetLayout;
  rollForward?: RollForwardSettings;
}

export type FileKind = 'service' | 'binding' | 'variables' | 'other';

const globCache = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let cached = globCache.get(glob);
  if (cached) return cached;
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more whole segments; a trailing `**` matches the rest.
      if (glob[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (ch === '*') {
      source += '[^/]*';
    } else if (ch === '?') {
      source += '[^/]';
    } else {
      source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  cached = new RegExp(`^${source}$`);
  globCache.set(glob, cached);
  return cached;
}

export function matchesPathspec(spec: string, path: string): boolean {
  if (spec.endsWith('/')) return path.startsWith(spec);
  if (spec.includes('*') || spec.includes('?')) return globToRegExp(spec).test(path);
  return path === spec;
}

export function matchesAny(specs: readonly string[], path: string): boolean {
  return specs.some((spec) => matchesPathspec(spec, path));
}

export interface PathClass {
  kind: FileKind;
  service: string | null;
}

export function classifyPath(layout: TargetLayout, path: string): PathClass {
  for (const service of layout.services) {
    if (matchesAny(service.paths, path)) return { kind: 'service', service: service.name };
  }
  if (matchesAny(layout.bindings, path)) return { kind: 'binding', service: null };
  if (matchesAny(layout.variables, path)) return { kind: 'variables', service: null };
  return { kind: 'other', service: null };
}

/** Services touched by a set of changed paths, in layout order. */
export function servicesTouched(layout: TargetLayout, paths: readonly string[]): string[] {
  return layout.services
    .filter((service) => paths.some((path) => matchesAny(service.paths, path)))
    .map((service) => service.name);
}

/**
 * The repo paths a rollback reads and writes: the whole target, or the files of its one service (none
 * for a service the target does not have). Used to plan, to verify a rollback, and to know which
 * revisions a rollback commit undid.
 */
export function scopeOf(target: Pick<TargetConfig, 'layout'>, selection: { mode: 'full' | 'service' | 'field'; service?: string | undefined }): readonly string[] {
  if (selection.mode === 'full') return target.layout.paths;
  return target.layout.services.find((s) => s.name === selection.service)?.paths ?? [];
}

export function targetKey(target: { tenant: string; environment: string }): string {
  return `${target.tenant}/${target.environment}`;
}

/** The default repo layout of DESIGN.md: tenants/<tenant>/<environment>/... */
export function defaultLayout(tenant: string, environment: string, services: string[]): TargetLayout {
  const root = `tenants/${tenant}/${environment}/`;
  return {
    paths: [root],
    services: services.map((name) => ({ name, paths: [`${root}services/${name}/`] })),
    bindings: [`${root}kustomization.yaml`],
    variables: [`${root}variables.yaml`],
  };
}
