/**
 * The RequestStore contract: every adapter (in-memory for the mock backend, SQL for the server) must
 * pass this suite unchanged, so the API layer behaves identically over either.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestStore, RequestStoreTx } from '#core/ports.ts';
import type { RollbackRequest } from '#core/schemas.ts';
import { requestScope } from '#core/transaction-scope.ts';

export interface RequestStoreHarness {
  store: RequestStore;
  close(): Promise<void>;
}

import { expectRewindError, makeEvent, makeRequest, rejection, SHA_A, SHA_C, tick } from './request-store-fixtures.ts';
import { describeRequestStoreQueries } from './request-store-queries.contract.ts';
import { describeRequestStoreOutbox } from './request-store-outbox.contract.ts';
import { describeRequestStoreScopes } from './request-store-scopes.contract.ts';

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

      it('keeps the lifecycle links (decision 039): supersedes on insert, state, closedReason and supersededBy on update', async () => {
        await insert(makeRequest({ supersedes: ['rbk-0', 'rbk-00'] }));
        const stored = (await store.getRequest('rbk-1'))!;
        expect(stored.supersedes).toEqual(['rbk-0', 'rbk-00']);
        const superseded = { ...stored, state: 'superseded' as const, supersededBy: 'rbk-2', closedReason: 'Superseded by rbk-2, requested by dana@example.com' };
        await store.transaction((tx) => tx.updateRequest(superseded));
        expect(await store.getRequest('rbk-1')).toStrictEqual(superseded);
        expect((await store.listRequests({ state: 'superseded' }, null, 10)).items.map((r) => r.id)).toEqual(['rbk-1']);
        expect((await store.listRequests({ open: true }, null, 10)).items).toEqual([]);
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

      it('the tx reads back each kind of write it made, in the order made (PostgreSQL reads early and writes late, decision 057)', async () => {
        await insert(makeRequest());
        const seen = await store.transaction(async (tx) => {
          const r = (await tx.getRequest('rbk-1'))!;
          await tx.addReview('rbk-1', { by: 'bob@example.com', decision: 'approve', comment: 'first', at: '2025-03-01T10:01:00.000Z', stale: false });
          await tx.markReviewsStale('rbk-1');
          await tx.addReview('rbk-1', { by: 'carol@example.com', decision: 'approve', comment: 'second', at: '2025-03-01T10:02:00.000Z', stale: false });
          await tx.updateRequest({ ...r, state: 'approved' });
          await tx.addNote('rbk-1', { by: 'bob@example.com', text: 'n', at: '2025-03-01T10:03:00.000Z' });
          await tx.appendAudit(makeEvent());
          return tx.getRequest('rbk-1');
        }, requestScope('rbk-1'));
        expect(seen!.state).toBe('approved');
        expect(seen!.reviews.map((review) => [review.comment, review.stale])).toEqual([
          ['first', true],
          ['second', false],
        ]);
        expect(seen!.notes.map((note) => note.text)).toEqual(['n']);
        expect(await store.getRequest('rbk-1')).toStrictEqual(seen);
        expect((await store.listAudit({}, null, 10)).items.map((event) => event.id)).toEqual(['evt-1']);
      });

      it('an audit event whose id is taken is CONFLICT, and its transaction keeps nothing', async () => {
        await insert(makeRequest());
        await store.transaction((tx) => tx.appendAudit(makeEvent()));
        await expectRewindError(
          store.transaction(async (tx) => {
            const r = (await tx.getRequest('rbk-1'))!;
            await tx.updateRequest({ ...r, state: 'approved' });
            await tx.addNote('rbk-1', { by: 'bob@example.com', text: 'n', at: '2025-03-01T10:03:00.000Z' });
            await tx.appendAudit(makeEvent({ type: 'rollback.approved' }));
          }),
          'CONFLICT',
        );
        expect(await store.getRequest('rbk-1')).toStrictEqual(makeRequest());
        expect((await store.listAudit({}, null, 10)).items.map((event) => event.type)).toEqual(['rollback.requested']);
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


    describeRequestStoreQueries(() => store);
    describeRequestStoreOutbox(() => store);
    describeRequestStoreScopes(() => store);
  });
}
