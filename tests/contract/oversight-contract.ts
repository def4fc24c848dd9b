/**
 * Break-glass, the audit trail and live updates, written once and run against every backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditResponseSchema, breakGlassSchema, errorBodySchema, meResponseSchema } from '#core/schemas.ts';
import { openEventStream, type ApiHarness } from './harness.ts';

export function describeOversightContract(name: string, makeHarness: () => Promise<ApiHarness>): void {
  describe(`oversight contract: ${name}`, () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await makeHarness();
    });
    afterAll(async () => api?.close());

    const userWith = (role: string, without?: string) =>
      api.repo.users.find((u) => u.roles.includes(role as never) && (!without || !u.roles.includes(without as never)))!;
    const as = (email: string, init: RequestInit = {}) => ({ ...init, headers: { 'X-Forwarded-Email': email, ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...init.headers } });
    const post = (path: string, email: string, body: unknown) => api.request(path, as(email, { method: 'POST', body: JSON.stringify(body) }));
    const audit = async (query: string) => auditResponseSchema.parse(await (await api.request(`/api/audit${query}`)).json());

    describe('break-glass', () => {
      it('opens for an allowed role, shows in /me, is audited and flagged, and closes', async () => {
        const onCall = userWith('break-glass');
        const opened = await post('/api/break-glass', onCall.email, { justification: 'payments down, approvers asleep', minutes: 20 });
        expect(opened.status).toBe(201);
        const { breakGlass } = (await opened.json()) as { breakGlass: unknown };
        const session = breakGlassSchema.parse(breakGlass);
        expect(session.user).toBe(onCall.email.toLowerCase());
        expect(Date.parse(session.expiresAt) - Date.parse(session.openedAt)).toBe(20 * 60_000);

        const me = meResponseSchema.parse(await (await api.request('/api/me', as(onCall.email))).json());
        expect(me.breakGlass?.justification).toBe('payments down, approvers asleep');

        const closed = await api.request('/api/break-glass', as(onCall.email, { method: 'DELETE' }));
        expect(closed.status).toBe(204);
        expect(meResponseSchema.parse(await (await api.request('/api/me', as(onCall.email))).json()).breakGlass).toBeNull();

        const events = await audit(`?actor=${encodeURIComponent(onCall.email.toUpperCase())}`);
        expect(events.events.map((e) => e.type).slice(0, 2)).toEqual(['break-glass.closed', 'break-glass.opened']);
        expect(events.events.every((e) => e.breakGlass)).toBe(true);
        // Decision 037: the closing event carries the session's justification too.
        expect(events.events.slice(0, 2).map((e) => e.details.justification)).toEqual(['payments down, approvers asleep', 'payments down, approvers asleep']);
      });

      it('its closing event lists every target the session touched, and shows under their filters (decision 037)', async () => {
        const onCall = api.repo.users.find((u) => u.roles.includes('break-glass') && u.roles.includes('requester'))!;
        expect((await post('/api/break-glass', onCall.email, { justification: 'checkout down', minutes: 30 })).status).toBe(201);
        for (const environment of ['production', 'staging']) {
          const history = (await (await api.request(`/api/targets/acme/${environment}/history?limit=2`)).json()) as { revisions: { sha: string }[] };
          const created = await post('/api/rollbacks', onCall.email, { tenant: 'acme', environment, mode: 'full', targetSha: history.revisions[1]!.sha, justification: 'checkout down' });
          expect(created.status, await created.clone().text()).toBe(201);
        }
        expect((await api.request('/api/break-glass', as(onCall.email, { method: 'DELETE' }))).status).toBe(204);
        const [closed] = (await audit(`?type=break-glass.closed&actor=${encodeURIComponent(onCall.email)}&limit=1`)).events;
        expect(closed!.targets).toEqual(['acme/production', 'acme/staging']);
        const under = async (query: string) => (await audit(`?type=break-glass.closed&limit=500&${query}`)).events.map((e) => e.id);
        expect(await under('tenant=acme')).toContain(closed!.id);
        expect(await under('tenant=acme&environment=staging')).toContain(closed!.id);
        expect(await under('environment=production')).toContain(closed!.id);
        expect(await under('tenant=globex')).not.toContain(closed!.id);
        expect(await under('tenant=acme&environment=preview')).not.toContain(closed!.id);
      });

      it('is refused to a role that may not open it, and needs a justification and sane minutes', async () => {
        const requester = api.repo.users.find((u) => u.roles.length === 1 && u.roles[0] === 'requester')!;
        const refused = await post('/api/break-glass', requester.email, { justification: 'please' });
        expect(refused.status).toBe(403);
        expect(errorBodySchema.parse(await refused.json()).error.message).toMatch(/break-glass requires one of the roles/);
        const onCall = userWith('break-glass');
        for (const body of [{}, { justification: '   ' }, { justification: 'x', minutes: 0 }, { justification: 'x', minutes: 10_000 }, { justification: 'x', minutes: 1.5 }]) {
          const response = await post('/api/break-glass', onCall.email, body);
          expect(response.status, JSON.stringify(body)).toBe(400);
        }
      });

      it('closing when nothing is open is harmless', async () => {
        const onCall = userWith('break-glass');
        expect((await api.request('/api/break-glass', as(onCall.email, { method: 'DELETE' }))).status).toBe(204);
      });
    });

    describe('audit', () => {
      it('pages newest first with filters, and rejects bad input', async () => {
        const first = await audit('?limit=1');
        expect(first.events).toHaveLength(1);
        expect(first.nextCursor).not.toBeNull();
        const second = await audit(`?limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`);
        expect(second.events[0]!.id).not.toBe(first.events[0]!.id);
        expect((await audit('?type=break-glass.opened')).events.every((e) => e.type === 'break-glass.opened')).toBe(true);
        expect((await api.request('/api/audit?limit=0')).status).toBe(400);
        expect((await api.request('/api/audit?tenant=..')).status).toBe(400);
        expect((await api.request('/api/audit?cursor=garbage')).status).toBe(400);
      });

      it('filters by from/to (extension, decision 037): inclusive instants in any time zone; bad or reversed bounds are 400', async () => {
        const all = (await audit('?limit=500')).events;
        const times = [...new Set(all.map((e) => e.at))].sort();
        expect(times.length).toBeGreaterThan(1);
        const middle = times[Math.floor(times.length / 2)]!;
        const from = (await audit(`?limit=500&from=${encodeURIComponent(middle)}`)).events;
        expect(from.length).toBeGreaterThan(0);
        expect(from.every((e) => e.at >= middle)).toBe(true);
        expect(from.map((e) => e.id)).toEqual(all.filter((e) => e.at >= middle).map((e) => e.id));
        const to = (await audit(`?limit=500&to=${encodeURIComponent(middle)}`)).events;
        expect(to.map((e) => e.id)).toEqual(all.filter((e) => e.at <= middle).map((e) => e.id));
        const exact = (await audit(`?limit=500&from=${encodeURIComponent(middle)}&to=${encodeURIComponent(middle)}`)).events;
        expect(exact.map((e) => e.id)).toEqual(all.filter((e) => e.at === middle).map((e) => e.id));
        const offset = new Date(Date.parse(middle)).toISOString().replace(/^(.*)T(\d{2}):(.*)Z$/, (_, day: string, hour: string, rest: string) => {
          // The same instant written one hour east of UTC (unless that crosses midnight) is the same bound.
          return Number(hour) < 23 ? `${day}T${String(Number(hour) + 1).padStart(2, '0')}:${rest}+01:00` : `${day}T${hour}:${rest}Z`;
        });
        expect((await audit(`?limit=500&from=${encodeURIComponent(offset)}&to=${encodeURIComponent(offset)}`)).events.map((e) => e.id)).toEqual(exact.map((e) => e.id));

        for (const [query, field] of [['from=yesterday', 'from'], ['to=2026-13-01T00:00:00Z', 'to'], ['from=2026-03-01', 'from'], ['from=2026-03-01T10:00:00', 'from']] as const) {
          const response = await api.request(`/api/audit?${query}`);
          expect(response.status, query).toBe(400);
          const error = errorBodySchema.parse(await response.json()).error;
          expect(error.code).toBe('BAD_REQUEST');
          expect(error.field).toBe(field);
          expect(error.message).toMatch(/must be an ISO-8601 date and time with a time zone/);
        }
        const reversed = await api.request('/api/audit?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z');
        expect(reversed.status).toBe(400);
        expect(errorBodySchema.parse(await reversed.json()).error).toMatchObject({ code: 'BAD_REQUEST', message: 'from (2026-03-02T00:00:00.000Z) is after to (2026-03-01T00:00:00.000Z)', field: 'from' });
      });

      it('every event about a request carries its justification, and a review its comment', async () => {
        const history = (await (await api.request('/api/targets/acme/production/history?limit=2')).json()) as { revisions: { sha: string }[] };
        const requester = userWith('requester', 'admin');
        const created = await post('/api/rollbacks', requester.email, { tenant: 'acme', environment: 'production', mode: 'full', targetSha: history.revisions[1]!.sha, justification: 'undo the failed release' });
        expect(created.status, await created.clone().text()).toBe(201);
        const { request } = (await created.json()) as { request: { id: string } };
        const approver = api.repo.users.find((u) => u.roles.includes('approver') && u.email !== requester.email)!;
        const reviewed = await post(`/api/rollbacks/${request.id}/reviews`, approver.email, { decision: 'reject', comment: 'not this one' });
        expect(reviewed.status, await reviewed.clone().text()).toBe(200);
        const own = (await audit(`?requestId=${request.id}`)).events;
        expect(own.map((e) => [e.type, e.details.justification, e.details.comment])).toEqual([
          ['rollback.reviewed', 'undo the failed release', 'not this one'],
          ['rollback.requested', 'undo the failed release', undefined],
        ]);
        const events = (await audit('?limit=500')).events.filter((e) => e.requestId);
        expect(events.length).toBeGreaterThan(0);
        for (const event of events) expect(typeof event.details.justification, `${event.type} ${event.id}`).toBe('string');
        for (const event of events.filter((e) => e.type === 'rollback.reviewed')) expect('comment' in event.details, event.id).toBe(true);
      });

      it('filters by requestId (extension): an unknown request is an empty page, a malformed id a 400', async () => {
        expect((await audit('?requestId=rbk-doesnotexist')).events).toEqual([]);
        expect(await audit('?requestId=rbk-doesnotexist&type=rollback.requested&limit=1')).toEqual({ events: [], nextCursor: null });
        // An empty value is no filter, as for the other parameters.
        expect((await audit('?requestId=&limit=1')).events).toHaveLength(1);
        for (const bad of ['RBK-1', 'rbk-', 'rbk-ABC', 'evt-000001', 'rbk-1%20', 'rbk-1/../x', '..', `rbk-${'a'.repeat(61)}`]) {
          const response = await api.request(`/api/audit?requestId=${bad}`);
          expect(response.status, bad).toBe(400);
          expect(errorBodySchema.parse(await response.json()).error).toEqual({
            code: 'BAD_REQUEST',
            message: 'requestId: must be a rollback request id (rbk- and 1 to 60 lowercase letters or digits)',
            field: 'requestId',
          });
        }
      });
    });

    describe('live updates', () => {
      it('streams server-sent events: ready, then what changed', async () => {
        const stream = await openEventStream(api);
        try {
          expect(stream.response.status).toBe(200);
          expect(stream.response.headers.get('content-type')).toMatch(/text\/event-stream/);
          await stream.readUntil(/event: ready/);
          const onCall = userWith('break-glass');
          await post('/api/break-glass', onCall.email, { justification: 'live update check' });
          expect(await stream.readUntil(/break-glass\.changed/)).toMatch(/data: \{"type":"break-glass\.changed"\}/);
          await api.request('/api/break-glass', as(onCall.email, { method: 'DELETE' }));
        } finally {
          await stream.close();
        }
      });

      it('tells open streams about a commit made outside Rewind (one branch-head watcher per app)', { timeout: 60_000 }, async () => {
        const streams = [await openEventStream(api), await openEventStream(api)];
        try {
          for (const stream of streams) await stream.readUntil(/event: ready/);
          await api.appendCommit({
            timestamp: '2031-01-01T00:00:00.000Z',
            author: { name: 'CI', email: 'ci@example.com' },
            message: 'CI: docs only',
            changes: { 'README.md': 'pushed by CI\n' },
          });
          // The watcher reads the head every few seconds: wait for the event, however long that takes.
          for (const stream of streams) expect(await stream.readUntil(/"type":"revision\.created"/)).toMatch(/data: \{"type":"revision\.created"\}/);
        } finally {
          await Promise.all(streams.map((stream) => stream.close()));
        }
      });
    });
  });
}
