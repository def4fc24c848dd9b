/**
 * The end of a request's life without a commit (docs/decisions/039-request-lifecycle.md): which
 * requests are open, who may withdraw one, which open requests a new one supersedes. Pure rules: the
 * server enforces them (core/rollback-service.ts, core/request-closing.ts) and the SPA uses them to
 * decide what to offer, so the two never disagree.
 */
import type { RequestState, RollbackMode, RollbackRequest, User } from './schemas.ts';
import { sameEmail } from './review-rules.ts';

/** Requests still on their way to a commit: shown as "in progress" on the overview and target pages. */
export const OPEN_STATES = ['pending', 'approved', 'executing'] as const satisfies readonly RequestState[];

export function isOpen(state: RequestState): boolean {
  return (OPEN_STATES as readonly RequestState[]).includes(state);
}

/** States a request may be withdrawn from: nothing has been committed and nothing is running. */
export const WITHDRAWABLE_STATES = ['pending', 'approved'] as const satisfies readonly RequestState[];

/** States a newer overlapping request replaces: waiting, or failed (its retry would be a second rollback). */
export const SUPERSEDABLE_STATES = ['pending', 'approved', 'failed'] as const satisfies readonly RequestState[];

/** `who`: the caller may never do it here (403); `state`: not in this state (409). */
export type Permission = { allowed: true } | { allowed: false; reason: string; refusal: 'who' | 'state' };

/** Withdrawing: the requester or an admin, while the request is pending or approved. */
export function withdrawPermission(request: Pick<RollbackRequest, 'requestedBy' | 'state' | 'id'>, user: Pick<User, 'email' | 'roles'>): Permission {
  if (!sameEmail(request.requestedBy, user.email) && !user.roles.includes('admin')) {
    return { allowed: false, refusal: 'who', reason: `only the requester (${request.requestedBy}) or an admin may withdraw rollback request ${request.id}` };
  }
  if (!(WITHDRAWABLE_STATES as readonly RequestState[]).includes(request.state)) {
    return { allowed: false, refusal: 'state', reason: `rollback request ${request.id} is ${request.state}: only a pending or approved request can be withdrawn` };
  }
  return { allowed: true };
}

/** What a request or a planned one touches: its target, its mode and the services its plan changes. */
export interface RequestScope {
  tenant: string;
  environment: string;
  mode: RollbackMode;
  affectedServices: readonly string[];
}

/**
 * Two requests overlap when they are on the same target and one restores the whole target, or their
 * plans change a service in common: committing one changes what the other would commit.
 */
export function overlaps(a: RequestScope, b: RequestScope): boolean {
  if (a.tenant !== b.tenant || a.environment !== b.environment) return false;
  if (a.mode === 'full' || b.mode === 'full') return true;
  return a.affectedServices.some((service) => b.affectedServices.includes(service));
}

/** The requests a new one on `scope` replaces when submitted (the wizard warns about the same ones). */
export function supersededBy(scope: RequestScope, requests: readonly RollbackRequest[]): RollbackRequest[] {
  return requests.filter((r) => (SUPERSEDABLE_STATES as readonly RequestState[]).includes(r.state) && overlaps(scope, r));
}

/** How a request that ended without a commit is described, in one phrase. */
export function endedText(request: Pick<RollbackRequest, 'state' | 'closedReason' | 'supersededBy'>): string | null {
  switch (request.state) {
    case 'withdrawn':
      return request.closedReason ?? 'Withdrawn before it executed.';
    case 'superseded':
      return request.closedReason ?? `Superseded${request.supersededBy ? ` by ${request.supersededBy}` : ''}.`;
    case 'closed':
      return request.closedReason ?? 'Closed: there was nothing left to roll back.';
    default:
      return null;
  }
}
