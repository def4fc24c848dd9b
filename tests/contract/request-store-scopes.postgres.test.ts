/**
 * Transaction scopes on PostgreSQL (decision 052), with two stores on one database as two replicas:
 * scoped transactions on different requests run at the same time, on one request one at a time, an
 * unscoped one alone, and audit events of concurrent transactions are numbered in commit order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { requestScope } from '#core/transaction-scope.ts';
import { AUDIT_LOCK_KEY } from '#server/sql/transaction-locks.ts';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';
import { usePostgres, type TestDatabase } from '../support/postgres.ts';
import { makeEvent, makeRequest } from './request-store-fixtures.ts';

const postgres = usePostgres();

/** A promise settled from outside, failing after `ms` so that a lock wait never hangs the suite. */
function signal(name: string, ms = 10_000) {
  let fire!: () => void;
  let fired = false;
  const promise = new Promise<void>((resolve, reject) => {
    fire = () => {
      fired = true;
      resolve();
    };
    setTimeout(() => reject(new Error(`${name} did not happen within ${ms} ms`)), ms).unref();
  });
  promise.catch(() => undefined);
  return { fire, promise, get fired() { return fired; } };
}

/** Long enough for a transaction that is not waiting for a lock to have started on a busy machine. */
const WAITING_MS = 400;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!postgres.available)('SqlRequestStore transaction scopes (postgresql)', () => {
  let database: TestDatabase;
  let a: SqlRequestStore;
  let b: SqlRequestStore;

  beforeEach(async () => {
    database = await postgres.createDatabase();
    [a, b] = await Promise.all([SqlRequestStore.openPostgres({ url: database.url }), SqlRequestStore.openPostgres({ url: database.url })]);
    await a.transaction(async (tx) => {
      for (const id of ['rbk-1', 'rbk-2']) await tx.insertRequest(makeRequest({ id, requiredApprovals: 0 }));
    });
  }, 30_000);
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
    await database.drop();
  }, 30_000);

  it('runs scoped transactions on different requests at the same time, on one replica and on two', { timeout: 60_000 }, async () => {
    for (const [first, second] of [[a, a], [a, b]] as const) {
      const one = signal('the first transaction');
      const two = signal('the second transaction');
      await Promise.all([
        first.transaction(async () => {
          one.fire();
          await two.promise;
        }, requestScope('rbk-1')),
        second.transaction(async () => {
          two.fire();
          await one.promise;
        }, requestScope('rbk-2')),
      ]);
    }
  });

  /**
   * `holder` enters a transaction and stays in it; `waiter`'s transaction must not start until it
   * ends (checked after WAITING_MS), then must.
   */
  const expectWaits = async (holder: (work: () => Promise<void>) => Promise<void>, waiter: (work: () => Promise<void>) => Promise<void>) => {
    const release = signal('release');
    const entered = signal('the first transaction');
    const second = signal('the second transaction');
    const first = holder(async () => {
      entered.fire();
      await release.promise;
    });
    await entered.promise;
    const waiting = waiter(async () => second.fire());
    await pause(WAITING_MS);
    expect(second.fired).toBe(false);
    release.fire();
    await Promise.all([first, waiting]);
    expect(second.fired).toBe(true);
  };

  it('runs scoped transactions on one request one at a time, across replicas', { timeout: 60_000 }, async () => {
    await expectWaits((work) => a.transaction(work, requestScope('rbk-1')), (work) => b.transaction(work, requestScope('rbk-2', 'rbk-1')));
  });

  it('runs an unscoped transaction alone: it waits for a scoped one, and a scoped one waits for it', { timeout: 60_000 }, async () => {
    await expectWaits((work) => a.transaction(work, requestScope('rbk-1')), (work) => b.transaction(work));
    await expectWaits((work) => a.transaction(work), (work) => b.transaction(work, requestScope('rbk-2')));
  });

  it('a queue of transactions on one request does not hold the writer connections another request needs', { timeout: 60_000 }, async () => {
    const narrow = await SqlRequestStore.openPostgres({ url: database.url, writerConnections: 2 });
    try {
      const release = signal('release');
      const entered = signal('the first transaction');
      const first = narrow.transaction(async () => {
        entered.fire();
        await release.promise;
      }, requestScope('rbk-1'));
      await entered.promise;
      const queued = Array.from({ length: 5 }, () => narrow.transaction(async () => 'later', requestScope('rbk-1')));
      // Both connections would be taken (one holding, one waiting for rbk-1's lock) without the queue.
      expect(await narrow.transaction(async (tx) => (await tx.getRequest('rbk-2'))!.id, requestScope('rbk-2'))).toBe('rbk-2');
      release.fire();
      await first;
      expect(await Promise.all(queued)).toEqual(Array(5).fill('later'));
    } finally {
      await narrow.close();
    }
  });

  it('starts one replica\'s unscoped transactions in the order asked (an idempotency race is won by the first submit)', { timeout: 60_000 }, async () => {
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        a.transaction(async (tx) => {
          order.push(i);
          await tx.findByIdempotencyKey('jane@example.com', `k${i}`);
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('numbers audit events in commit order: an append goes with its commit, so an open one holds no other up', { timeout: 60_000 }, async () => {
    const release = signal('release');
    const appended = signal('the first append');
    const first = a.transaction(async (tx) => {
      await tx.appendAudit(makeEvent({ id: 'evt-first', requestId: 'rbk-1' }));
      appended.fire();
      await release.promise;
    }, requestScope('rbk-1'));
    await appended.promise;
    // The second commits while the first is still open: its event is numbered first (decision 057).
    await b.transaction((tx) => tx.appendAudit(makeEvent({ id: 'evt-second', requestId: 'rbk-2' })), requestScope('rbk-2'));
    expect((await a.listAudit({}, null, 10)).items.map((e) => e.id)).toEqual(['evt-second']);
    release.fire();
    await first;
    expect((await b.listAudit({}, null, 10)).items.map((e) => e.id)).toEqual(['evt-first', 'evt-second']);
  });

  it('an audit event takes its number behind the audit lock, in its commit\'s round trip', { timeout: 60_000 }, async () => {
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      const sequence = `select last_value, is_called from ${(await holder.query("select pg_get_serial_sequence('audit_events', 'seq') as name")).rows[0].name}`;
      const numbered = async () => (await holder.query(sequence)).rows[0];
      const before = await numbered();
      await holder.query(`select pg_advisory_lock(${AUDIT_LOCK_KEY})`);
      let committed = false;
      const appending = a.transaction((tx) => tx.appendAudit(makeEvent({ id: 'evt-held', requestId: 'rbk-1' })), requestScope('rbk-1')).then(() => (committed = true));
      // Once the commit's round trip waits for the audit lock (however long a busy machine takes to get
      // there): had the insert run before the lock, it would have drawn its number already.
      const waitingForLock = async () => Number((await holder.query("select count(*) as n from pg_locks where locktype = 'advisory' and not granted")).rows[0].n);
      await expect.poll(waitingForLock, { timeout: 10_000, interval: 50 }).toBe(1);
      expect(committed).toBe(false);
      expect(await numbered()).toEqual(before);
      await holder.query(`select pg_advisory_unlock(${AUDIT_LOCK_KEY})`);
      await appending;
      expect((await b.listAudit({}, null, 10)).items.map((e) => e.id)).toEqual(['evt-held']);
    } finally {
      await holder.end();
    }
  });

  it('loses no update: 2 replicas × 25 read-increment-writes on each of two requests', { timeout: 60_000 }, async () => {
    await Promise.all(
      [a, b].flatMap((store) =>
        ['rbk-1', 'rbk-2'].flatMap((id) =>
          Array.from({ length: 25 }, () =>
            store.transaction(async (tx) => {
              const request = (await tx.getRequest(id))!;
              await pause(1);
              await tx.updateRequest({ ...request, requiredApprovals: request.requiredApprovals + 1 });
              await tx.appendAudit(makeEvent({ id: `evt-${id}-${request.requiredApprovals}`, requestId: id }));
            }, requestScope(id)),
          ),
        ),
      ),
    );
    for (const id of ['rbk-1', 'rbk-2']) expect((await a.getRequest(id))!.requiredApprovals).toBe(50);
    expect((await a.listAudit({}, null, 200)).items).toHaveLength(100);
  });
});
