/**
 * A break-glass session that runs out ends in the audit trail too (decision 046): when an expiry is
 * observed (on the next request that reads sessions or the audit trail, or by the server's sweep), a
 * `break-glass.closed` event is written with `reason: "expired"`, at the session's `expiresAt`. The
 * store closes the session with a conditional update, so several replicas observing the same expiry
 * write the event exactly once.
 */
import type { EventBus } from './events.ts';
import type { Clock, IdGenerator, RequestStore } from './ports.ts';
import type { BreakGlass } from './schemas.ts';

/** How many expired sessions one sweep ends; the next sweep takes the rest. */
export const EXPIRY_SWEEP_LIMIT = 100;

export interface BreakGlassExpiryDeps {
  requests: RequestStore;
  clock: Clock;
  ids: IdGenerator;
  events?: EventBus | undefined;
}

/** Of these open sessions, those that ran out by `now` (compared as instants), oldest expiry first. */
export function expiredSessions(open: readonly BreakGlass[], now: Date, limit: number): BreakGlass[] {
  return open
    .filter((s) => Date.parse(s.expiresAt) <= now.getTime())
    .sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt))
    .slice(0, limit)
    .map((s) => ({ ...s }));
}

/**
 * The targets (`tenant/environment`) of the flagged request events `actor` made from `since` (to
 * `until`, when given), from the audit trail, sorted.
 */
export async function targetsTouched(requests: RequestStore, actor: string, since: string, until?: string): Promise<string[]> {
  const touched = new Set<string>();
  let cursor: string | null = null;
  do {
    const page = await requests.listAudit({ actor, from: since, ...(until ? { to: until } : {}) }, cursor, 500);
    for (const event of page.items) {
      if (event.breakGlass && event.requestId && event.tenant && event.environment) touched.add(`${event.tenant}/${event.environment}`);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return [...touched].sort();
}

/**
 * Writes `break-glass.closed` for every session that ran out and nobody closed (at most
 * `EXPIRY_SWEEP_LIMIT`), each in its own transaction; returns how many this call ended. Cheap when
 * there is nothing to do: one read of the open sessions.
 */
export async function closeExpiredBreakGlass(deps: BreakGlassExpiryDeps): Promise<number> {
  const now = deps.clock.now();
  const expired = await deps.requests.expiredBreakGlass(now, EXPIRY_SWEEP_LIMIT);
  let ended = 0;
  for (const session of expired) {
    const expiresAt = new Date(session.expiresAt).toISOString();
    const targets = await targetsTouched(deps.requests, session.user, session.openedAt, expiresAt);
    const closed = await deps.requests.transaction(async (tx) => {
      if (!(await tx.closeExpiredBreakGlass(session))) return false;
      await tx.appendAudit({
        id: deps.ids.next('evt-'),
        at: expiresAt,
        actor: session.user.toLowerCase(),
        type: 'break-glass.closed',
        breakGlass: true,
        details: { justification: session.justification, openedAt: session.openedAt, expiresAt: session.expiresAt, reason: 'expired', observedAt: now.toISOString() },
        targets,
      });
      return true;
    });
    if (closed) ended += 1;
  }
  if (ended > 0) deps.events?.publish({ type: 'break-glass.changed' });
  return ended;
}
