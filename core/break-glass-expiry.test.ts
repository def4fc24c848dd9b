import { requestStoreBackends, type OpenedRequestStore } from '#tests/support/request-store-backends.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock, SequentialIds, StaticTargetCatalog } from './basic-adapters.ts';
import { closeExpiredBreakGlass, expiredSessions } from './break-glass-expiry.ts';
import { closeBreakGlass, openBreakGlass } from './break-glass-service.ts';
import { EventBus, type LiveEvent } from './events.ts';
import type { RequestStore } from './ports.ts';
import type { AuditEvent, User } from './schemas.ts';
import { defaultLayout, type TargetConfig } from './target-config.ts';

const OLU: User = { email: 'Olu@Example.com', name: 'Olu Adeyemi', roles: ['requester', 'break-glass'] };
const TARGET: TargetConfig = {
  tenant: 'acme',
  environment: 'production',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 1, blockSelfApproval: true, requesters: ['requester'], approvers: ['approver'], breakGlass: ['break-glass'] },
  layout: defaultLayout('acme', 'production', ['api']),
};
const MINUTE = 60_000;

describe.each(requestStoreBackends('break-glass-expiry'))('an expired break-glass session (%s)', (_name, open) => {
  let opened: OpenedRequestStore;
  let requests: RequestStore;
  let clock: FixedClock;
  let published: LiveEvent[];
  let deps: Parameters<typeof openBreakGlass>[0];

  beforeEach(async () => {
    opened = await open();
    requests = opened.store;
    clock = new FixedClock(new Date('2026-03-01T10:00:00.000Z'));
    const events = new EventBus();
    published = [];
    events.subscribe((e) => published.push(e));
    deps = { requests, catalog: new StaticTargetCatalog([TARGET]), clock, ids: new SequentialIds(), events };
  });
  afterEach(async () => opened.close());

  const closedEvents = async (): Promise<AuditEvent[]> => (await requests.listAudit({ type: 'break-glass.closed' }, null, 100)).items;

  it('writes break-glass.closed once, at its expiry, with the reason, the justification and what it touched', { timeout: 30_000 }, async () => {
    await openBreakGlass(deps, OLU, { justification: 'checkout down', minutes: 20 });
    // A flagged request event under the session, and one after it ran out (not touched by it).
    await requests.transaction(async (tx) => {
      await tx.appendAudit({ id: 'evt-under', at: '2026-03-01T10:05:00.000Z', actor: 'olu@example.com', type: 'request.created', breakGlass: true, requestId: 'rbk-1', tenant: 'acme', environment: 'production', details: {} });
      await tx.appendAudit({ id: 'evt-after', at: '2026-03-01T10:25:00.000Z', actor: 'olu@example.com', type: 'request.created', breakGlass: true, requestId: 'rbk-2', tenant: 'acme', environment: 'staging', details: {} });
    });

    clock.advance(19 * MINUTE);
    expect(await closeExpiredBreakGlass(deps)).toBe(0);
    expect(await closedEvents()).toEqual([]);

    clock.advance(7 * MINUTE);
    expect(await requests.activeBreakGlass(OLU.email, clock.now())).toBeNull();
    expect(await closeExpiredBreakGlass(deps)).toBe(1);
    const [closed, ...others] = await closedEvents();
    expect(others).toEqual([]);
    expect(closed).toMatchObject({
      at: '2026-03-01T10:20:00.000Z',
      actor: 'olu@example.com',
      type: 'break-glass.closed',
      breakGlass: true,
      details: { justification: 'checkout down', openedAt: '2026-03-01T10:00:00.000Z', expiresAt: '2026-03-01T10:20:00.000Z', reason: 'expired', observedAt: '2026-03-01T10:26:00.000Z' },
      targets: ['acme/production'],
    });
    expect(published).toContainEqual({ type: 'break-glass.changed' });

    // Observed again (another request, the next sweep, the user's late close): nothing more.
    expect(await closeExpiredBreakGlass(deps)).toBe(0);
    await closeBreakGlass(deps, OLU);
    expect(await closedEvents()).toHaveLength(1);
  });

  it('several observers at once write it exactly once', { timeout: 30_000 }, async () => {
    await openBreakGlass(deps, OLU, { justification: 'checkout down', minutes: 5 });
    clock.advance(6 * MINUTE);
    const counts = await Promise.all(Array.from({ length: 5 }, () => closeExpiredBreakGlass(deps)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await closedEvents()).toHaveLength(1);
  });

  it('a session opened after one ran out first ends the old one as expired, then opens', { timeout: 30_000 }, async () => {
    await openBreakGlass(deps, OLU, { justification: 'first', minutes: 5 });
    clock.advance(10 * MINUTE);
    await openBreakGlass(deps, OLU, { justification: 'second', minutes: 5 });
    const types = (await requests.listAudit({}, null, 10)).items.map((e) => `${e.type} ${String(e.details.justification)}`);
    expect(types).toEqual(['break-glass.opened second', 'break-glass.closed first', 'break-glass.opened first']);
    // Closing the live one by hand says so.
    await closeBreakGlass(deps, OLU);
    expect((await closedEvents()).map((e) => e.details.reason)).toEqual(['closed', 'expired']);
  });

  it('leaves sessions that are still running or were closed by hand alone', { timeout: 30_000 }, async () => {
    await openBreakGlass(deps, OLU, { justification: 'closed by hand', minutes: 5 });
    await closeBreakGlass(deps, OLU);
    await openBreakGlass(deps, { ...OLU, email: 'kim@example.com' }, { justification: 'still running', minutes: 60 });
    clock.advance(30 * MINUTE);
    expect(await closeExpiredBreakGlass(deps)).toBe(0);
    expect((await closedEvents()).map((e) => e.details.reason)).toEqual(['closed']);
  });
});

describe('expiredSessions', () => {
  it('compares instants whatever the offset, oldest expiry first, at most the limit', () => {
    const s = (user: string, expiresAt: string) => ({ user, justification: 'x', openedAt: '2026-03-01T09:00:00.000Z', expiresAt });
    const now = new Date('2026-03-01T10:00:00.000Z');
    const open = [s('a', '2026-03-01T11:59:00+02:00'), s('b', '2026-03-01T10:00:00.000Z'), s('c', '2026-03-01T10:00:00.001Z'), s('d', '2026-03-01T08:00:00.000Z')];
    expect(expiredSessions(open, now, 10).map((x) => x.user)).toEqual(['d', 'a', 'b']);
    expect(expiredSessions(open, now, 1).map((x) => x.user)).toEqual(['d']);
  });
});
