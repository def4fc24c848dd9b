/**
 * Turns the `targets` section of the config plus the repo's file list into TargetConfigs. Problems
 * that should not stop the server (a target whose paths match nothing) come back as warnings.
 */
import { DEFAULT_ROLES } from '#core/review-rules.ts';
import { isValidName } from '#core/names.ts';
import type { Features } from '#core/schemas.ts';
import { matchesAny, type AccessPolicy, type TargetConfig, type TargetLayout } from '#core/target-config.ts';
import type { PatternConfig, RewindConfig, TargetSettings } from './config-schema.ts';

const DEFAULT_FEATURES: Features = { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true };
const DEFAULT_POLICY: AccessPolicy = {
  requiredApprovals: 1,
  blockSelfApproval: true,
  requesters: [...DEFAULT_ROLES.requesters],
  approvers: [...DEFAULT_ROLES.approvers],
  breakGlass: [...DEFAULT_ROLES.breakGlass],
};

export interface ResolvedTargets {
  targets: TargetConfig[];
  warnings: string[];
}

function settle(defaults: TargetSettings, own: TargetSettings): Pick<TargetConfig, 'plan' | 'features' | 'policy' | 'rollForward'> {
  const rollForward = { ...defaults.rollForward, ...own.rollForward };
  return {
    plan: own.plan ?? defaults.plan ?? 'enterprise',
    features: { ...DEFAULT_FEATURES, ...defaults.features, ...own.features },
    policy: { ...DEFAULT_POLICY, ...defaults.policy, ...own.policy },
    ...(Object.keys(rollForward).length > 0 ? { rollForward } : {}),
  };
}

const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{(tenant|environment|service)\}/g, (_, key: string) => values[key] ?? `{${key}}`);

/** `apps/{service}/overlays/{environment}/` → a regex capturing the placeholders from a file path. */
function patternRegExp(pattern: string): RegExp {
  let source = '';
  for (const part of pattern.split(/(\{(?:tenant|environment|service)\}|\*\*\/?|\*)/)) {
    if (part === '{tenant}' || part === '{environment}' || part === '{service}') {
      source += `(?<${part.slice(1, -1)}>[a-z0-9][a-z0-9-]*)`;
    } else if (part.startsWith('**')) source += '(?:.*/)?';
    else if (part === '*') source += '[^/]*';
    else source += part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}${pattern.endsWith('/') ? '' : '$'}`);
}

function discover(pattern: PatternConfig, files: readonly string[], warnings: string[]) {
  const regex = patternRegExp(pattern.services);
  const found = new Map<string, { tenant: string; environment: string; services: Set<string> }>();
  const rejected = new Set<string>();
  for (const file of files) {
    const match = regex.exec(file);
    if (!match?.groups) continue;
    const tenant = pattern.tenant ?? match.groups.tenant;
    const { environment, service } = match.groups;
    if (!tenant || !environment || !service) continue;
    if (![tenant, environment, service].every(isValidName)) {
      rejected.add(`${tenant}/${environment}/${service}`);
      continue;
    }
    const key = `${tenant}/${environment}`;
    let entry = found.get(key);
    if (!entry) found.set(key, (entry = { tenant, environment, services: new Set() }));
    entry.services.add(service);
  }
  for (const name of rejected) warnings.push(`ignored ${name}: names must be lowercase DNS labels`);
  return [...found.values()];
}

export function resolveTargets(config: RewindConfig, repoFiles: readonly string[]): ResolvedTargets {
  const warnings: string[] = [];
  const targets: TargetConfig[] = [];
  const { pattern, list, overrides } = config.targets;

  if (pattern) {
    if (!pattern.tenant && !pattern.services.includes('{tenant}')) {
      throw new Error('targets.pattern: set `tenant:` or put {tenant} in `services`');
    }
    for (const found of discover(pattern, repoFiles, warnings)) {
      const values = { tenant: found.tenant, environment: found.environment };
      const services = [...found.services].sort().map((name) => ({ name, paths: [fill(pattern.services, { ...values, service: name })] }));
      const bindings = pattern.bindings.map((p) => fill(p, values));
      const variables = pattern.variables.map((p) => fill(p, values));
      const layout: TargetLayout = {
        paths: pattern.paths?.map((p) => fill(p, values)) ?? [...services.flatMap((s) => s.paths), ...bindings, ...variables],
        services,
        bindings,
        variables,
      };
      targets.push({ ...values, ...settle(config.defaults, overrides[`${found.tenant}/${found.environment}`] ?? {}), layout });
    }
    for (const key of Object.keys(overrides)) {
      if (!targets.some((t) => `${t.tenant}/${t.environment}` === key)) warnings.push(`targets.overrides.${key}: no such target was found in the repo`);
    }
    if (targets.length === 0) warnings.push(`targets.pattern: no file in the repo matches ${pattern.services}`);
  }

  for (const entry of list ?? []) {
    const layout: TargetLayout = {
      paths: entry.paths ?? [...entry.services.flatMap((s) => s.paths), ...entry.bindings, ...entry.variables],
      services: entry.services,
      bindings: entry.bindings,
      variables: entry.variables,
    };
    const key = `${entry.tenant}/${entry.environment}`;
    if (targets.some((t) => `${t.tenant}/${t.environment}` === key)) throw new Error(`targets.list: ${key} is listed twice`);
    if (!repoFiles.some((file) => matchesAny(layout.paths, file))) warnings.push(`target ${key}: its paths match no file in the repo yet`);
    for (const service of entry.services) {
      if (!repoFiles.some((file) => matchesAny(service.paths, file))) warnings.push(`target ${key}: service ${service.name} matches no file`);
    }
    targets.push({ tenant: entry.tenant, environment: entry.environment, ...settle(config.defaults, entry), layout });
  }
  targets.sort((a, b) => `${a.tenant}/${a.environment}`.localeCompare(`${b.tenant}/${b.environment}`));
  return { targets, warnings };
}
