import { approvalRequired, isModeAllowed, requiredApprovalsFor } from '#core/rollback-gating.ts';
import { permissionsOn } from '#core/review-rules.ts';
import type { BreakGlass, Revision, RollbackMode, Target, User } from '#core/schemas.ts';
import { textLength, userTextProblem } from '#core/user-text.ts';
import { isApiError } from '#src/api/api-error.ts';
import { WIZARD_STEPS, type WizardParams, type WizardStep } from './wizard-params.ts';

export const stepIndex = (step: WizardStep) => WIZARD_STEPS.indexOf(step);

export function findTarget(targets: readonly Target[], params: Pick<WizardParams, 'tenant' | 'environment'>) {
  return targets.find((target) => target.tenant === params.tenant && target.environment === params.environment);
}

/** The revision a commit id names in a loaded list (ids in the URL may be abbreviated). */
export function findRevision(revisions: readonly Revision[], id: string | undefined): Revision | undefined {
  if (!id) return undefined;
  return revisions.find((revision) => revision.sha.startsWith(id));
}

/**
 * Why `user` cannot request a rollback on `target`, in the server's words (core/review-rules.ts, the
 * same rule the server enforces with the target's role lists), or null when they can. Said at the
 * first step, before anyone walks the wizard to a 403 (decision 039).
 */
export function requestRefusal(target: Pick<Target, 'tenant' | 'environment' | 'policy'>, user: User | undefined): string | null {
  if (!user) return null;
  const permission = permissionsOn(target.policy, user, `${target.tenant}/${target.environment}`).request;
  return permission.allowed ? null : permission.reason;
}

/**
 * The first step whose choices are missing or no longer valid. A shared link opens at its own step
 * only when everything before it is settled; otherwise at the first step that still needs an answer.
 * The mode's default (see `defaultMode`) counts as no answer: the person must see the scope step.
 */
export function firstIncompleteStep(params: WizardParams, target: Target | undefined, user?: User): WizardStep | null {
  if (!params.tenant || !target) return 'target';
  if (requestRefusal(target, user)) return 'target';
  if (!params.mode || !isModeAllowed(target, params.mode)) return 'scope';
  if (!params.revision) return 'revision';
  if (params.mode !== 'full' && !params.service) return 'revision';
  if (params.mode !== 'full' && params.service && !target.services.some((s) => s.name === params.service)) return 'revision';
  if (params.mode === 'field' && params.fields.length === 0) return 'revision';
  return null;
}

/** The step to show: the one asked for, unless an earlier one still needs an answer. */
export function effectiveStep(params: WizardParams, target: Target | undefined, user?: User): WizardStep {
  const incomplete = firstIncompleteStep(params, target, user);
  const requested = params.step ?? incomplete ?? 'preview';
  if (incomplete && stepIndex(incomplete) < stepIndex(requested)) return incomplete;
  return requested;
}

/**
 * The narrowest mode that needs no extra knowledge: "start with the smallest scope" is the first
 * rule of incident rollback. Field mode needs the person to know the culprit field, so it is never
 * the default; service mode is, where the plan and flags allow it.
 */
export function defaultMode(target: Target): RollbackMode | undefined {
  if (target.services.length > 0 && isModeAllowed(target, 'service')) return 'service';
  if (isModeAllowed(target, 'full')) return 'full';
  return undefined;
}

/**
 * The usual "last known good": the newest revision before the head reported as deployed successfully;
 * where nobody reports outcomes, the newest one before the head nobody reported as bad either (its
 * `Unknown` badge shows on the step, decision 056). Failed and rolled-back revisions are never proposed.
 */
export function defaultRevision(revisions: readonly Revision[], headSha: string | null): Revision | undefined {
  const earlier = revisions.filter((revision) => revision.sha !== headSha);
  return earlier.find((revision) => revision.status === 'success') ?? earlier.find((revision) => revision.status === 'unknown');
}

/**
 * The service to restore when the choice is obvious: the only service changed since the revision, or
 * the only one of those that is not healthy now. Otherwise the person chooses.
 */
