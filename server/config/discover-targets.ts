/**
 * Targets from `targets.pattern` and the repo's file list (decision 036). Each `services` pattern
 * matched by a file names a service; `{tenant}` and `{environment}` come from the match, from a fixed
 * `tenant:` / `environment:`, or, for a pattern without them, from every target (a shared path:
 * Flux `apps/base/{service}/`, a Helm chart beside its `values-{environment}.yaml`). With
 * `environments:`, only the environments it finds make targets. Everything skipped is a warning.
 */
import { isValidName } from '#core/names.ts';
import { matchesAny, type ServiceLayout } from '#core/target-config.ts';
import type { PatternConfig } from './pattern-schema.ts';

type Placeholder = 'tenant' | 'environment' | 'service';

export const fillPattern = (template: string, values: Partial<Record<Placeholder, string>>) =>
  template.replace(/\{(tenant|environment|service)\}/g, (_, key: Placeholder) => values[key] ?? `{${key}}`);

/** `apps/{service}/overlays/{environment}/` → a regex capturing the placeholders from a file path. */
export function patternRegExp(pattern: string): RegExp {
  let source = '';
  for (const part of pattern.split(/(\{(?:tenant|environment|service)\}|\*\*\/?|\*)/)) {
    // Any name is captured, so that one which is not a valid name is reported rather than unseen.
    if (part === '{tenant}' || part === '{environment}' || part === '{service}') source += `(?<${part.slice(1, -1)}>[^/]+?)`;
    else if (part.startsWith('**')) source += '(?:.*/)?';
    else if (part === '*') source += '[^/]*';
    else source += part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}${pattern.endsWith('/') ? '' : '$'}`);
}

interface Hit {
  pattern: number;
  tenant?: string | undefined;
  environment?: string | undefined;
  service: string;
}

export interface DiscoveredTarget {
  tenant: string;
  environment: string;
  services: ServiceLayout[];
}

export function discoverTargets(pattern: PatternConfig, repoFiles: readonly string[], warnings: string[]): DiscoveredTarget[] {
  const files = pattern.exclude.length > 0 ? repoFiles.filter((file) => !matchesAny(pattern.exclude, file)) : repoFiles;
  const invalid = new Map<string, string>();
  const valid = (file: string, groups: Record<string, string | undefined>) => {
    const bad = Object.entries(groups).find(([, value]) => value !== undefined && !isValidName(value));
    if (!bad) return true;
    const [placeholder, value] = bad;
    const shown = `${placeholder} "${value}"`;
    if (!invalid.has(shown)) invalid.set(shown, file);
    return false;
  };

  // The environments that make targets, when `environments:` names them.
  let known: Map<string, { tenant: string | undefined; environment: string }> | null = null;
  if (pattern.environments) {
    known = new Map();
    const regex = patternRegExp(pattern.environments);
    for (const file of files) {
      const groups = regex.exec(file)?.groups;
      if (!groups || !valid(file, groups)) continue;
      const tenant = groups.tenant ?? pattern.tenant;
      const environment = groups.environment ?? pattern.environment!;
      known.set(`${tenant ?? '*'}/${environment}`, { tenant, environment });
    }
  }

  const hits: Hit[] = [];
  pattern.services.forEach((services, index) => {
    const regex = patternRegExp(services);
    for (const file of files) {
      const groups = regex.exec(file)?.groups;
      if (!groups?.service || !valid(file, groups)) continue;
      hits.push({ pattern: index, tenant: groups.tenant ?? pattern.tenant, environment: groups.environment ?? pattern.environment, service: groups.service });
    }
  });

  // Targets: the environments found by `environments:`, else every (tenant, environment) a service names.
  const targets = new Map<string, { tenant: string; environment: string }>();
  const tenants = new Set(hits.map((h) => h.tenant).filter((t): t is string => t !== undefined));
  if (pattern.tenant) tenants.add(pattern.tenant);
  if (known) {
    for (const { tenant, environment } of known.values()) {
      for (const t of tenant ? [tenant] : [...tenants]) targets.set(`${t}/${environment}`, { tenant: t, environment });
    }
  } else {
    for (const hit of hits) {
      if (hit.tenant && hit.environment) targets.set(`${hit.tenant}/${hit.environment}`, { tenant: hit.tenant, environment: hit.environment });
    }
  }
  const skipped = new Map<string, string>();
  for (const hit of hits) {
    if (hit.tenant && hit.environment && !targets.has(`${hit.tenant}/${hit.environment}`)) {
      skipped.set(`${hit.tenant}/${hit.environment}`, pattern.services[hit.pattern]!);
    }
  }

  const result: DiscoveredTarget[] = [];
  for (const { tenant, environment } of targets.values()) {
    const applies = (hit: Hit) => (hit.tenant === undefined || hit.tenant === tenant) && (hit.environment === undefined || hit.environment === environment);
    const mine = hits.filter(applies);
    const names = new Set(mine.map((h) => h.service));
    const services = [...names].sort().map((name) => {
      const used = [...new Set(mine.filter((h) => h.service === name).map((h) => h.pattern))].sort((a, b) => a - b);
      return { name, paths: used.map((i) => fillPattern(pattern.services[i]!, { tenant, environment, service: name })) };
    });
    result.push({ tenant, environment, services });
  }

  for (const [name, file] of invalid) warnings.push(`targets.pattern: skipped ${name} (${file}): names must be lowercase DNS labels ([a-z0-9-], at most 63)`);
  for (const [key, services] of skipped) {
    warnings.push(`targets.pattern: skipped ${key}: ${services} matches it, but environments (${pattern.environments}) does not find it`);
  }
  return result;
}
