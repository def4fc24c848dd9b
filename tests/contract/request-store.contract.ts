/**
 * The RequestStore contract: every adapter (in-memory for the mock backend, SQL for the server) must
 * pass this suite unchanged, so the API layer behaves identically over either.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RewindError } from '#core/errors.ts';
import type { Page, RequestStore, RequestStoreTx } from '#core/ports.ts';
import type { AuditEvent, BreakGlass, RollbackRequest } from '#core/schemas.ts';

export interface RequestStoreHarness {
  store: RequestStore;
  close(): Promise<void>;
}

const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);
const SHA_C = 'c'.repeat(40);

export function makeRequest(overrides: Partial<RollbackRequest> = {}): RollbackRequest {
  return {
    id: 'rbk-1',
    tenant: 'acme',
    environment: 'production',
    mode: 'service',
    targetSha: SHA_A,
    baseSha: SHA_B,
    service: 'api-gateway',
    justification: 'Bad image tag v2.1.0 causing 500 errors',
    requestedBy: 'jane@example.com',
    createdAt: '2025-03-01T10:00:00.000Z',
    state: 'pending',
    requiredApprovals: 1,
    reviews: [],
    breakGlass: false,
    affectedServices: ['api-gateway'],
    diffHash: 'hash-1',
    notes: [],
    ...overrides,
  };
}

export function makeEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: 'evt-1',
    at: '2025-03-01T10:00:00.000Z',
    actor: 'jane@example.com',
    type: 'rollback.requested',
    tenant: 'acme',
    environment: 'production',
    requestId: 'rbk-1',
    breakGlass: false,
    details: {},
    ...overrides,
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function expectRewindError(promise: Promise<unknown>, code: string, message?: string): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(RewindError);
  expect((error as RewindError).code).toBe(code);
  if (message !== undefined) expect((error as RewindError).message).toBe(message);
}

async function collect<T>(
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
  between?: (pageIndex: number) => Promise<void>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Page<T> = await fetchPage(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
    if (pages > 100) throw new Error('paging does not terminate');
    if (cursor && between) await between(pages);
  } while (cursor);
  return { items, pages };
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export function describeRequestStoreContract(name: string, makeStore: () => Promise<RequestStoreHarness>): void {
  describe(`RequestStore contract: ${name}`, () => {
    let harness: RequestStoreHarness;
    let store: RequestStore;

    beforeEach(async () => {
      harness = await makeStore();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.close();
    });

    const insert = (...requests: RollbackRequest[]) =>
      store.transaction(async (tx) => {
        for (const r of requests) await tx.insertRequest(r);
      });
    const append = (...events: AuditEvent[]) =>
      store.transaction(async (tx) => {
        for (const e of events) await tx.appendAudit(e);
      });

    describe('requests', () => {
      it('stores a request with its reviews and notes and reads it back whole', async () => {
        const request = makeRequest({
          mode: 'field',
          fields: [{ file: 'tenants/acme/production/services/api-gateway/values.yaml', path: ['image', 'tag'] }, { file: 'x.yaml', path: ['list', 0] }],
          reviews: [{ by: 'bob@example.com', decision: 'approve', comment: 'ok', at: '2025-03-01T10:01:00.000Z', stale: false }],
          notes: [{ by: 'jane@example.com', text: 'first', at: '2025-03-01T10:02:00.000Z' }],
          commitSha: SHA_C,
          error: 'push rejected',
          breakGlass: true,
          affectedServices: ['api-gateway', 'worker'],
        });
        await insert(request);
        expect(await store.getRequest('rbk-1')).toStrictEqual(request);
        expect(await store.getRequest('rbk-missing')).toBeNull();
      });

      it('omits absent optional fields rather than returning them as undefined', async () => {
        const { service: _service, ...fullMode } = makeRequest({ mode: 'full' });
        await insert(fullMode);
        const stored = await store.getRequest('rbk-1');
        expect(stored).toStrictEqual(fullMode);
        expect(Object.keys(stored!)).not.toContain('service');
        expect(Object.keys(stored!)).not.toContain('fields');
        expect(Object.keys(stored!)).not.toContain('commitSha');
        expect(Object.keys(stored!)).not.toContain('error');
      });

      it('keeps the timestamp strings exactly as given', async () => {
        await insert(makeRequest({ createdAt: '2025-03-01T12:00:00+02:00' }));
        expect((await store.getRequest('rbk-1'))!.createdAt).toBe('2025-03-01T12:00:00+02:00');
      });

      it('returns copies: changing a returned request changes nothing stored', async () => {
        await insert(makeRequest({ reviews: [{ by: 'bob@example.com', decision: 'approve', comment: '', at: '2025-03-01T10:01:00.000Z', stale: false }] }));
        const first = (await store.getRequest('rbk-1'))!;
        first.state = 'completed';
        first.reviews[0]!.stale = true;
        first.affectedServices.push('other');
        const again = (await store.getRequest('rbk-1'))!;
        expect(again.state).toBe('pending');
        expect(again.reviews[0]!.stale).toBe(false);
        expect(again.affectedServices).toEqual(['api-gateway']);
      });

      it('rejects a second request with the same id', async () => {
        await insert(makeRequest());
        await expectRewindError(insert(makeRequest({ justification: 'again' })), 'CONFLICT');
        expect((await store.getRequest('rbk-1'))!.justification).toBe(makeRequest().justification);
      });

      it('updateRequest changes only the mutable fields, never reviews or notes', async () => {
        await insert(makeRequest());
        await store.transaction(async (tx) => {
          await tx.addReview('rbk-1', { by: 'bob@example.com', decision: 'approve', comment: 'lgtm', at: '2025-03-01T10:05:00.000Z', stale: false });
        });
        const before = (await store.getRequest('rbk-1'))!;
        await store.transaction(async (tx) => {
          await tx.updateRequest({
            ...before,
            state: 'failed',
            baseSha: SHA_C,
            diffHash: 'hash-2',
            commitSha: SHA_A,
            error: 'boom',
            requiredApprovals: 2,
            breakGlass: true,
            affectedServices: ['worker'],
            // Not mutable through updateRequest:
            justification: 'rewritten',
            tenant: 'other',
            requestedBy: 'mallory@example.com',
            createdAt: '2030-01-01T00:00:00.000Z',
            reviews: [],
            notes: [{ by: 'x@example.com', text: 'sneaky', at: '2025-03-01T10:06:00.000Z' }],
          });
        });
        expect(await store.getRequest('rbk-1')).toStrictEqual({
          ...before,
          state: 'failed',
          baseSha: SHA_C,
          diffHash: 'hash-2',
          commitSha: SHA_A,
          error: 'boom',
          requiredApprovals: 2,
          breakGlass: true,
          affectedServices: ['worker'],
        });
      });

      it('updateRequest clears commitSha and error when they are absent', async () => {
        await insert(makeRequest({ state: 'failed', commitSha: SHA_C, error: 'boom' }));
        const { commitSha: _c, error: _e, ...rest } = (await store.getRequest('rbk-1'))!;
        await store.transaction((tx) => tx.updateRequest({ ...rest, state: 'executing' }));
        expect(await store.getRequest('rbk-1')).toStrictEqual({ ...rest, state: 'executing' });
      });

      it('updateRequest, addReview, addNote and markReviewsStale of an unknown request are NOT_FOUND', async () => {
        await expectRewindError(store.transaction((tx) => tx.updateRequest(makeRequest({ id: 'rbk-nope' }))), 'NOT_FOUND');
        await expectRewindError(
          store.transaction((tx) => tx.addReview('rbk-nope', { by: 'b@x', decision: 'approve', comment: '', at: '2025-03-01T10:00:00.000Z', stale: false })),
          'NOT_FOUND',
        );
        await expectRewindError(store.transaction((tx) => tx.addNote('rbk-nope', { by: 'b@x', text: 't', at: '2025-03-01T10:00:00.000Z' })), 'NOT_FOUND');
        await expectRewindError(store.transaction((tx) => tx.markReviewsStale('rbk-nope')), 'NOT_FOUND');
      });

      it('keeps reviews in order of creation and notes in order', async () => {
        await insert(makeRequest(), makeRequest({ id: 'rbk-2' }));
        // Timestamps deliberately out of order: creation order wins.
        const reviews = [
          { by: 'c@example.com', decision: 'approve' as const, comment: '1', at: '2025-03-01T10:09:00.000Z', stale: false },
          { by: 'a@example.com', decision: 'reject' as const, comment: '2', at: '2025-03-01T10:01:00.000Z', stale: false },
          { by: 'b@example.com', decision: 'approve' as const, comment: '3', at: '2025-03-01T10:05:00.000Z', stale: false },
        ];
        const notes = [
          { by: 'x@example.com', text: 'one', at: '2025-03-01T11:00:00.000Z' },
          { by: 'y@example.com', text: 'two', at: '2025-03-01T10:00:00.000Z' },
        ];
        for (const [i, review] of reviews.entries()) {
          await store.transaction(async (tx) => {
            await tx.addReview('rbk-1', review);
            await tx.addNote(i % 2 === 0 ? 'rbk-2' : 'rbk-1', { by: 'z@example.com', text: `interleaved ${i}`, at: review.at });
          });
        }
        for (const note of notes) await store.transaction((tx) => tx.addNote('rbk-1', note));
        const stored = (await store.getRequest('rbk-1'))!;
        expect(stored.reviews).toStrictEqual(reviews);
        expect(stored.notes.map((n) => n.text)).toEqual(['interleaved 1', 'one', 'two']);
        expect((await store.getRequest('rbk-2'))!.reviews).toEqual([]);
        expect((await store.getRequest('rbk-2'))!.notes.map((n) => n.text)).toEqual(['interleaved 0', 'interleaved 2']);
      });

      it('markReviewsStale marks the existing reviews of that request only', async () => {
        const review = { by: 'bob@example.com', decision: 'approve' as const, comment: '', at: '2025-03-01T10:01:00.000Z', stale: false };
        await insert(makeRequest(), makeRequest({ id: 'rbk-2' }));
        await store.transaction(async (tx) => {
          await tx.addReview('rbk-1', review);
          await tx.addReview('rbk-1', { ...review, by: 'carol@example.com' });
          await tx.addReview('rbk-2', review);
        });
        await store.transaction(async (tx) => {
          await tx.markReviewsStale('rbk-1');
          await tx.addReview('rbk-1', { ...review, at: '2025-03-01T10:09:00.000Z' });
        });
        expect((await store.getRequest('rbk-1'))!.reviews.map((r) => [r.by, r.stale])).toEqual([
          ['bob@example.com', true],
          ['carol@example.com', true],
          ['bob@example.com', false],
        ]);
        expect((await store.getRequest('rbk-2'))!.reviews.map((r) => r.stale)).toEqual([false]);
      });
    });

    describe('transactions', () => {
      it('returns what the work returns, and the tx sees its own writes', async () => {
        const result = await store.transaction(async (tx) => {
          await tx.insertRequest(makeRequest());
          await tx.addReview('rbk-1', { by: 'bob@example.com', decision: 'approve', comment: '', at: '2025-03-01T10:01:00.000Z', stale: false });
          return (await tx.getRequest('rbk-1'))!.reviews.length;
        });
        expect(result).toBe(1);
      });

      it('keeps nothing of a transaction whose work throws, and rethrows its error', async () => {
        await insert(makeRequest());
        const failure = new Error('planner exploded');
        const error = await rejection(
          store.transaction(async (tx) => {
            await tx.insertRequest(makeRequest({ id: 'rbk-2' }));
            const r = (await tx.getRequest('rbk-1'))!;
            await tx.updateRequest({ ...r, state: 'approved' });
            await tx.addReview('rbk-1', { by: 'bob@example.com', decision: 'approve', comment: '', at: '2025-03-01T10:01:00.000Z', stale: false });
            await tx.addNote('rbk-1', { by: 'bob@example.com', text: 'n', at: '2025-03-01T10:01:00.000Z' });
            await tx.appendAudit(makeEvent());
            await tx.saveIdempotencyKey('jane@example.com', 'key-1', 'rbk-2');
            await tx.openBreakGlass({ user: 'jane@example.com', justification: 'j', openedAt: '2025-03-01T10:00:00.000Z', expiresAt: '2025-03-01T11:00:00.000Z' });
            await tick();
            throw failure;
          }),
        );
        expect(error).toBe(failure);
        expect(await store.getRequest('rbk-2')).toBeNull();
        expect(await store.getRequest('rbk-1')).toStrictEqual(makeRequest());
        expect((await store.listAudit({}, null, 10)).items).toEqual([]);
        expect(await store.activeBreakGlass('jane@example.com', new Date('2025-03-01T10:30:00.000Z'))).toBeNull();
        expect(await store.transaction((tx) => tx.findByIdempotencyKey('jane@example.com', 'key-1'))).toBeNull();
        // The store carries on normally afterwards.
        await insert(makeRequest({ id: 'rbk-3' }));
        expect(await store.getRequest('rbk-3')).not.toBeNull();
      });

      it('rolls back a transaction that fails on a store error (duplicate) after earlier writes', async () => {
        await insert(makeRequest());
        await expectRewindError(insert(makeRequest({ id: 'rbk-2' }), makeRequest({ id: 'rbk-1' })), 'CONFLICT');
        expect(await store.getRequest('rbk-2')).toBeNull();
      });

      it('serialises concurrent transactions: 50 read-increment-writes give exactly 50', async () => {
        await insert(makeRequest({ requiredApprovals: 0 }));
        const log: string[] = [];
        await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.transaction(async (tx) => {
              log.push(`start ${i}`);
              const current = (await tx.getRequest('rbk-1'))!;
              await tick();
              await tx.updateRequest({ ...current, requiredApprovals: current.requiredApprovals + 1 });
              await tick();
              log.push(`end ${i}`);
            }),
          ),
        );
        expect((await store.getRequest('rbk-1'))!.requiredApprovals).toBe(50);
        // Never interleaved: every start is followed by its own end.
        for (let k = 0; k < log.length; k += 2) {
          expect(log[k]!.replace('start', 'end')).toBe(log[k + 1]);
        }
      });

      it('lets exactly one of two racing approvers take the last quorum slot', async () => {
        await insert(makeRequest({ requiredApprovals: 1 }));
        const approve = (by: string) =>
          store.transaction(async (tx) => {
            const r = (await tx.getRequest('rbk-1'))!;
            await tick();
            if (r.state !== 'pending') return false;
            await tx.addReview('rbk-1', { by, decision: 'approve', comment: '', at: '2025-03-01T10:01:00.000Z', stale: false });
            await tx.updateRequest({ ...r, state: 'approved' });
            return true;
          });
        const results = await Promise.all([approve('bob@example.com'), approve('carol@example.com')]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.getRequest('rbk-1'))!.reviews).toHaveLength(1);
      });

      it('a failed transaction does not stop the ones queued behind it', async () => {
        await insert(makeRequest({ requiredApprovals: 0 }));
        const outcomes = await Promise.allSettled(
          Array.from({ length: 6 }, (_, i) =>
            store.transaction(async (tx) => {
              const r = (await tx.getRequest('rbk-1'))!;
              await tx.updateRequest({ ...r, requiredApprovals: r.requiredApprovals + 1 });
              if (i % 2 === 1) throw new Error(`fail ${i}`);
            }),
          ),
        );
        expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'rejected']);
        expect((await store.getRequest('rbk-1'))!.requiredApprovals).toBe(3);
      });

      for (const outcome of ['commits', 'throws'] as const) {
        it(`reads outside a transaction see committed data only, without waiting (the transaction ${outcome})`, async () => {
          await insert(makeRequest());
          let release!: () => void;
          const gate = new Promise<void>((resolve) => (release = resolve));
          let written!: () => void;
          const wrote = new Promise<void>((resolve) => (written = resolve));
          const running = store.transaction(async (tx) => {
            await tx.updateRequest({ ...(await tx.getRequest('rbk-1'))!, state: 'approved' });
            await tx.appendAudit(makeEvent());
            written();
            await gate;
            if (outcome === 'throws') throw new Error('abandoned');
          });
          const settled = running.catch(() => undefined);
          await wrote;
          // The transaction stays open until `release()`: a read that waited for it would never
          // resolve here (the test times out), however long the read itself takes (a network database).
          const seen = await store.getRequest('rbk-1').then((r) => ({ state: r!.state }));
          const seenAudit = await store.listAudit({}, null, 10).then((p) => ({ count: p.items.length }));
          release();
          await settled;
          // The reads did not wait for the transaction, and saw none of its writes.
          expect(seen).toEqual({ state: 'pending' });
          expect(seenAudit).toEqual({ count: 0 });
          expect((await store.getRequest('rbk-1'))!.state).toBe(outcome === 'commits' ? 'approved' : 'pending');
          expect((await store.listAudit({}, null, 10)).items).toHaveLength(outcome === 'commits' ? 1 : 0);
        }, 30_000);
      }

      it('a tx cannot be used once its transaction has ended', async () => {
        let leaked: RequestStoreTx | undefined;
        await store.transaction(async (tx) => {
          leaked = tx;
        });
        await expect(leaked!.insertRequest(makeRequest())).rejects.toThrow(/transaction ended/);
        expect(await store.getRequest('rbk-1')).toBeNull();
      });
    });

    describe('listRequests', () => {
      it('keeps the roll-forward hints and the incident of a request, and filters by the incident id or link', async () => {
        const hints = [{ kind: 'migration' as const, file: 'a/migrations/1.sql', message: 'The rollback changes a/migrations/1.sql' }];
        await insert(
          makeRequest({ id: 'rbk-a', createdAt: '2025-03-01T10:00:00.000Z', hints, incident: { id: 'INC-7', url: 'https://status.example.com/i/7' } }),
          makeRequest({ id: 'rbk-b', createdAt: '2025-03-01T11:00:00.000Z', incident: { id: 'INC-8' } }),
          makeRequest({ id: 'rbk-c', createdAt: '2025-03-01T12:00:00.000Z', incident: { url: 'https://status.example.com/i/7' } }),
          makeRequest({ id: 'rbk-d', createdAt: '2025-03-01T13:00:00.000Z' }),
        );
        expect((await store.getRequest('rbk-a'))?.hints).toStrictEqual(hints);
        expect((await store.getRequest('rbk-a'))?.incident).toStrictEqual({ id: 'INC-7', url: 'https://status.example.com/i/7' });
        expect(await store.getRequest('rbk-d')).not.toHaveProperty('incident');
        const ids = async (incident: string) => (await store.listRequests({ incident }, null, 10)).items.map((r) => r.id);
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
        const page = await store.listRequests({}, null, 10);
        expect(page.items.map((r) => r.id)).toEqual(['rbk-c', 'rbk-b', 'rbk-d', 'rbk-a', 'rbk-e']);
        expect(page.nextCursor).toBeNull();
      });

      it('returns full requests, reviews and notes included', async () => {
        await insert(makeRequest({ notes: [{ by: 'n@example.com', text: 'hello', at: '2025-03-01T10:00:00.000Z' }] }));
        await store.transaction((tx) =>
          tx.addReview('rbk-1', { by: 'bob@example.com', decision: 'approve', comment: 'c', at: '2025-03-01T10:01:00.000Z', stale: false }),
        );
        const [listed] = (await store.listRequests({}, null, 10)).items;
        expect(listed).toStrictEqual(await store.getRequest('rbk-1'));
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
          (cursor) => store.listRequests({}, cursor, 2),
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
        expect((await store.listRequests({}, null, 4)).items.map((r) => r.id)).toEqual(['rbk-new4', 'rbk-new3', 'rbk-new2', 'rbk-new1']);
      });

      it('has no next cursor when the last page is exactly full', async () => {
        await insert(makeRequest({ id: 'rbk-1' }), makeRequest({ id: 'rbk-2' }), makeRequest({ id: 'rbk-3' }), makeRequest({ id: 'rbk-4' }));
        const first = await store.listRequests({}, null, 2);
        expect(first.nextCursor).not.toBeNull();
        const second = await store.listRequests({}, first.nextCursor, 2);
        expect(second.items.map((r) => r.id)).toEqual(['rbk-2', 'rbk-1']);
        expect(second.nextCursor).toBeNull();
        expect(await store.listRequests({}, null, 10)).toMatchObject({ nextCursor: null });
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
          (await collect((cursor) => store.listRequests(filter, cursor, 2))).items.map((r) => r.id);
        expect(await ids({ state: 'pending' })).toEqual(['rbk-7', 'rbk-5', 'rbk-4', 'rbk-3', 'rbk-1']);
        expect(await ids({ tenant: 'acme' })).toEqual(['rbk-7', 'rbk-5', 'rbk-3', 'rbk-2', 'rbk-1']);
        expect(await ids({ environment: 'staging' })).toEqual(['rbk-6', 'rbk-3']);
        expect(await ids({ state: 'pending', tenant: 'acme', environment: 'production' })).toEqual(['rbk-7', 'rbk-5', 'rbk-1']);
        expect(await ids({ state: 'rejected' })).toEqual([]);
        expect(await ids({})).toHaveLength(7);
      });

      it('rejects a malformed cursor with BAD_REQUEST "invalid cursor"', async () => {
        await insert(makeRequest());
        const audit = await (async () => {
          await append(makeEvent(), makeEvent({ id: 'evt-2' }));
          return (await store.listAudit({}, null, 1)).nextCursor!;
        })();
        for (const cursor of ['', 'garbage', 'r1.', 'r1.!!!', 'r1.bm90IGpzb24', 'r1.WyJ4IiwicmJrLTEiXQ', audit, 'x'.repeat(600)]) {
          await expectRewindError(store.listRequests({}, cursor, 10), 'BAD_REQUEST', 'invalid cursor');
        }
      });

      it('rejects a limit below 1', async () => {
        await expectRewindError(store.listRequests({}, null, 0), 'BAD_REQUEST');
        await expectRewindError(store.listAudit({}, null, 0), 'BAD_REQUEST');
      });
    });

    describe('audit trail', () => {
      it('round-trips events, details included, absent optionals omitted', async () => {
        const full = makeEvent({ breakGlass: true, details: { mode: 'field', fields: [{ file: 'a.yaml', path: ['x', 0] }], n: 3, ok: true, none: null } });
        const bare: AuditEvent = { id: 'evt-2', at: '2025-03-01T10:00:00+01:00', actor: 'sys', type: 'break-glass.opened', breakGlass: false, details: {} };
        await append(full, bare);
        const { items } = await store.listAudit({}, null, 10);
        expect(items).toStrictEqual([bare, full]);
      });

      it('lists newest first in append order, not by timestamp', async () => {
        await append(makeEvent({ id: 'evt-1', at: '2025-03-01T12:00:00.000Z' }), makeEvent({ id: 'evt-2', at: '2025-03-01T09:00:00.000Z' }));
        await append(makeEvent({ id: 'evt-0', at: '2025-03-01T10:00:00.000Z' }));
        expect((await store.listAudit({}, null, 10)).items.map((e) => e.id)).toEqual(['evt-0', 'evt-2', 'evt-1']);
      });

      it('pages without overlap or gaps while events are appended between pages', async () => {
        await append(...Array.from({ length: 7 }, (_, i) => makeEvent({ id: `evt-${i}` })));
        let added = 0;
        const { items, pages } = await collect(
          (cursor) => store.listAudit({}, cursor, 3),
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
          (await collect((cursor) => store.listAudit(filter, cursor, 2))).items.map((e) => e.id);
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
          const { items, pages } = await collect((cursor) => store.listAudit(filter, cursor, limit));
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
        expect(await store.listAudit({ requestId: 'rbk-unknown' }, null, 10)).toEqual({ items: [], nextCursor: null });
      });

      it('pages one request\'s events without overlap or gaps while other requests\' events are appended', async () => {
        await append(...Array.from({ length: 6 }, (_, i) => makeEvent({ id: `evt-${i}`, requestId: i % 2 ? 'rbk-1' : 'rbk-2' })));
        let added = 0;
        const { items } = await collect(
          (cursor) => store.listAudit({ requestId: 'rbk-1' }, cursor, 1),
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
        expect((await store.listAudit({}, null, 10)).items.map((e) => [e.id, e.type])).toEqual([['evt-1', 'rollback.requested']]);
      });

      it('rejects a malformed audit cursor with BAD_REQUEST "invalid cursor"', async () => {
        await insert(makeRequest(), makeRequest({ id: 'rbk-2' }));
        const requestCursor = (await store.listRequests({}, null, 1)).nextCursor!;
        for (const cursor of ['', 'a1.', 'a1.0', 'a1.-1', 'a1.abc', 'a1.1.5', 'a1.99999999999999999999', requestCursor]) {
          await expectRewindError(store.listAudit({}, cursor, 10), 'BAD_REQUEST', 'invalid cursor');
        }
      });
    });

    describe('idempotency keys', () => {
      it('finds the saved request per user and key; users compare case-insensitively', async () => {
        await store.transaction(async (tx) => {
          expect(await tx.findByIdempotencyKey('jane@example.com', 'k1')).toBeNull();
          await tx.saveIdempotencyKey('Jane@Example.com', 'k1', 'rbk-1');
          expect(await tx.findByIdempotencyKey('jane@example.com', 'k1')).toBe('rbk-1');
        });
        await store.transaction(async (tx) => {
          await tx.saveIdempotencyKey('bob@example.com', 'k1', 'rbk-2');
          await tx.saveIdempotencyKey('jane@example.com', 'k2', 'rbk-3');
        });
        await store.transaction(async (tx) => {
          expect(await tx.findByIdempotencyKey('JANE@EXAMPLE.COM', 'k1')).toBe('rbk-1');
          expect(await tx.findByIdempotencyKey('bob@example.com', 'k1')).toBe('rbk-2');
          expect(await tx.findByIdempotencyKey('jane@example.com', 'k2')).toBe('rbk-3');
          expect(await tx.findByIdempotencyKey('jane@example.com', 'K1')).toBeNull();
        });
      });

      it('a key is unique per user: saving it again is a CONFLICT and keeps the first', async () => {
        await store.transaction((tx) => tx.saveIdempotencyKey('jane@example.com', 'k1', 'rbk-1'));
        await expectRewindError(store.transaction((tx) => tx.saveIdempotencyKey('JANE@example.com', 'k1', 'rbk-2')), 'CONFLICT');
        expect(await store.transaction((tx) => tx.findByIdempotencyKey('jane@example.com', 'k1'))).toBe('rbk-1');
      });

      it('two racing submits with one key create one request', async () => {
        const submit = (id: string) =>
          store.transaction(async (tx) => {
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
        expect((await store.listRequests({}, null, 10)).items.map((r) => r.id)).toEqual(['rbk-a']);
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
        await store.transaction((tx) => tx.openBreakGlass(session()));
        expect(await store.activeBreakGlass('jane@example.com', at('10:00:00.000'))).toStrictEqual(session());
        expect(await store.activeBreakGlass('JANE@EXAMPLE.COM', at('10:29:59.999'))).toStrictEqual(session());
        expect(await store.activeBreakGlass('jane@example.com', at('10:30:00.000'))).toBeNull();
        expect(await store.activeBreakGlass('jane@example.com', at('11:00:00.000'))).toBeNull();
        expect(await store.activeBreakGlass('bob@example.com', at('10:10:00.000'))).toBeNull();
      });

      it('compares expiry by instant, whatever the offset', async () => {
        await store.transaction((tx) => tx.openBreakGlass(session({ expiresAt: '2025-03-01T12:30:00+02:00' })));
        expect(await store.activeBreakGlass('jane@example.com', at('10:29:00.000'))).not.toBeNull();
        expect(await store.activeBreakGlass('jane@example.com', at('10:31:00.000'))).toBeNull();
      });

      it('is no longer active once closed (closing is case-insensitive and leaves others alone)', async () => {
        await store.transaction(async (tx) => {
          await tx.openBreakGlass(session());
          await tx.openBreakGlass(session({ user: 'bob@example.com' }));
        });
        await store.transaction((tx) => tx.closeBreakGlass('JANE@example.COM', at('10:05:00.000')));
        expect(await store.activeBreakGlass('jane@example.com', at('10:06:00.000'))).toBeNull();
        expect(await store.activeBreakGlass('bob@example.com', at('10:06:00.000'))).not.toBeNull();
        // Closing when nothing is open is harmless.
        await store.transaction((tx) => tx.closeBreakGlass('jane@example.com', at('10:07:00.000')));
        await store.transaction((tx) => tx.closeBreakGlass('nobody@example.com', at('10:07:00.000')));
      });

      it('opening again replaces the open session; closing then leaves none active', async () => {
        await store.transaction((tx) => tx.openBreakGlass(session()));
        const second = session({ user: 'jane@example.com', justification: 'still down', openedAt: '2025-03-01T10:10:00.000Z', expiresAt: '2025-03-01T11:10:00.000Z' });
        await store.transaction((tx) => tx.openBreakGlass(second));
        expect(await store.activeBreakGlass('jane@example.com', at('10:15:00.000'))).toStrictEqual(second);
        expect(await store.activeBreakGlass('jane@example.com', at('10:45:00.000'))).toStrictEqual(second);
        await store.transaction((tx) => tx.closeBreakGlass('jane@example.com', at('10:20:00.000')));
        expect(await store.activeBreakGlass('jane@example.com', at('10:21:00.000'))).toBeNull();
      });

      it('a session can be opened again after it expired or was closed', async () => {
        await store.transaction((tx) => tx.openBreakGlass(session()));
        await store.transaction((tx) => tx.closeBreakGlass('jane@example.com', at('10:05:00.000')));
        const again = session({ openedAt: '2025-03-01T10:06:00.000Z', expiresAt: '2025-03-01T10:36:00.000Z' });
        await store.transaction((tx) => tx.openBreakGlass(again));
        expect(await store.activeBreakGlass('jane@example.com', at('10:07:00.000'))).toStrictEqual(again);
      });

      it('the tx sees its own break-glass writes; the store only after commit', async () => {
        await store.transaction(async (tx) => {
          await tx.openBreakGlass(session());
          expect(await tx.activeBreakGlass('jane@example.com', at('10:01:00.000'))).toStrictEqual(session());
          expect(await store.activeBreakGlass('jane@example.com', at('10:01:00.000'))).toBeNull();
          await tx.closeBreakGlass('jane@example.com', at('10:02:00.000'));
          expect(await tx.activeBreakGlass('jane@example.com', at('10:03:00.000'))).toBeNull();
          await tx.openBreakGlass(session({ openedAt: '2025-03-01T10:04:00.000Z' }));
        });
        expect(await store.activeBreakGlass('jane@example.com', at('10:05:00.000'))).toStrictEqual(session({ openedAt: '2025-03-01T10:04:00.000Z' }));
      });
    });
  });
}
