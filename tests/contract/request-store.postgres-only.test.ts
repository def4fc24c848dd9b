/**
 * What the contract cannot see on PostgreSQL: several stores (replicas) on one database, the schema
 * the migrations make, and the database enforcing the append-only audit trail.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { requestScope } from '#core/transaction-scope.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, migrationProviderFor } from '#server/sql/migrations.ts';
import { openPostgres, redactUrl } from '#server/sql/postgres.ts';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';
import { usePostgres, type TestDatabase } from '../support/postgres.ts';
import { makeEvent, makeRequest, rejection } from './request-store-fixtures.ts';
import { FixedClock, SequentialIds } from '#core/basic-adapters.ts';
import { closeExpiredBreakGlass } from '#core/break-glass-expiry.ts';

const postgres = usePostgres();

/**
 * Every statement text the pg driver is asked to send while `counting.on`, in order: one call, one
 * round trip. Installed before a store connects (a connection binds its query method then, for
 * queryTimeoutMs); `restore` puts the driver back.
 */
function watchStatements() {
  const sent: string[] = [];
  const counting = { on: false };
  const real = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (counting.on && typeof args[0] === 'string') sent.push(args[0]);
    return (real as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof real;
  return { sent, counting, restore: () => void (pg.Client.prototype.query = real) };
}

describe.skipIf(!postgres.available)('SqlRequestStore (postgresql only)', () => {
  let database: TestDatabase;
  let stores: SqlRequestStore[];

  beforeEach(async () => {
    database = await postgres.createDatabase();
    stores = [];
  }, 30_000);
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await database.drop();
  }, 30_000);

  const open = async () => {
    const store = await SqlRequestStore.openPostgres({ url: database.url });
    stores.push(store);
    return store;
  };

  it('serialises transactions of several replicas: 3 stores × 20 read-modify-writes lose none', { timeout: 60_000 }, async () => {
    const replicas = await Promise.all([open(), open(), open()]);
    await replicas[0]!.transaction((tx) => tx.insertRequest(makeRequest({ requiredApprovals: 0 })));
    await Promise.all(
      replicas.flatMap((store) =>
        Array.from({ length: 20 }, () =>
          store.transaction(async (tx) => {
            const r = (await tx.getRequest('rbk-1'))!;
            await new Promise((resolve) => setTimeout(resolve, 1));
            await tx.updateRequest({ ...r, requiredApprovals: r.requiredApprovals + 1 });
          }),
        ),
      ),
    );
    for (const store of replicas) expect((await store.getRequest('rbk-1'))!.requiredApprovals).toBe(60);
  });

  it('a break-glass session that ran out, seen by 3 replicas at once, is ended in the audit trail once (decision 046)', { timeout: 60_000 }, async () => {
    const replicas = await Promise.all([open(), open(), open()]);
    await replicas[0]!.transaction((tx) =>
      tx.openBreakGlass({ user: 'jane@example.com', justification: 'prod down', openedAt: '2025-03-01T10:00:00.000Z', expiresAt: '2025-03-01T10:30:00.000Z' }),
    );
    const clock = new FixedClock(new Date('2025-03-01T10:31:00.000Z'));
    const ended = await Promise.all(
      replicas.flatMap((store, i) => Array.from({ length: 3 }, (_, j) => closeExpiredBreakGlass({ requests: store, clock, ids: { next: (p) => `${p}${i}-${j}-${new SequentialIds().next('')}` } }))),
    );
    expect(ended.reduce((a, b) => a + b, 0)).toBe(1);
    const events = (await replicas[1]!.listAudit({ type: 'break-glass.closed' }, null, 10)).items;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ at: '2025-03-01T10:30:00.000Z', details: { reason: 'expired' } });
  });

  it('one idempotency key racing on two replicas makes one request, and both answer it', { timeout: 60_000 }, async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const results = await Promise.allSettled(
      [a!, b!].map((store, i) =>
        store.transaction(async (tx) => {
          const existing = await tx.findByIdempotencyKey('jane@example.com', 'k');
          if (existing) return existing;
          await tx.insertRequest(makeRequest({ id: `rbk-${i}` }));
          await tx.saveIdempotencyKey('Jane@example.com', 'k', `rbk-${i}`);
          return `rbk-${i}`;
        }),
      ),
    );
    const values = results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'));
    expect(values[0]).toBe(values[1]);
    expect((await a!.listRequests({}, null, 10)).items).toHaveLength(1);
  });

  it('replicas starting at once on an empty database migrate it once', { timeout: 60_000 }, async () => {
    const replicas = await Promise.all([open(), open(), open()]);
    const db = openPostgres({ url: database.url });
    try {
      const applied = await db.selectFrom('kysely_migration' as never).select(sql<string>`name`.as('name')).execute();
      // Each migration applied exactly once, whichever replica got there first.
      const all = Object.keys(await migrationProviderFor('postgres').getMigrations()).sort();
      expect(all.length).toBeGreaterThanOrEqual(3);
      expect(applied.map((r) => r.name).sort()).toEqual(all);
      expect(await migrateToLatest(db, 'postgres')).toEqual([]);
      await replicas[0]!.transaction((tx) => tx.insertRequest(makeRequest()));
      expect(await replicas[2]!.getRequest('rbk-1')).toStrictEqual(makeRequest());
    } finally {
      await db.destroy();
    }
  });

  it('orders ids by bytes whatever the database locale (as SQLite and the in-memory store)', { timeout: 60_000 }, async () => {
    const store = await open();
    const ids = ['rbk-B', 'rbk-a', 'rbk-_', 'rbk-Z', 'rbk-1'];
    await store.transaction(async (tx) => {
      for (const id of ids) await tx.insertRequest(makeRequest({ id }));
    });
    const listed = (await store.listRequests({}, null, 10)).items.map((r) => r.id);
    expect(listed).toEqual([...ids].sort().reverse());
    const db = openPostgres({ url: database.url });
    try {
      const columns = await sql<{ column_name: string; collation_name: string | null }>`
        select column_name, collation_name from information_schema.columns
        where table_name = 'requests' and column_name in ('id', 'created_key') order by column_name`.execute(db);
      expect(columns.rows).toEqual([
        { column_name: 'created_key', collation_name: 'C' },
        { column_name: 'id', collation_name: 'C' },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('the database itself rejects UPDATE, DELETE and TRUNCATE of audit events', { timeout: 60_000 }, async () => {
    const store = await open();
    await store.transaction(async (tx) => {
      await tx.appendAudit(makeEvent());
      await tx.appendAudit(makeEvent({ id: 'evt-2' }));
    });
    const db = openPostgres({ url: database.url });
    try {
      expect(String(await rejection(db.updateTable('audit_events').set({ actor: 'mallory@example.com' }).where('id', '=', 'evt-1').execute()))).toMatch(/append-only/);
      expect(String(await rejection(db.deleteFrom('audit_events').execute()))).toMatch(/append-only/);
      expect(String(await rejection(sql`truncate audit_events`.execute(db)))).toMatch(/append-only/);
    } finally {
      await db.destroy();
    }
    expect((await store.listAudit({}, null, 10)).items.map((e) => e.id)).toEqual(['evt-2', 'evt-1']);
  });

  it('a review\'s transaction is three round trips: begin, locks and the request; the session; its writes with the commit (decision 057)', { timeout: 60_000 }, async () => {
    const { sent, counting, restore } = watchStatements();
    try {
      const store = await open();
      await store.transaction((tx) => tx.insertRequest(makeRequest({ requiredApprovals: 1 })));
      counting.on = true;
      await store.transaction(async (tx) => {
        const request = (await tx.getRequest('rbk-1'))!;
        await tx.activeBreakGlass('bob@example.com', new Date('2025-03-01T10:01:00.000Z'));
        await tx.addReview('rbk-1', { by: 'bob@example.com', decision: 'approve', comment: 'ok', at: '2025-03-01T10:01:00.000Z', stale: false });
        await tx.updateRequest({ ...request, state: 'approved' });
        await tx.appendAudit(makeEvent({ type: 'rollback.reviewed' }));
      }, requestScope('rbk-1'));
      counting.on = false;
    } finally {
      restore();
    }
    expect(sent.map((text) => text.split(/\s+/, 1)[0])).toEqual(['begin;', 'select', 'insert']);
    expect(sent[0]).toMatch(/^begin; select pg_advisory_xact_lock_shared\(\d+\); select pg_advisory_xact_lock\(\d+, -?\d+\); select "requests"\.\*.* where "id" = 'rbk-1'$/s);
    expect(sent[2]).toMatch(/^insert into "reviews".*;\nupdate "requests".*;\nselect pg_advisory_xact_lock\(\d+\);\ninsert into "audit_events".*;\ncommit$/s);
    const stored = (await stores[0]!.getRequest('rbk-1'))!;
    expect([stored.state, stored.reviews.map((review) => review.comment)]).toEqual(['approved', ['ok']]);
  });

  it('reads of requests that queue for the reader pool share one statement, each answered as if read alone (decision 058)', { timeout: 60_000 }, async () => {
    const { sent, counting, restore } = watchStatements();
    try {
      // One reader connection: the first read goes alone, the others queue behind it.
      const store = await SqlRequestStore.openPostgres({ url: database.url, readerConnections: 1 });
      stores.push(store);
      const ids = Array.from({ length: 8 }, (_, i) => `rbk-${i + 1}`);
      for (const [i, id] of ids.entries()) {
        await store.transaction(async (tx) => {
          await tx.insertRequest(makeRequest({ id, justification: `request ${i + 1}` }));
          for (let r = 0; r < i % 3; r++) await tx.addReview(id, { by: `approver-${r}@example.com`, decision: 'approve', comment: `${id} review ${r}`, at: '2025-03-01T10:01:00.000Z', stale: false });
          await tx.addNote(id, { by: 'jane@example.com', text: `note on ${id}`, at: '2025-03-01T10:02:00.000Z' });
        });
      }
      const alone = new Map<string, unknown>();
      for (const id of ids) alone.set(id, await store.getRequest(id));
      counting.on = true;
      const asked = [...Array.from({ length: 40 }, (_, i) => ids[i % ids.length]!), 'rbk-missing'];
      const read = await Promise.all(asked.map((id) => store.getRequest(id)));
      counting.on = false;
      expect(read.map((request, i) => (asked[i] === 'rbk-missing' ? request : request === null ? 'null' : JSON.stringify(request) === JSON.stringify(alone.get(asked[i]!))))).toEqual([...Array.from({ length: 40 }, () => true), null]);
      // Each caller has a request of its own: changing one changes no other.
      read[0]!.reviews.push({ by: 'x@example.com', decision: 'reject', comment: '', at: '', stale: false });
      expect(read[8]!.reviews).toHaveLength(read[0]!.reviews.length - 1);
      const selects = sent.filter((text) => text.startsWith('select'));
      expect(selects).toHaveLength(2);
      expect(selects[0]).toMatch(/where "id" in \(\$1\)$/);
      expect(selects[1]).toMatch(/where "id" in \((\$\d+, ){8}\$\d+\)$/);

      // A read asked after a commit sees it, also when it waits behind a read sent before the commit.
      const before = store.getRequest('rbk-1');
      await store.transaction((tx) => tx.insertRequest(makeRequest({ id: 'rbk-9' })));
      const after = store.getRequest('rbk-9');
      expect((await before)?.id).toBe('rbk-1');
      expect((await after)?.id).toBe('rbk-9');
    } finally {
      restore();
    }
  });

  it('a page of requests is one statement, reviews and notes included, each as read alone', { timeout: 60_000 }, async () => {
    const store = await open();
    const ids = Array.from({ length: 5 }, (_, i) => `rbk-${i + 1}`);
    for (const [i, id] of ids.entries()) {
      await store.transaction(async (tx) => {
        await tx.insertRequest(makeRequest({ id, createdAt: `2025-03-01T10:0${i}:00.000Z` }));
        for (let r = 0; r < i % 3; r++) await tx.addReview(id, { by: `approver-${r}@example.com`, decision: 'approve', comment: `${id} review ${r}`, at: '2025-03-01T10:01:00.000Z', stale: false });
        await tx.addNote(id, { by: 'jane@example.com', text: `note on ${id}`, at: '2025-03-01T10:02:00.000Z' });
      });
    }
    const { sent, counting, restore } = watchStatements();
    let pages;
    try {
      counting.on = true;
      const first = await store.listRequests({}, null, 3);
      const second = await store.listRequests({}, first.nextCursor, 3);
      counting.on = false;
      pages = [first, second];
    } finally {
      restore();
    }
    expect(sent).toHaveLength(2);
    expect(sent.every((text) => text.startsWith('select'))).toBe(true);
    expect(pages.map((page) => page.items.map((r) => r.id))).toEqual([['rbk-5', 'rbk-4', 'rbk-3'], ['rbk-2', 'rbk-1']]);
    expect(pages[1]!.nextCursor).toBeNull();
    for (const item of pages.flatMap((page) => page.items)) expect(item).toStrictEqual(await store.getRequest(item.id));
    expect(pages[0]!.items.map((r) => [r.reviews.map((review) => review.comment), r.notes.map((note) => note.text)])).toEqual([
      [['rbk-5 review 0'], ['note on rbk-5']],
      [[], ['note on rbk-4']],
      [['rbk-3 review 0', 'rbk-3 review 1'], ['note on rbk-3']],
    ]);
  });

  it('a database that cannot be reached is a clear error, and the URL is logged without its password', { timeout: 60_000 }, async () => {
    const url = new URL(postgres.serverUrl());
    url.port = '1';
    url.password = 's3cret';
    const error = await rejection(SqlRequestStore.openPostgres({ url: url.toString() }));
    expect(String(error)).toMatch(/ECONNREFUSED|connect/);
    expect(redactUrl(url.toString())).not.toContain('s3cret');
    expect(redactUrl(url.toString())).toContain('***');
  });
});