export function defaultService(target: Target, changedServices: readonly string[]): string | undefined {
  if (changedServices.length === 1) return changedServices[0];
  const unhealthy = changedServices.filter((name) => {
    const status = target.services.find((service) => service.name === name);
    // Unknown health is no evidence (no cluster, agent unreachable): only what the agent reports counts.
    return status !== undefined && (status.health === 'degraded' || status.health === 'progressing');
  });
  return unhealthy.length === 1 ? unhealthy[0] : undefined;
}

export type RevisionWarning = { kind: 'head' | 'failed' | 'rolled-back'; message: string };

export function revisionWarning(revision: Revision, headSha: string | null): RevisionWarning | null {
  if (revision.sha === headSha) {
    return { kind: 'head', message: 'This is the branch head: rolling back to it changes nothing.' };
  }
  if (revision.status === 'failed') {
    return { kind: 'failed', message: 'This revision failed when it was deployed. Rolling back to it may restore a broken state.' };
  }
  if (revision.status === 'rolled-back') {
    const by = revision.rolledBackBy ? ` by ${revision.rolledBackBy.slice(0, 7)}` : '';
    return { kind: 'rolled-back', message: `This revision was itself rolled back${by}. Check why before restoring it.` };
  }
  if (revision.status === 'partially-rolled-back') {
    const by = revision.rolledBackBy ? ` by ${revision.rolledBackBy.slice(0, 7)}` : '';
    return { kind: 'rolled-back', message: `Part of this revision was rolled back${by}. Check why before restoring it.` };
  }
  return null;
}

/** Characters as the server counts them (core/user-text.ts): code points, so an emoji is one, not two. */
export const justificationLength = textLength;

/** The server's rule for a justification (core/user-text.ts), in the wizard's words. */
export function justificationProblem(text: string): string | null {
  const problem = userTextProblem(text);
  if (!problem) return null;
  if (problem.kind === 'blank') return 'A justification is required: say why this rollback is needed.';
  if (problem.kind === 'invisible') return 'The justification shows nothing: it is made only of invisible characters. Say why this rollback is needed.';
  return `The justification is ${problem.length - problem.max} characters over the limit of ${problem.max.toLocaleString('en')}.`;
}

export type ApprovalOutcome =
  | { kind: 'now'; reason: string }
  | { kind: 'break-glass'; expiresAt: string }
  | { kind: 'approval'; approvals: number; blockSelfApproval: boolean };

/** What happens on submit; the server decides the same way (core/rollback-gating.ts, break-glass). */
export function approvalOutcome(target: Target, breakGlass: BreakGlass | null | undefined, now: number): ApprovalOutcome {
  if (!approvalRequired(target)) {
    const reason = target.features.rollback_approval
      ? `the approval policy of ${target.tenant}/${target.environment} requires no approvals`
      : `the rollback_approval feature flag is off for ${target.tenant}/${target.environment}`;
    return { kind: 'now', reason };
  }
  if (breakGlass && Date.parse(breakGlass.expiresAt) > now) return { kind: 'break-glass', expiresAt: breakGlass.expiresAt };
  return { kind: 'approval', approvals: requiredApprovalsFor(target), blockSelfApproval: target.policy.blockSelfApproval };
}

export type WizardPhase = 'preview' | 'submit';

/** The wizard step where each input field of a rollback request is chosen. */
const STEP_OF_FIELD: Readonly<Record<string, WizardStep>> = {
  target: 'target',
  tenant: 'target',
  environment: 'target',
  mode: 'scope',
  targetSha: 'revision',
  service: 'revision',
  fields: 'revision',
  file: 'revision',
  justification: 'submit',
  allowDestructive: 'preview',
};

/**
 * The step an API error concerns, so it appears where the person can fix it: the step of the input
 * field the server named (`error.field`: a plan or flag refusal at the scope, an unknown revision or an
 * empty field selection at the revision, ...), a moved branch (409) at the preview (which offers to plan
 * again), anything else where it happened. Only structured parts of the error are read, never its text.
 */
export function stepForError(error: unknown, phase: WizardPhase): WizardStep {
  if (!isApiError(error)) return phase;
  const step = error.field === undefined ? undefined : STEP_OF_FIELD[error.field];
  if (step) return step;
  if (error.status === 409) return 'preview';
  return phase;
}
