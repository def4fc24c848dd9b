/**
 * The outbox sender against a local webhook receiver (decision 038), over the real SQLite store:
 * delivery with a valid signature, retries after 500s and after timeouts, permanent failure, the
 * audit events of the outcome, and duplicates (a sender dying after the send) suppressed by the key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SequentialIds, StaticTargetCatalog, StaticUserDirectory, systemClock } from '#core/basic-adapters.ts';
import { withNotificationOutbox } from '#core/notification-outbox.ts';
import { verifySignature } from '#core/notification-signing.ts';
import type { RequestStore } from '#core/ports.ts';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';
import { makeEvent, makeRequest } from '../../tests/contract/request-store-fixtures.ts';
import { startWebhookReceiver, type Answer, type WebhookReceiver } from '../../tests/support/webhook-receiver.ts';
import { NotificationSender } from './notification-sender.ts';
import type { ResolvedChannel } from './notify-config.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const SECRET = 'whsec-test';
const root = mkdtempSync(join(tmpdir(), 'rewind-notify-'));
let counter = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('NotificationSender with a local receiver', () => {
  let sql: SqlRequestStore;
  let store: RequestStore;
  let receiver: WebhookReceiver | null = null;
  const senders: NotificationSender[] = [];

  beforeEach(async () => {
    sql = await SqlRequestStore.open(join(root, `db-${++counter}`, 'rewind.db'));
    store = withNotificationOutbox(sql, {
      routing: { baseUrl: 'https://rewind.example.com', channels: [{ name: 'ops', type: 'webhook' }] },
      users: new StaticUserDirectory([{ email: 'dana@example.com', name: 'Dana', roles: ['approver'] }]),
      catalog: new StaticTargetCatalog([]),
      clock: systemClock,
    });
  });
  afterEach(async () => {
    for (const sender of senders.splice(0)) await sender.stop();
    await receiver?.close();
    await sql.close();
  });

  async function setUp(answer: Answer, overrides: { timeoutMs?: number; maxAttempts?: number } = {}) {
    receiver = await startWebhookReceiver(answer);
    const channels = new Map<string, ResolvedChannel>([['ops', { name: 'ops', type: 'webhook', url: receiver.url, secret: SECRET }]]);
    const make = () => {
      const sender = new NotificationSender({ store: sql, channels, clock: systemClock, ids: new SequentialIds(), timeoutMs: overrides.timeoutMs ?? 2000, maxAttempts: overrides.maxAttempts ?? 5, baseDelayMs: 20, maxDelayMs: 100, pollMs: 20 });
      senders.push(sender);
      return sender;
    };
    // The state change: a request that waits for review, and its audit event (which enqueues).
    await store.transaction(async (tx) => {
      await tx.insertRequest(makeRequest());
      await tx.appendAudit(makeEvent({ at: new Date().toISOString(), details: { state: 'pending' } }));
    });
    return { receiver, make };
  }

  const notifications = () => sql.listNotifications('rbk-1');
  const auditTypes = async () => (await sql.listAudit({ requestId: 'rbk-1' }, null, 50)).items.map((e) => e.type);

  it('delivers once with the idempotency key and a signature the receiver verifies; the trail records it', async () => {
    const { receiver, make } = await setUp(() => ({ status: 200 }));
    make().start();
    await receiver.waitFor(1, 20_000);
    const [attempt] = receiver.accepted;
    expect(attempt!.delivery).toBe('ntf-evt-1-ops');
    expect(attempt!.headers['idempotency-key']).toBe('ntf-evt-1-ops');
    expect(await verifySignature(SECRET, attempt!.body, String(attempt!.headers['x-rewind-signature']), new Date())).toEqual({ ok: true });
    expect(await verifySignature('wrong', attempt!.body, String(attempt!.headers['x-rewind-signature']), new Date())).toMatchObject({ ok: false });
    const body = JSON.parse(attempt!.body);
    expect(body).toMatchObject({ id: 'ntf-evt-1-ops', kind: 'requested', approvers: ['dana@example.com'], request: { id: 'rbk-1', url: 'https://rewind.example.com/rollbacks/rbk-1' } });
    await vi.waitFor(async () => expect((await notifications())[0]).toMatchObject({ status: 'delivered', attempts: 1 }), { timeout: 10_000 });
    expect(await auditTypes()).toEqual(['notification.delivered', 'rollback.requested']);
    expect(receiver.attempts).toHaveLength(1);
  });

  it('retries after 500s and after a timeout, with the same id and body, then delivers', async () => {
    const { receiver, make } = await setUp((_, i) => (i === 0 ? { status: 500 } : i === 1 ? { status: 200, delayMs: 800 } : { status: 200 }), { timeoutMs: 300 });
    make().start();
    await receiver.waitFor(1, 20_000);
    await vi.waitFor(async () => expect((await notifications())[0]).toMatchObject({ status: 'delivered' }), { timeout: 10_000 });
    const [message] = await notifications();
    // Attempt 2 timed out on the sender's side: the receiver's late 200 (accepted) and attempt 3 carry one id.
    expect(message!.attempts).toBe(3);
    expect(receiver.attempts.map((a) => a.delivery)).toEqual(['ntf-evt-1-ops', 'ntf-evt-1-ops', 'ntf-evt-1-ops']);
    expect(new Set(receiver.attempts.map((a) => a.body)).size).toBe(1);
    // The late answer to the timed-out attempt arrives after the retry: the receiver drops it.
    await vi.waitFor(() => expect(receiver.duplicates).toBe(1), { timeout: 5000 });
    expect(receiver.accepted).toHaveLength(1);
  });

  it('gives up after maxAttempts as failed, visible with its last error and in the trail', async () => {
    const { receiver, make } = await setUp(() => ({ status: 503 }), { maxAttempts: 3 });
    make().start();
    await vi.waitFor(async () => expect((await notifications())[0]).toMatchObject({ status: 'failed', attempts: 3, lastError: 'HTTP 503' }), { timeout: 20_000 });
    expect(receiver.attempts).toHaveLength(3);
    expect(await auditTypes()).toEqual(['notification.failed', 'rollback.requested']);
  });

  it('does not retry a permanent refusal (410: the hook was revoked)', async () => {
    const { receiver, make } = await setUp(() => ({ status: 410 }));
    await make().runOnce();
    expect((await notifications())[0]).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 410' });
    expect(receiver.attempts).toHaveLength(1);
  });

  it('a sender that dies after the send: another sends again after the lease, the receiver drops the duplicate', async () => {
    const { receiver, make } = await setUp(() => ({ status: 200 }));
    // The first sender claims and POSTs but never records (it "died"): simulate by claiming with a short lease and POSTing by hand.
    const [claimed] = await sql.transaction((tx) => tx.claimNotifications({ owner: 'dead', now: new Date(), leaseMs: 200, limit: 1 }));
    await fetch(receiver.url, { method: 'POST', headers: { 'x-rewind-delivery': claimed!.id }, body: claimed!.body });
    expect(await make().runOnce()).toBe(0); // leased: nobody else sends it meanwhile
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await make().runOnce()).toBe(1);
    expect(receiver.attempts).toHaveLength(2);
    expect(receiver.accepted).toHaveLength(1);
    expect(receiver.duplicates).toBe(1);
    expect((await notifications())[0]).toMatchObject({ status: 'delivered' });
  });

  it('removes delivered and failed messages past the retention (the trail keeps the outcome), at start and then periodically', async () => {
    const { make } = await setUp(() => ({ status: 200 }));
    await make().runOnce();
    expect((await notifications())[0]).toMatchObject({ status: 'delivered' });
    // One more message that stays pending (its channel answers nothing yet).
    await store.transaction(async (tx) => tx.appendAudit(makeEvent({ id: 'evt-2', at: new Date().toISOString(), type: 'rollback.executed' })));
    const logs: Record<string, unknown>[] = [];
    let now = Date.now();
    const clock = { now: () => new Date(now) };
    const sender = new NotificationSender({ store: sql, channels: new Map(), clock, ids: new SequentialIds(), log: (e) => logs.push(e), retentionMs: 60_000, pruneEveryMs: 10_000, pollMs: 5 });
    senders.push(sender);
    expect(await sender.prune()).toBe(0); // delivered just now: kept
    now += 61_000;
    expect(await sender.prune()).toBe(1);
    expect((await notifications()).map((m) => [m.kind, m.status])).toEqual([['executed', 'pending']]);
    expect(await auditTypes()).toContain('notification.delivered');
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'notification outbox: removed settled messages past retention', removed: 1 }));
    expect(await sql.notificationBacklog()).toMatchObject({ pending: 1 });
  });

  it('prunes from its loop: at start, then not again before pruneEveryMs', async () => {
    const pruned: Date[] = [];
    const spy = Object.create(sql) as RequestStore;
    spy.transaction = (work) =>
      sql.transaction((tx) => {
        const watched = new Proxy(tx, {
          get: (target, property) =>
            property === 'pruneNotifications'
              ? (before: Date, limit: number) => (pruned.push(before), target.pruneNotifications(before, limit))
              : (Reflect.get(target, property, target) as (...args: unknown[]) => unknown).bind(target),
        });
        return work(watched);
      });
    let now = Date.parse('2030-01-01T00:00:00Z');
    const sender = new NotificationSender({ store: spy, channels: new Map(), clock: { now: () => new Date(now) }, ids: new SequentialIds(), retentionMs: 1000, pruneEveryMs: 60_000, pollMs: 5 });
    senders.push(sender);
    sender.start();
    await vi.waitFor(() => expect(pruned).toHaveLength(1), { timeout: 5000 });
    expect(pruned[0]!.toISOString()).toBe('2029-12-31T23:59:59.000Z');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pruned).toHaveLength(1);
    now += 60_000;
    await vi.waitFor(() => expect(pruned).toHaveLength(2), { timeout: 5000 });
  });
});
