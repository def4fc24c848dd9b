/**
 * The RequestStore contract, second half: listing and paging, the audit trail, idempotency keys and
 * break-glass sessions. Run by describeRequestStoreContract (request-store.contract.ts) on every adapter.
 */
import { describe, expect, it } from 'vitest';
import type { RequestStore } from '#core/ports.ts';
import type { AuditEvent, BreakGlass, RollbackRequest } from '#core/schemas.ts';
import { collect, expectRewindError, makeEvent, makeRequest, tick } from './request-store-fixtures.ts';

export function describeRequestStoreQueries(storeOf: () => RequestStore): void {
    const insert = (...requests: RollbackRequest[]) =>
      storeOf().transaction(async (tx) => {
        for (const r of requests) await tx.insertRequest(r);
      });
    const append = (...events: AuditEvent[]) =>
      storeOf().transaction(async (tx) => {
        for (const e of events) await tx.appendAudit(e);
      });

    describe('listRequests', () => {
      it('keeps the roll-forward hints, the versions and the incident of a request, and filters by the incident id or link', async () => {
        const versions = [
          {
            service: 'payments',
            from: { known: true as const, version: 'v2.14.0', source: 'helm-values' as const, file: 'a/values.yaml', field: 'image.tag' },
            to: { known: false as const, reason: 'no version field in the manifests' },
          },
        ];
        const hints = [{ kind: 'migration' as const, file: 'a/migrations/1.sql', message: 'The rollback changes a/migrations/1.sql' }];
        await insert(
          makeRequest({ id: 'rbk-a', createdAt: '2025-03-01T10:00:00.000Z', hints, versions, incident: { id: 'INC-7', url: 'https://status.example.com/i/7' } }),
          makeRequest({ id: 'rbk-b', createdAt: '2025-03-01T11:00:00.000Z', incident: { id: 'INC-8' } }),
          makeRequest({ id: 'rbk-c', createdAt: '2025-03-01T12:00:00.000Z', incident: { url: 'https://status.example.com/i/7' } }),
          makeRequest({ id: 'rbk-d', createdAt: '2025-03-01T13:00:00.000Z' }),
        );
        expect((await storeOf().getRequest('rbk-a'))?.hints).toStrictEqual(hints);
        expect((await storeOf().getRequest('rbk-a'))?.versions).toStrictEqual(versions);
        expect((await storeOf().listRequests({ incident: 'INC-7' }, null, 10)).items[0]?.versions).toStrictEqual(versions);
        expect(await storeOf().getRequest('rbk-b')).not.toHaveProperty('versions');
        expect((await storeOf().getRequest('rbk-a'))?.incident).toStrictEqual({ id: 'INC-7', url: 'https://status.example.com/i/7' });
        expect(await storeOf().getRequest('rbk-d')).not.toHaveProperty('incident');
        const ids = async (incident: string) => (await storeOf().listRequests({ incident }, null, 10)).items.map((r) => r.id);
        expect(await ids('INC-7')).toEqual(['rbk-a']);
        expect(await ids('https://status.example.com/i/7')).toEqual(['rbk-c', 'rbk-a']);
        expect(await ids('INC-8')).toEqual(['rbk-b']);
        expect(await ids('inc-8')).toEqual([]);
      });

      it('lists newest first: createdAt descending, then id descending, comparing instants', async () => {
        await insert(
          makeRequest({ id: 'rbk-a', createdAt: '2025-03-01T10:00:00.000Z' }),
          makeRequest({ id: 'rbk-b', createdAt: '2025-03-01T12:00:00.000Z' }),
          makeRequest({ id: 'rbk-c', createdAt: '2025-03-01T12:00:00.000Z' }),
          // 11:30 UTC, later than 10:00Z though it sorts first as a string.
          makeRequest({ id: 'rbk-d', createdAt: '2025-03-01T13:30:00+02:00' }),
          makeRequest({ id: 'rbk-e', createdAt: '2025-02-28T23:59:59.999Z' }),
        );
        const page = await storeOf().listRequests({}, null, 10);
        expect(page.items.map((r) => r.id)).toEqual(['rbk-c', 'rbk-b', 'rbk-d', 'rbk-a', 'rbk-e']);
        expect(page.nextCursor).toBeNull();
      });

      it('returns full requests, reviews and notes included', async () => {
        await insert(makeRequest({ notes: [{ by: 'n@example.com', text: 'hello', at: '2025-03-01T10:00:00.000Z' }] }));
        await storeOf().transaction((tx) =>
          tx.addReview('rbk-1', { by: 'bob@example.com', decision: 'approve', comment: 'c', at: '2025-03-01T10:01:00.000Z', stale: false }),
        );
        const [listed] = (await storeOf().listRequests({}, null, 10)).items;
        expect(listed).toStrictEqual(await storeOf().getRequest('rbk-1'));
        expect(listed!.reviews).toHaveLength(1);
        expect(listed!.notes).toHaveLength(1);
      });

      it('pages without overlap or gaps, even when requests arrive between pages', async () => {
        const originals = Array.from({ length: 9 }, (_, i) =>
          // Pairs share a createdAt, so the id tiebreak matters across page boundaries.
          makeRequest({ id: `rbk-o${i}`, createdAt: `2025-03-01T10:0${Math.floor(i / 2)}:00.000Z` }),
        );
        await insert(...originals);
        let added = 0;
        const { items, pages } = await collect(
          (cursor) => storeOf().listRequests({}, cursor, 2),
          async () => {
            added += 1;
            await insert(makeRequest({ id: `rbk-new${added}`, createdAt: `2025-03-02T10:00:0${added}.000Z` }));
          },
        );
        const ids = items.map((r) => r.id);
        expect(pages).toBe(5);
        expect(ids).toEqual([...originals].reverse().map((r) => r.id));
        expect(new Set(ids).size).toBe(ids.length);
        // A new list starts with what arrived meanwhile.
        expect((await storeOf().listRequests({}, null, 4)).items.map((r) => r.id)).toEqual(['rbk-new4', 'rbk-new3', 'rbk-new2', 'rbk-new1']);
      });

      it('has no next cursor when the last page is exactly full', async () => {
        await insert(makeRequest({ id: 'rbk-1' }), makeRequest({ id: 'rbk-2' }), makeRequest({ id: 'rbk-3' }), makeRequest({ id: 'rbk-4' }));
        const first = await storeOf().listRequests({}, null, 2);
        expect(first.nextCursor).not.toBeNull();
        const second = await storeOf().listRequests({}, first.nextCursor, 2);
        expect(second.items.map((r) => r.id)).toEqual(['rbk-2', 'rbk-1']);
        expect(second.nextCursor).toBeNull();
        expect(await storeOf().listRequests({}, null, 10)).toMatchObject({ nextCursor: null });
      });

      it('filters by state, tenant and environment, also across pages', async () => {
        const specs: [string, RollbackRequest['state'], string, string][] = [
          ['rbk-1', 'pending', 'acme', 'production'],
          ['rbk-2', 'completed', 'acme', 'production'],
          ['rbk-3', 'pending', 'acme', 'staging'],
          ['rbk-4', 'pending', 'globex', 'production'],
          ['rbk-5', 'pending', 'acme', 'production'],
          ['rbk-6', 'failed', 'globex', 'staging'],
          ['rbk-7', 'pending', 'acme', 'production'],
        ];
        await insert(
          ...specs.map(([id, state, tenant, environment], i) =>
            makeRequest({ id, state, tenant, environment, createdAt: `2025-03-01T10:00:0${i}.000Z` }),
          ),
        );
        const ids = async (filter: Parameters<RequestStore['listRequests']>[0]) =>
          (await collect((cursor) => storeOf().listRequests(filter, cursor, 2))).items.map((r) => r.id);
        expect(await ids({ state: 'pending' })).toEqual(['rbk-7', 'rbk-5', 'rbk-4', 'rbk-3', 'rbk-1']);
        expect(await ids({ tenant: 'acme' })).toEqual(['rbk-7', 'rbk-5', 'rbk-3', 'rbk-2', 'rbk-1']);
        expect(await ids({ environment: 'staging' })).toEqual(['rbk-6', 'rbk-3']);
        expect(await ids({ state: 'pending', tenant: 'acme', environment: 'production' })).toEqual(['rbk-7', 'rbk-5', 'rbk-1']);
        expect(await ids({ state: 'rejected' })).toEqual([]);
        expect(await ids({ open: true, tenant: 'globex' })).toEqual(['rbk-4']);
        expect(await ids({})).toHaveLength(7);
      });

      it('rejects a malformed cursor with BAD_REQUEST "invalid cursor"', async () => {
        await insert(makeRequest());
        const audit = await (async () => {
          await append(makeEvent(), makeEvent({ id: 'evt-2' }));
          return (await storeOf().listAudit({}, null, 1)).nextCursor!;
        })();
        for (const cursor of ['', 'garbage', 'r1.', 'r1.!!!', 'r1.bm90IGpzb24', 'r1.WyJ4IiwicmJrLTEiXQ', audit, 'x'.repeat(600)]) {
          await expectRewindError(storeOf().listRequests({}, cursor, 10), 'BAD_REQUEST', 'invalid cursor');
        }
      });

      it('rejects a limit below 1', async () => {
        await expectRewindError(storeOf().listRequests({}, null, 0), 'BAD_REQUEST');
        await expectRewindError(storeOf().listAudit({}, null, 0), 'BAD_REQUEST');
      });
    });

    describe('audit trail', () => {
      it('round-trips events, details included, absent optionals omitted', async () => {
        const full = makeEvent({ breakGlass: true, details: { mode: 'field', fields: [{ file: 'a.yaml', path: ['x', 0] }], n: 3, ok: true, none: null } });
        const bare: AuditEvent = { id: 'evt-2', at: '2025-03-01T10:00:00+01:00', actor: 'sys', type: 'break-glass.opened', breakGlass: false, details: {} };
        await append(full, bare);
        const { items } = await storeOf().listAudit({}, null, 10);
        expect(items).toStrictEqual([bare, full]);
      });

      it('lists newest first in append order, not by timestamp', async () => {
        await append(makeEvent({ id: 'evt-1', at: '2025-03-01T12:00:00.000Z' }), makeEvent({ id: 'evt-2', at: '2025-03-01T09:00:00.000Z' }));
        await append(makeEvent({ id: 'evt-0', at: '2025-03-01T10:00:00.000Z' }));
        expect((await storeOf().listAudit({}, null, 10)).items.map((e) => e.id)).toEqual(['evt-0', 'evt-2', 'evt-1']);
      });

      it('pages without overlap or gaps while events are appended between pages', async () => {
        await append(...Array.from({ length: 7 }, (_, i) => makeEvent({ id: `evt-${i}` })));
        let added = 0;
        const { items, pages } = await collect(
          (cursor) => storeOf().listAudit({}, cursor, 3),
          async () => {
            added += 1;
            await append(makeEvent({ id: `evt-new${added}` }));
          },
        );
        expect(pages).toBe(3);
        expect(items.map((e) => e.id)).toEqual(['evt-6', 'evt-5', 'evt-4', 'evt-3', 'evt-2', 'evt-1', 'evt-0']);
      });

      it('filters by tenant, environment, type and actor (case-insensitive), also across pages', async () => {
        await append(
          makeEvent({ id: 'e1', actor: 'Jane@Example.com', type: 'rollback.requested' }),
          makeEvent({ id: 'e2', actor: 'bob@example.com', type: 'rollback.reviewed' }),
          makeEvent({ id: 'e3', actor: 'jane@example.com', type: 'rollback.executed', environment: 'staging' }),
          makeEvent({ id: 'e4', actor: 'JANE@EXAMPLE.COM', type: 'break-glass.opened', tenant: undefined, environment: undefined, requestId: undefined }),
          makeEvent({ id: 'e5', actor: 'carol@example.com', type: 'rollback.requested', tenant: 'globex' }),
          makeEvent({ id: 'e6', actor: 'jane@example.com', type: 'rollback.requested' }),
        );
        const ids = async (filter: Parameters<RequestStore['listAudit']>[0]) =>
          (await collect((cursor) => storeOf().listAudit(filter, cursor, 2))).items.map((e) => e.id);
        expect(await ids({ actor: 'jane@example.COM' })).toEqual(['e6', 'e4', 'e3', 'e1']);
        expect(await ids({ tenant: 'acme' })).toEqual(['e6', 'e3', 'e2', 'e1']);
        expect(await ids({ environment: 'staging' })).toEqual(['e3']);
        expect(await ids({ type: 'rollback.requested' })).toEqual(['e6', 'e5', 'e1']);
        expect(await ids({ tenant: 'acme', environment: 'production', type: 'rollback.requested', actor: 'JANE@example.com' })).toEqual(['e6', 'e1']);
        expect(await ids({ actor: 'nobody@example.com' })).toEqual([]);
      });

      it('filters by requestId: exactly that request\'s events, newest first, across pages, with the other filters', async () => {
        await append(
          makeEvent({ id: 'e1', requestId: 'rbk-1', type: 'rollback.requested', actor: 'sam@example.com' }),
          makeEvent({ id: 'e2', requestId: 'rbk-2', type: 'rollback.requested', actor: 'sam@example.com' }),
          makeEvent({ id: 'e3', requestId: 'rbk-1', type: 'rollback.reviewed', actor: 'Dana@Example.com' }),
          makeEvent({ id: 'e4', requestId: undefined, type: 'break-glass.opened', actor: 'dana@example.com' }),
          makeEvent({ id: 'e5', requestId: 'rbk-1', type: 'rollback.reviewed', actor: 'priya@example.com' }),
          makeEvent({ id: 'e6', requestId: 'rbk-10', type: 'rollback.reviewed', actor: 'dana@example.com' }),
          makeEvent({ id: 'e7', requestId: 'rbk-1', type: 'rollback.executed', actor: 'priya@example.com', tenant: 'globex' }),
          makeEvent({ id: 'e8', requestId: 'rbk-2', type: 'rollback.reviewed', actor: 'dana@example.com' }),
          makeEvent({ id: 'e9', requestId: 'rbk-1', type: 'rollback.note-added', actor: 'sam@example.com' }),
        );
        const ids = async (filter: Parameters<RequestStore['listAudit']>[0], limit = 2) => {
          const { items, pages } = await collect((cursor) => storeOf().listAudit(filter, cursor, limit));
          return { ids: items.map((e) => e.id), pages };
        };
        // Exact match: rbk-10 is not rbk-1, and events without a request never match.
        expect(await ids({ requestId: 'rbk-1' })).toEqual({ ids: ['e9', 'e7', 'e5', 'e3', 'e1'], pages: 3 });
        expect(await ids({ requestId: 'rbk-1' }, 5)).toEqual({ ids: ['e9', 'e7', 'e5', 'e3', 'e1'], pages: 1 });
        expect(await ids({ requestId: 'rbk-2' }, 1)).toEqual({ ids: ['e8', 'e2'], pages: 2 });
        expect(await ids({ requestId: 'rbk-1', type: 'rollback.reviewed' })).toEqual({ ids: ['e5', 'e3'], pages: 1 });
        expect(await ids({ requestId: 'rbk-1', actor: 'DANA@example.com' })).toEqual({ ids: ['e3'], pages: 1 });
        expect(await ids({ requestId: 'rbk-1', tenant: 'acme', environment: 'production' }, 1)).toEqual({ ids: ['e9', 'e5', 'e3', 'e1'], pages: 4 });
        expect(await ids({ requestId: 'rbk-1', type: 'rollback.requested', actor: 'dana@example.com' })).toEqual({ ids: [], pages: 1 });
        expect(await storeOf().listAudit({ requestId: 'rbk-unknown' }, null, 10)).toEqual({ items: [], nextCursor: null });
      });

      it('pages one request\'s events without overlap or gaps while other requests\' events are appended', async () => {
        await append(...Array.from({ length: 6 }, (_, i) => makeEvent({ id: `evt-${i}`, requestId: i % 2 ? 'rbk-1' : 'rbk-2' })));
        let added = 0;
        const { items } = await collect(
          (cursor) => storeOf().listAudit({ requestId: 'rbk-1' }, cursor, 1),
          async () => {
            added += 1;
            await append(makeEvent({ id: `evt-new${added}`, requestId: added % 2 ? 'rbk-1' : 'rbk-2' }));
          },
        );
        expect(items.map((e) => e.id)).toEqual(['evt-5', 'evt-3', 'evt-1']);
      });

      it('rejects a second event with the same id', async () => {
        await append(makeEvent());
        await expectRewindError(append(makeEvent({ id: 'evt-other' }), makeEvent({ type: 'changed' })), 'CONFLICT');
        expect((await storeOf().listAudit({}, null, 10)).items.map((e) => [e.id, e.type])).toEqual([['evt-1', 'rollback.requested']]);
      });

      it('rejects a malformed audit cursor with BAD_REQUEST "invalid cursor"', async () => {
        await insert(makeRequest(), makeRequest({ id: 'rbk-2' }));
        const requestCursor = (await storeOf().listRequests({}, null, 1)).nextCursor!;
        for (const cursor of ['', 'a1.', 'a1.0', 'a1.-1', 'a1.abc', 'a1.1.5', 'a1.99999999999999999999', requestCursor]) {
          await expectRewindError(storeOf().listAudit({}, cursor, 10), 'BAD_REQUEST', 'invalid cursor');
        }
      });
    });

    describe('idempotency keys', () => {
      it('finds the saved request per user and key; users compare case-insensitively', async () => {
        await storeOf().transaction(async (tx) => {
          expect(await tx.findByIdempotencyKey('jane@example.com', 'k1')).toBeNull();
          await tx.saveIdempotencyKey('Jane@Example.com', 'k1', 'rbk-1');
          expect(await tx.findByIdempotencyKey('jane@example.com', 'k1')).toBe('rbk-1');
        });
        await storeOf().transaction(async (tx) => {
          await tx.saveIdempotencyKey('bob@example.com', 'k1', 'rbk-2');
          await tx.saveIdempotencyKey('jane@example.com', 'k2', 'rbk-3');
        });
        await storeOf().transaction(async (tx) => {
          expect(await tx.findByIdempotencyKey('JANE@EXAMPLE.COM', 'k1')).toBe('rbk-1');
          expect(await tx.findByIdempotencyKey('bob@example.com', 'k1')).toBe('rbk-2');
          expect(await tx.findByIdempotencyKey('jane@example.com', 'k2')).toBe('rbk-3');
          expect(await tx.findByIdempotencyKey('jane@example.com', 'K1')).toBeNull();
        });
      });

      it('a key is unique per user: saving it again is a CONFLICT and keeps the first', async () => {
        await storeOf().transaction((tx) => tx.saveIdempotencyKey('jane@example.com', 'k1', 'rbk-1'));
        await expectRewindError(storeOf().transaction((tx) => tx.saveIdempotencyKey('JANE@example.com', 'k1', 'rbk-2')), 'CONFLICT');
        expect(await storeOf().transaction((tx) => tx.findByIdempotencyKey('jane@example.com', 'k1'))).toBe('rbk-1');
      });

      it('two racing submits with one key create one request', async () => {
        const submit = (id: string) =>
          storeOf().transaction(async (tx) => {
            const existing = await tx.findByIdempotencyKey('jane@example.com', 'k1');
            if (existing) return existing;
            await tick();
            await tx.insertRequest(makeRequest({ id }));
            await tx.saveIdempotencyKey('jane@example.com', 'k1', id);
            return id;
          });
        const [a, b] = await Promise.all([submit('rbk-a'), submit('rbk-b')]);
        expect(a).toBe('rbk-a');
        expect(b).toBe('rbk-a');
        expect((await storeOf().listRequests({}, null, 10)).items.map((r) => r.id)).toEqual(['rbk-a']);
      });
    });

    describe('break-glass', () => {
      const session = (overrides: Partial<BreakGlass> = {}): BreakGlass => ({
        user: 'Jane@Example.com',
        justification: 'prod down',
        openedAt: '2025-03-01T10:00:00.000Z',
        expiresAt: '2025-03-01T10:30:00.000Z',
        ...overrides,
      });
      const at = (time: string) => new Date(`2025-03-01T${time}Z`);

      it('is active until it expires (expiresAt > now), for the user in any case', async () => {
        await storeOf().transaction((tx) => tx.openBreakGlass(session()));
        expect(await storeOf().activeBreakGlass('jane@example.com', at('10:00:00.000'))).toStrictEqual(session());
        expect(await storeOf().activeBreakGlass('JANE@EXAMPLE.COM', at('10:29:59.999'))).toStrictEqual(session());
        expect(await storeOf().activeBreakGlass('jane@example.com', at('10:30:00.000'))).toBeNull();
        expect(await storeOf().activeBreakGlass('jane@example.com', at('11:00:00.000'))).toBeNull();
        expect(await storeOf().activeBreakGlass('bob@example.com', at('10:10:00.000'))).toBeNull();
      });

      it('compares expiry by instant, whatever the offset', async () => {
        await storeOf().transaction((tx) => tx.openBreakGlass(session({ expiresAt: '2025-03-01T12:30:00+02:00' })));
        expect(await storeOf().activeBreakGlass('jane@example.com', at('10:29:00.000'))).not.toBeNull();
        expect(await storeOf().activeBreakGlass('jane@example.com', at('10:31:00.000'))).toBeNull();
      });

      it('is no longer active once closed (closing is case-insensitive and leaves others alone)', async () => {
        await storeOf().transaction(async (tx) => {
          await tx.openBreakGlass(session());
          await tx.openBreakGlass(session({ user: 'bob@example.com' }));
        });
        await storeOf().transaction((tx) => tx.closeBreakGlass('JANE@example.COM', at('10:05:00.000')));
        expect(await storeOf().activeBreakGlass('jane@example.com', at('10:06:00.000'))).toBeNull();
        expect(await storeOf().activeBreakGlass('bob@example.com', at('10:06:00.000'))).not.toBeNull();
        // Closing when nothing is open is harmless.
        await storeOf().transaction((tx) => tx.closeBreakGlass('jane@example.com', at('10:07:00.000')));
        await storeOf().transaction((tx) => tx.closeBreakGlass('nobody@example.com', at('10:07:00.000')));
      });

      it('opening again replaces the open session; closing then leaves none active', async () => {
        await storeOf().transaction((tx) => tx.openBreakGlass(session()));
        const second = session({ user: 'jane@example.com', justification: 'still down', openedAt: '2025-03-01T10:10:00.000Z', expiresAt: '2025-03-01T11:10:00.000Z' });
        await storeOf().transaction((tx) => tx.openBreakGlass(second));
        expect(await storeOf().activeBreakGlass('jane@example.com', at('10:15:00.000'))).toStrictEqual(second);
        expect(await storeOf().activeBreakGlass('jane@example.com', at('10:45:00.000'))).toStrictEqual(second);
        await storeOf().transaction((tx) => tx.closeBreakGlass('jane@example.com', at('10:20:00.000')));
        expect(await storeOf().activeBreakGlass('jane@example.com', at('10:21:00.000'))).toBeNull();
      });

      it('a session can be opened again after it expired or was closed', async () => {
        await storeOf().transaction((tx) => tx.openBreakGlass(session()));
        await storeOf().transaction((tx) => tx.closeBreakGlass('jane@example.com', at('10:05:00.000')));
        const again = session({ openedAt: '2025-03-01T10:06:00.000Z', expiresAt: '2025-03-01T10:36:00.000Z' });
        await storeOf().transaction((tx) => tx.openBreakGlass(again));
        expect(await storeOf().activeBreakGlass('jane@example.com', at('10:07:00.000'))).toStrictEqual(again);
      });

      it('lists sessions that ran out and nobody closed, and closes one at its expiry only once (decision 046)', async () => {
        await storeOf().transaction(async (tx) => {
          await tx.openBreakGlass(session());
          await tx.openBreakGlass(session({ user: 'bob@example.com', expiresAt: '2025-03-01T10:10:00.000Z' }));
          await tx.openBreakGlass(session({ user: 'kim@example.com', expiresAt: '2025-03-01T12:00:00.000Z' }));
          await tx.openBreakGlass(session({ user: 'lee@example.com', expiresAt: '2025-03-01T10:05:00.000Z' }));
          await tx.closeBreakGlass('lee@example.com', at('10:01:00.000'));
        });
        expect(await storeOf().expiredBreakGlass(at('10:09:59.999'), 10)).toEqual([]);
        expect((await storeOf().expiredBreakGlass(at('10:30:00.000'), 10)).map((s) => s.user)).toEqual(['bob@example.com', 'Jane@Example.com']);
        expect((await storeOf().expiredBreakGlass(at('10:30:00.000'), 1)).map((s) => s.user)).toEqual(['bob@example.com']);
        const [bob] = await storeOf().expiredBreakGlass(at('10:30:00.000'), 1);
        expect(await storeOf().transaction((tx) => tx.closeExpiredBreakGlass(bob!))).toBe(true);
        expect(await storeOf().transaction((tx) => tx.closeExpiredBreakGlass(bob!))).toBe(false);
        expect((await storeOf().expiredBreakGlass(at('10:30:00.000'), 10)).map((s) => s.user)).toEqual(['Jane@Example.com']);
        // Another session of the same user (other openedAt) is not closed by it.
        expect(await storeOf().transaction((tx) => tx.closeExpiredBreakGlass(session({ openedAt: '2025-03-01T09:00:00.000Z' })))).toBe(false);
        expect(await storeOf().transaction((tx) => tx.closeExpiredBreakGlass(session({ user: 'JANE@example.com' })))).toBe(true);
        expect(await storeOf().expiredBreakGlass(at('13:00:00.000'), 10)).toEqual([session({ user: 'kim@example.com', expiresAt: '2025-03-01T12:00:00.000Z' })]);
      });

      it('activeBreakGlassOf answers activeBreakGlass for each ask, in order, each at its own time, seeing the tx’s writes', async () => {
        await storeOf().transaction(async (tx) => {
          await tx.openBreakGlass(session());
          await tx.openBreakGlass(session({ user: 'bob@example.com', expiresAt: '2025-03-01T10:10:00.000Z' }));
          await tx.openBreakGlass(session({ user: 'lee@example.com' }));
          await tx.closeBreakGlass('lee@example.com', at('10:01:00.000'));
        });
        const asked = [
          { user: 'JANE@example.com', now: at('10:29:59.999') },
          { user: 'bob@example.com', now: at('10:09:00.000') },
          { user: 'bob@example.com', now: at('10:10:00.000') },
          { user: 'lee@example.com', now: at('10:02:00.000') },
          { user: 'nobody@example.com', now: at('10:02:00.000') },
          { user: 'jane@example.com', now: at('10:30:00.000') },
        ];
        const answers = await storeOf().transaction((tx) => tx.activeBreakGlassOf(asked));
        expect(answers).toStrictEqual(await Promise.all(asked.map(({ user, now }) => storeOf().activeBreakGlass(user, now))));
        expect(answers.map((answer) => answer?.user ?? null)).toEqual(['Jane@Example.com', 'bob@example.com', null, null, null, null]);
        expect(await storeOf().transaction((tx) => tx.activeBreakGlassOf([]))).toEqual([]);
        await storeOf().transaction(async (tx) => {
          const again = session({ user: 'lee@example.com', openedAt: '2025-03-01T10:03:00.000Z' });
          await tx.openBreakGlass(again);
          await tx.closeBreakGlass('jane@example.com', at('10:03:00.000'));
          expect(await tx.activeBreakGlassOf([{ user: 'lee@example.com', now: at('10:04:00.000') }, { user: 'jane@example.com', now: at('10:04:00.000') }])).toStrictEqual([again, null]);
        });
      });

      it('the tx sees its own break-glass writes; the store only after commit', async () => {
        await storeOf().transaction(async (tx) => {
          await tx.openBreakGlass(session());
          expect(await tx.activeBreakGlass('jane@example.com', at('10:01:00.000'))).toStrictEqual(session());
          expect(await storeOf().activeBreakGlass('jane@example.com', at('10:01:00.000'))).toBeNull();
          await tx.closeBreakGlass('jane@example.com', at('10:02:00.000'));
          expect(await tx.activeBreakGlass('jane@example.com', at('10:03:00.000'))).toBeNull();
          await tx.openBreakGlass(session({ openedAt: '2025-03-01T10:04:00.000Z' }));
        });
        expect(await storeOf().activeBreakGlass('jane@example.com', at('10:05:00.000'))).toStrictEqual(session({ openedAt: '2025-03-01T10:04:00.000Z' }));
      });
    });
}
