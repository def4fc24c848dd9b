/**
 * Break-glass (DESIGN.md "Domain"): a time-limited session, opened with a justification by a user whose
 * role some target's policy allows. While it is active that user's rollbacks skip approval; it never
 * skips audit (every event under it is flagged) and never lets anyone review their own request.
 */
import { closeExpiredBreakGlass, targetsTouched } from './break-glass-expiry.ts';
import { mayOpenBreakGlass } from './review-rules.ts';
import { badRequest, forbidden } from './errors.ts';
import type { EventBus } from './events.ts';
import type { Clock, IdGenerator, RequestStore, TargetCatalog } from './ports.ts';
import type { BreakGlass, User } from './schemas.ts';
import { checkUserText } from './user-text.ts';

export const BREAK_GLASS_DEFAULT_MINUTES = 30;
export const BREAK_GLASS_MAX_MINUTES = 240;

export interface BreakGlassDeps {
  requests: RequestStore;
  catalog: TargetCatalog;
  clock: Clock;
  ids: IdGenerator;
  events?: EventBus;
}

export async function openBreakGlass(
  deps: BreakGlassDeps,
  user: User,
  input: { justification?: unknown; minutes?: unknown },
): Promise<BreakGlass> {
  const targets = await deps.catalog.list();
  const allowedRoles = new Set(targets.flatMap((t) => t.policy.breakGlass));
  if (!mayOpenBreakGlass(targets.map((t) => t.policy), user)) {
    throw forbidden(`opening break-glass requires one of the roles ${[...allowedRoles].join(', ') || '(none configured)'}`);
  }
  const justification = checkUserText(input.justification ?? '', {
    field: 'justification',
    label: 'justification',
    required: 'justification is required to open break-glass',
  });
  const minutes = input.minutes === undefined ? BREAK_GLASS_DEFAULT_MINUTES : input.minutes;
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > BREAK_GLASS_MAX_MINUTES) {
    throw badRequest(`minutes must be a whole number from 1 to ${BREAK_GLASS_MAX_MINUTES}`, { field: 'minutes' });
  }
  // An earlier session that ran out ends in the audit trail before this one replaces it.
  await closeExpiredBreakGlass(deps);
  const now = deps.clock.now();
  const session: BreakGlass = {
    user: user.email.toLowerCase(),
    justification,
    openedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + minutes * 60_000).toISOString(),
  };
  await deps.requests.transaction(async (tx) => {
    await tx.openBreakGlass(session);
    await tx.appendAudit({
      id: deps.ids.next('evt-'),
      at: session.openedAt,
      actor: session.user,
      type: 'break-glass.opened',
      breakGlass: true,
      details: { justification, minutes, expiresAt: session.expiresAt },
    });
  });
  deps.events?.publish({ type: 'break-glass.changed' });
  return session;
}

export async function closeBreakGlass(deps: BreakGlassDeps, user: User): Promise<void> {
  // A session that already ran out is ended as expired, not as closed by its user.
  await closeExpiredBreakGlass(deps);
  const now = deps.clock.now();
  const open = await deps.requests.activeBreakGlass(user.email, now);
  const targets = open ? await targetsTouched(deps.requests, user.email, open.openedAt) : [];
  const closed = await deps.requests.transaction(async (tx) => {
    const active = await tx.activeBreakGlass(user.email, now);
    if (!active) return false;
    await tx.closeBreakGlass(user.email, now);
    await tx.appendAudit({
      id: deps.ids.next('evt-'),
      at: now.toISOString(),
      actor: user.email.toLowerCase(),
      type: 'break-glass.closed',
      breakGlass: true,
      details: { justification: active.justification, openedAt: active.openedAt, expiresAt: active.expiresAt, reason: 'closed' },
      targets,
    });
    return true;
  });
  if (closed) deps.events?.publish({ type: 'break-glass.changed' });
}
