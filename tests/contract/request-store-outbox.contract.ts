/**
 * The RequestStore contract, notification outbox (decision 038): enqueued with the transaction,
 * claimed with a lease, attempts recorded. Run by describeRequestStoreContract on every adapter.
 */
import { describe, expect, it } from 'vitest';
import type { NewOutboxMessage, OutboxOutcome } from '#core/notification-schemas.ts';
import type { RequestStore } from '#core/ports.ts';
import { expectRewindError, makeRequest } from './request-store-fixtures.ts';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function message(overrides: Partial<NewOutboxMessage> = {}): NewOutboxMessage {
  return {
    id: 'ntf-evt-1-ops',
    eventId: 'evt-1',
    requestId: 'rbk-1',
    kind: 'requested',
    channel: 'ops',
    channelType: 'webhook',
    body: '{"id":"ntf-evt-1-ops"}',
    createdAt: T0.toISOString(),
    ...overrides,
  };
}

export function describeRequestStoreOutbox(storeOf: () => RequestStore): void {
  describe('notification outbox', () => {
    const enqueue = (...messages: NewOutboxMessage[]) =>
      storeOf().transaction(async (tx) => {
        for (const m of messages) await tx.enqueueNotification(m);
      });
    const claim = (owner: string, now: Date, limit = 10, leaseMs = 30_000) =>
      storeOf().transaction((tx) => tx.claimNotifications({ owner, now, leaseMs, limit }));

    it('keeps a message only when its transaction commits, and lists it by request as pending', async () => {
      await expect(
        storeOf().transaction(async (tx) => {
          await tx.insertRequest(makeRequest());
          await tx.enqueueNotification(message());
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await storeOf().listNotifications('rbk-1')).toEqual([]);
      await enqueue(message(), message({ id: 'ntf-evt-1-slack', channel: 'slack', channelType: 'slack' }), message({ id: 'ntf-x', requestId: 'rbk-2' }));
      const listed = await storeOf().listNotifications('rbk-1');
      expect(listed.map((m) => m.id)).toEqual(['ntf-evt-1-ops', 'ntf-evt-1-slack']);
      expect(listed[0]).toStrictEqual({ ...message(), status: 'pending', attempts: 0, nextAttemptAt: T0.toISOString(), lastError: null, lastAttemptAt: null });
    });

    it('refuses a second message with the same id (the idempotency key)', async () => {
      await enqueue(message());
      await expectRewindError(enqueue(message()), 'CONFLICT');
      expect(await storeOf().listNotifications('rbk-1')).toHaveLength(1);
    });

    it('claims due messages oldest first, leases them, and gives them to nobody else until the lease ends', async () => {
      await enqueue(message({ id: 'b', createdAt: at(1000).toISOString() }), message({ id: 'a' }), message({ id: 'later', createdAt: at(60_000).toISOString() }));
      expect((await claim('one', at(2000), 1)).map((m) => m.id)).toEqual(['a']);
      expect((await claim('two', at(2000))).map((m) => m.id)).toEqual(['b']);
      expect(await claim('three', at(2000))).toEqual([]);
      // The leases of a dead sender run out: its messages are claimed again.
      expect((await claim('three', at(32_000))).map((m) => m.id).sort()).toEqual(['a', 'b']);
      expect((await claim('four', at(61_000))).map((m) => m.id)).toEqual(['later']);
    });

    it('records delivered, retrying and failed attempts; only the lease holder may, and only once', async () => {
      await enqueue(message({ id: 'ok' }), message({ id: 'retry' }), message({ id: 'bad' }));
      await claim('me', at(0));
      const record = (id: string, owner: string, outcome: OutboxOutcome) =>
        storeOf().transaction((tx) => tx.recordNotificationAttempt(id, owner, outcome));
      expect(await record('ok', 'someone-else', { status: 'delivered', at: at(100) })).toBe(false);
      expect(await record('ok', 'me', { status: 'delivered', at: at(100) })).toBe(true);
      expect(await record('ok', 'me', { status: 'delivered', at: at(200) })).toBe(false);
      expect(await record('retry', 'me', { status: 'pending', at: at(100), error: 'HTTP 500', nextAttemptAt: at(5000) })).toBe(true);
      expect(await record('bad', 'me', { status: 'failed', at: at(100), error: 'HTTP 410' })).toBe(true);
      expect(await record('missing', 'me', { status: 'delivered', at: at(100) })).toBe(false);

      const byId = new Map((await storeOf().listNotifications('rbk-1')).map((m) => [m.id, m]));
      expect(byId.get('ok')).toMatchObject({ status: 'delivered', attempts: 1, lastError: null, lastAttemptAt: at(100).toISOString() });
      expect(byId.get('retry')).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 500', nextAttemptAt: at(5000).toISOString() });
      expect(byId.get('bad')).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 410' });
      // Recording frees the lease; a retry is due at its next attempt, not before.
      expect(await claim('other', at(4000))).toEqual([]);
      expect((await claim('other', at(5000))).map((m) => [m.id, m.attempts])).toEqual([['retry', 1]]);
    });
  
    it('reports the backlog: pending (retrying included) and the oldest pending message', async () => {
      expect(await storeOf().notificationBacklog()).toEqual({ pending: 0, oldestPendingCreatedAt: null });
      await enqueue(message({ id: 'new', createdAt: at(5000).toISOString() }), message({ id: 'old', kind: 'superseded' }), message({ id: 'done', kind: 'closed', createdAt: at(-1000).toISOString() }));
      await claim('me', at(6000));
      await storeOf().transaction(async (tx) => {
        await tx.recordNotificationAttempt('done', 'me', { status: 'delivered', at: at(6100) });
        await tx.recordNotificationAttempt('old', 'me', { status: 'pending', at: at(6100), error: 'HTTP 503', nextAttemptAt: at(9000) });
      });
      expect(await storeOf().notificationBacklog()).toEqual({ pending: 2, oldestPendingCreatedAt: T0.toISOString() });
      expect((await storeOf().listNotifications('rbk-1')).map((m) => m.kind).sort()).toEqual(['closed', 'requested', 'superseded']);
    });

    it('prunes delivered and failed messages settled before the cut-off, oldest first, never pending ones', async () => {
      const DAY = 86_400_000;
      await enqueue(message({ id: 'delivered-old' }), message({ id: 'failed-old' }), message({ id: 'delivered-new' }), message({ id: 'retrying' }), message({ id: 'fresh' }), message({ id: 'other', requestId: 'rbk-2' }));
      await claim('me', at(0));
      const record = (id: string, outcome: OutboxOutcome) => storeOf().transaction((tx) => tx.recordNotificationAttempt(id, 'me', outcome));
      await record('delivered-old', { status: 'delivered', at: at(1 * DAY) });
      await record('failed-old', { status: 'failed', at: at(2 * DAY), error: 'HTTP 410' });
      await record('other', { status: 'delivered', at: at(3 * DAY) });
      await record('delivered-new', { status: 'delivered', at: at(9 * DAY) });
      await record('retrying', { status: 'pending', at: at(1 * DAY), error: 'HTTP 500', nextAttemptAt: at(20 * DAY) });
      const prune = (before: Date, limit = 100) => storeOf().transaction((tx) => tx.pruneNotifications(before, limit));

      // A rolled-back transaction prunes nothing.
      await expect(storeOf().transaction(async (tx) => { await tx.pruneNotifications(at(8 * DAY), 100); throw new Error('boom'); })).rejects.toThrow('boom');
      expect(await storeOf().listNotifications('rbk-1')).toHaveLength(5);
      // Seven days after 8 days in: the two settled on days 1 and 2 (one at a time, oldest first), then day 3's.
      expect(await prune(at(8 * DAY), 1)).toBe(1);
      expect((await storeOf().listNotifications('rbk-1')).map((m) => m.id)).toEqual(['failed-old', 'delivered-new', 'retrying', 'fresh']);
      expect(await prune(at(8 * DAY))).toBe(2);
      expect((await storeOf().listNotifications('rbk-1')).map((m) => m.id)).toEqual(['delivered-new', 'retrying', 'fresh']);
      expect(await storeOf().listNotifications('rbk-2')).toEqual([]);
      expect(await prune(at(8 * DAY))).toBe(0);
      // Pending messages (never tried or retrying) stay however old they are.
      expect(await prune(at(365 * DAY))).toBe(1);
      expect((await storeOf().listNotifications('rbk-1')).map((m) => [m.id, m.status])).toEqual([['retrying', 'pending'], ['fresh', 'pending']]);
      expect(await storeOf().notificationBacklog()).toEqual({ pending: 2, oldestPendingCreatedAt: T0.toISOString() });
    });
  });
}
