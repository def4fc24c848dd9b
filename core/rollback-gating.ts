/**
 * The one rule for what a target may do (docs/decisions/005-rollback-gating.md). The API checks a
 * request's mode with `assertModeAllowed` before planning; the SPA greys out the same modes with the
 * same reasons (`modeAvailability`), so the wizard and the server can never disagree.
 */
import { forbidden } from './errors.ts';
import type { Features, Plan, Policy, RollbackMode } from './schemas.ts';

export interface GatedTarget {
  plan: Plan;
  features: Features;
  /** Optional: when given, denial messages name the target (`acme/production is on free`). */
  tenant?: string;
  environment?: string;
}

export const ROLLBACK_MODES: readonly RollbackMode[] = ['full', 'service', 'field'];

const PLAN_RANK: Record<Plan, number> = { free: 0, pro: 1, enterprise: 2 };

type FeatureFlag = keyof Features;

interface ModeRule {
  /** The lowest plan that has the mode. */
  minPlan: Plan;
  /** Every group must be satisfied; a group is satisfied by any one of its flags. */
  flags: ReadonlyArray<readonly FeatureFlag[]>;
}

const MODE_RULES: Record<RollbackMode, ModeRule> = {
  full: { minPlan: 'free', flags: [['basic_rollback', 'rollback']] },
  service: { minPlan: 'pro', flags: [['rollback'], ['selective_rollback']] },
  field: { minPlan: 'enterprise', flags: [['rollback'], ['selective_rollback']] },
};

function planPhrase(plan: Plan): string {
  return plan === 'enterprise' ? 'the enterprise plan' : `the ${plan} plan or higher`;
}

function targetPhrase(target: GatedTarget): string {
  return target.tenant && target.environment ? `${target.tenant}/${target.environment}` : 'this target';
}

function flagPhrase(groups: ReadonlyArray<readonly FeatureFlag[]>): string {
  const names = groups.map((group) => group.join(' or '));
  const list = names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
  return `the ${list} feature flag${groups.length > 1 ? 's' : ''}`;
}

/**
 * Why `mode` is not available to the target, or null when it is. The plan is named first (a flag
 * cannot help a target on a plan that lacks the mode); then every missing flag.
 */
export function modeDenial(target: GatedTarget, mode: RollbackMode): string | null {
  const rule = MODE_RULES[mode];
  if (PLAN_RANK[target.plan] < PLAN_RANK[rule.minPlan]) {
    return `${mode} rollback requires ${planPhrase(rule.minPlan)} (${targetPhrase(target)} is on ${target.plan})`;
  }
  const missing = rule.flags.filter((group) => !group.some((flag) => target.features[flag]));
  if (missing.length > 0) return `${mode} rollback requires ${flagPhrase(missing)}`;
  return null;
}

export function isModeAllowed(target: GatedTarget, mode: RollbackMode): boolean {
  return modeDenial(target, mode) === null;
}

/** The modes the target may use, in the order full, service, field. */
export function allowedModes(target: GatedTarget): RollbackMode[] {
  return ROLLBACK_MODES.filter((mode) => isModeAllowed(target, mode));
}

/** Every mode with whether it is allowed and, if not, why: what the wizard's scope step shows. */
export function modeAvailability(
  target: GatedTarget,
): Array<{ mode: RollbackMode; allowed: boolean; reason: string | null }> {
  return ROLLBACK_MODES.map((mode) => {
    const reason = modeDenial(target, mode);
    return { mode, allowed: reason === null, reason };
  });
}

/** Throws a 403 naming the missing plan or flag. */
export function assertModeAllowed(target: GatedTarget, mode: RollbackMode): void {
  const reason = modeDenial(target, mode);
  if (reason !== null) throw forbidden(reason, { field: 'mode' });
}

/**
 * Whether a rollback on the target waits for approvals. The `rollback_approval` flag switches the
 * approval queue on; with it off, requests execute at once whatever the policy says. A quorum of 0
 * also means no approval. Break-glass is decided elsewhere (it skips approval for its holder only).
 */
export function approvalRequired(target: { features: Features; policy: Pick<Policy, 'requiredApprovals'> }): boolean {
  return target.features.rollback_approval && target.policy.requiredApprovals > 0;
}

/** The quorum a new request records: 0 when no approval is required. */
export function requiredApprovalsFor(target: {
  features: Features;
  policy: Pick<Policy, 'requiredApprovals'>;
}): number {
  return approvalRequired(target) ? target.policy.requiredApprovals : 0;
}
