/**
 * The API ends a break-glass session that ran out in the audit trail as soon as anyone looks
 * (decision 046): `/api/me` and `/api/audit` observe the expiry; the real server also sweeps.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '#core/basic-adapters.ts';
import { auditResponseSchema, meResponseSchema } from '#core/schemas.ts';
import { createMockBackend } from '#mocks/backend.ts';

describe('an expired break-glass session over the API', () => {
  it('reads as ended in /api/me and /api/audit, with one break-glass.closed at its expiry', { timeout: 60_000 }, async () => {
    const clock = new FixedClock(new Date());
    const backend = createMockBackend({ clock });
    const onCall = backend.repo.users.find((u) => u.roles.includes('break-glass'))!;
    const call = (path: string, init: RequestInit = {}) =>
      backend.app.fetch(new Request(new URL(path, 'http://rewind.test'), { ...init, headers: { 'X-Forwarded-Email': onCall.email, 'Content-Type': 'application/json', ...init.headers } }));
    const changes: string[] = [];
    backend.events.subscribe((e) => changes.push(e.type));
    const opened = await call('/api/break-glass', { method: 'POST', body: JSON.stringify({ justification: 'payments down', minutes: 15 }) });
    expect(opened.status).toBe(201);
    const { breakGlass } = (await opened.json()) as { breakGlass: { expiresAt: string } };
    const closedEvents = async () => auditResponseSchema.parse(await (await call('/api/audit?type=break-glass.closed')).json()).events;

    clock.advance(14 * 60_000);
    expect(await closedEvents()).toEqual([]);
    changes.length = 0;

    clock.advance(2 * 60_000);
    expect(meResponseSchema.parse(await (await call('/api/me')).json()).breakGlass).toBeNull();
    expect(changes).toContain('break-glass.changed');
    const events = await closedEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ at: breakGlass.expiresAt, actor: onCall.email.toLowerCase(), breakGlass: true, details: { reason: 'expired', justification: 'payments down' } });
    // Looking again writes nothing more.
    await call('/api/me');
    expect(await closedEvents()).toHaveLength(1);
  });
});
