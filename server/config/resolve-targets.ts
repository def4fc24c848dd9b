/**
 * Turns the `targets` section of the config plus the repo's file list into TargetConfigs. Problems
 * that should not stop the server (a target whose paths match nothing) come back as warnings.
 */
import { DEFAULT_ROLES } from '#core/review-rules.ts';
import type { Features } from '#core/schemas.ts';
import { sharedFiles, describeSharing, type SharedFiles } from '#core/shared-paths.ts';
import { matchesAny, targetKey, type AccessPolicy, type TargetConfig, type TargetLayout } from '#core/target-config.ts';
import type { RewindConfig, TargetSettings } from './config-schema.ts';
import { discoverTargets, fillPattern } from './discover-targets.ts';

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
  /** Files that belong to several targets: a full rollback of one changes the others' live config too. */
  shared: SharedFiles[];
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

export function resolveTargets(config: RewindConfig, repoFiles: readonly string[]): ResolvedTargets {
  const warnings: string[] = [];
  const targets: TargetConfig[] = [];
  const { pattern, list, overrides } = config.targets;

  if (pattern) {
    for (const found of discoverTargets(pattern, repoFiles, warnings)) {
      const values = { tenant: found.tenant, environment: found.environment };
      const bindings = pattern.bindings.map((p) => fillPattern(p, values));
      const variables = pattern.variables.map((p) => fillPattern(p, values));
      const layout: TargetLayout = {
        paths: pattern.paths?.map((p) => fillPattern(p, values)) ?? [...found.services.flatMap((s) => s.paths), ...bindings, ...variables],
        services: found.services,
        bindings,
        variables,
      };
      if (found.services.length === 0) warnings.push(`target ${targetKey(values)}: no service found (only full rollbacks)`);
      targets.push({ ...values, ...settle(config.defaults, overrides[targetKey(values)] ?? {}), layout });
    }
    for (const key of Object.keys(overrides)) {
      if (!targets.some((t) => targetKey(t) === key)) warnings.push(`targets.overrides.${key}: no such target was found in the repo`);
    }
    if (targets.length === 0) warnings.push(`targets.pattern: no file in the repo matches ${pattern.services.join(', ')}`);
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
  targets.sort((a, b) => targetKey(a).localeCompare(targetKey(b)));
  const shared = sharedFiles(targets, repoFiles);
  for (const group of shared) warnings.push(describeSharing(group));
  return { targets, warnings, shared };
}
