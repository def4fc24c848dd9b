/**
 * The RequestStore contract, transaction scopes (decision 052): a scoped transaction writes its own
 * requests, reads anything, appends audit events and notifications, and refuses every other write
 * (nothing of it persists). Run by describeRequestStoreContract on every adapter; what runs at the
 * same time is PostgreSQL's (request-store-scopes.postgres.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { RequestStore, RequestStoreTx } from '#core/ports.ts';
import { requestScope } from '#core/transaction-scope.ts';
import { makeEvent, makeRequest, rejection } from './request-store-fixtures.ts';

const REVIEW = { by: 'bob@example.com', decision: 'approve' as const, comment: '', at: '2025-03-01T10:01:00.000Z', stale: false };
const NOTE = { by: 'bob@example.com', text: 'looking', at: '2025-03-01T10:02:00.000Z' };

export function describeRequestStoreScopes(storeOf: () => RequestStore): void {
  describe('transaction scopes', () => {
    const seed = () =>
      storeOf().transaction(async (tx) => {
        await tx.insertRequest(makeRequest({ id: 'rbk-1' }));
        await tx.insertRequest(makeRequest({ id: 'rbk-2' }));
      });

    it('writes its own requests, reads others, appends audit events and notifications', async () => {
      await seed();
      const other = await storeOf().transaction(async (tx) => {
        const request = (await tx.getRequest('rbk-1'))!;
        await tx.addReview('rbk-1', REVIEW);
        await tx.addNote('rbk-1', NOTE);
        await tx.updateRequest({ ...request, state: 'approved' });
        await tx.appendAudit(makeEvent({ id: 'evt-scoped', requestId: 'rbk-1' }));
        await tx.enqueueNotification({ id: 'ntf-1', eventId: 'evt-scoped', requestId: 'rbk-1', kind: 'approved', channel: 'ops', channelType: 'webhook', body: '{}', createdAt: REVIEW.at });
        return tx.getRequest('rbk-2');
      }, requestScope('rbk-1'));
      expect(other?.id).toBe('rbk-2');
      expect(await storeOf().getRequest('rbk-1')).toMatchObject({ state: 'approved', reviews: [REVIEW], notes: [NOTE] });
      expect((await storeOf().listAudit({}, null, 10)).items.map((e) => e.id)).toEqual(['evt-scoped']);
      expect((await storeOf().listNotifications('rbk-1')).map((m) => m.id)).toEqual(['ntf-1']);
    });

    const outside: [string, (tx: RequestStoreTx) => Promise<unknown>][] = [
      ['updating another request', async (tx) => tx.updateRequest({ ...(await tx.getRequest('rbk-2'))!, state: 'approved' })],
      ['reviewing another request', (tx) => tx.addReview('rbk-2', REVIEW)],
      ['a note on another request', (tx) => tx.addNote('rbk-2', NOTE)],
      ['dismissing the reviews of another request', (tx) => tx.markReviewsStale('rbk-2')],
      ['inserting a request', (tx) => tx.insertRequest(makeRequest({ id: 'rbk-3' }))],
      ['saving an idempotency key', (tx) => tx.saveIdempotencyKey('jane@example.com', 'k', 'rbk-1')],
      ['opening a break-glass session', (tx) => tx.openBreakGlass({ user: 'jane@example.com', justification: 'x', openedAt: REVIEW.at, expiresAt: NOTE.at })],
      ['closing a break-glass session', (tx) => tx.closeBreakGlass('jane@example.com', new Date(NOTE.at))],
      ['claiming notifications', (tx) => tx.claimNotifications({ owner: 'a', now: new Date(NOTE.at), leaseMs: 1000, limit: 1 })],
      ['pruning notifications', (tx) => tx.pruneNotifications(new Date(NOTE.at), 1)],
    ];
    for (const [what, write] of outside) {
      it(`refuses ${what} and keeps nothing the transaction wrote`, async () => {
        await seed();
        const error = (await rejection(
          storeOf().transaction(async (tx) => {
            await tx.addReview('rbk-1', REVIEW);
            await tx.appendAudit(makeEvent({ id: 'evt-lost', requestId: 'rbk-1' }));
            await write(tx);
          }, requestScope('rbk-1')),
        )) as Error;
        expect(error.message).toMatch(/outside this transaction's scope \(requests rbk-1\)/);
        expect((await storeOf().getRequest('rbk-1'))!.reviews).toEqual([]);
        expect(await storeOf().getRequest('rbk-3')).toBeNull();
        expect((await storeOf().listAudit({}, null, 10)).items).toEqual([]);
      });
    }

    it('a scope of several requests writes each of them', async () => {
      await seed();
      await storeOf().transaction(async (tx) => {
        for (const id of ['rbk-2', 'rbk-1']) await tx.updateRequest({ ...(await tx.getRequest(id))!, state: 'completed' });
      }, requestScope('rbk-2', 'rbk-1', 'rbk-2'));
      for (const id of ['rbk-1', 'rbk-2']) expect((await storeOf().getRequest(id))!.state).toBe('completed');
    });

    it('an empty scope is a programming error, not a transaction that may write nothing', async () => {
      const error = (await rejection(storeOf().transaction(async () => 'ran', { requests: [] }))) as Error;
      expect(error.message).toMatch(/at least one request/);
    });
  });
}
