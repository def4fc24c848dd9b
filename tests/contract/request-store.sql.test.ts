import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '#server/sql/database.ts';
import { migrateToLatest, migrationProvider } from '#server/sql/migrations.ts';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';
import { describeRequestStoreContract } from './request-store.contract.ts';
import { makeEvent, makeRequest, rejection } from './request-store-fixtures.ts';

// Real work (SQLite databases on disk) on a busy machine: generous limits, never vitest's 5 s (decision 024).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const root = mkdtempSync(join(tmpdir(), 'rewind-request-store-'));
let counter = 0;
const nextFile = () => join(root, `store-${++counter}`, 'rewind.db');

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describeRequestStoreContract('sql (sqlite file)', async () => {
  const store = await SqlRequestStore.open(nextFile());
  return { store, close: () => store.close() };
});

describe('SqlRequestStore (sqlite only)', () => {
  let file: string;
  let store: SqlRequestStore | null;

  beforeEach(async () => {
    file = nextFile();
    store = await SqlRequestStore.open(file);
  });
  afterEach(async () => {
    await store?.close();
  });

  const reopen = async () => {
    await store!.close();
    store = null;
    store = await SqlRequestStore.open(file);
    return store;
  };

  it('keeps everything across closing and reopening the file', async () => {
    const request = makeRequest({
      mode: 'field',
      fields: [{ file: 'values.yaml', path: ['image', 'tag'] }],
      affectedServices: ['api-gateway', 'worker'],
      notes: [{ by: 'jane@example.com', text: 'created', at: '2025-03-01T10:00:00.000Z' }],
    });
    await store!.transaction(async (tx) => {
      await tx.insertRequest(request);
      await tx.addReview('rbk-1', { by: 'bob@example.com', decision: 'approve', comment: 'ok', at: '2025-03-01T10:01:00.000Z', stale: false });
      await tx.markReviewsStale('rbk-1');
      await tx.addReview('rbk-1', { by: 'carol@example.com', decision: 'reject', comment: 'no', at: '2025-03-01T10:02:00.000Z', stale: false });
      await tx.addNote('rbk-1', { by: 'bob@example.com', text: 'after', at: '2025-03-01T10:03:00.000Z' });
      await tx.appendAudit(makeEvent({ details: { nested: { list: [1, 'two', null] } } }));
      await tx.appendAudit(makeEvent({ id: 'evt-2', type: 'break-glass.opened', breakGlass: true }));
      await tx.saveIdempotencyKey('jane@example.com', 'key-1', 'rbk-1');
      await tx.openBreakGlass({ user: 'Jane@Example.com', justification: 'prod down', openedAt: '2025-03-01T10:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z' });
      await tx.openBreakGlass({ user: 'bob@example.com', justification: 'x', openedAt: '2025-03-01T10:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z' });
      await tx.closeBreakGlass('bob@example.com', new Date('2025-03-01T10:05:00.000Z'));
    });
    const before = {
      request: await store!.getRequest('rbk-1'),
      audit: await store!.listAudit({}, null, 10),
      list: await store!.listRequests({}, null, 10),
    };

    const reopened = await reopen();
    expect(await reopened.getRequest('rbk-1')).toStrictEqual(before.request);
    expect(before.request!.reviews.map((r) => [r.by, r.stale])).toEqual([
      ['bob@example.com', true],
      ['carol@example.com', false],
    ]);
    expect(await reopened.listAudit({}, null, 10)).toStrictEqual(before.audit);
    expect(await reopened.listRequests({}, null, 10)).toStrictEqual(before.list);
    expect(await reopened.transaction((tx) => tx.findByIdempotencyKey('JANE@example.com', 'key-1'))).toBe('rbk-1');
    const now = new Date('2030-01-01T00:00:00.000Z');
    expect(await reopened.activeBreakGlass('jane@example.com', now)).toStrictEqual({
      user: 'Jane@Example.com',
      justification: 'prod down',
      openedAt: '2025-03-01T10:00:00.000Z',
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    expect(await reopened.activeBreakGlass('bob@example.com', now)).toBeNull();

    // Audit order continues from where it was: new events come first.
    await reopened.transaction((tx) => tx.appendAudit(makeEvent({ id: 'evt-3' })));
    expect((await reopened.listAudit({}, null, 10)).items.map((e) => e.id)).toEqual(['evt-3', 'evt-2', 'evt-1']);
    // A cursor taken before the reopen still works after it.
    const page = await reopened.listAudit({}, null, 1);
    expect((await reopened.listAudit({}, page.nextCursor, 10)).items.map((e) => e.id)).toEqual(['evt-2', 'evt-1']);
  });

  it('runs the migrations once: reopening applies none and keeps the data', async () => {
    await store!.transaction((tx) => tx.insertRequest(makeRequest()));
    await store!.close();
    store = null;

    const db = openDatabase(file);
    try {
      expect(await migrateToLatest(db)).toEqual([]);
      expect(await migrateToLatest(db)).toEqual([]);
      const applied = await db
        .selectFrom('kysely_migration' as never)
        .select(sql<string>`name`.as('name'))
        .execute();
      expect(applied).toHaveLength(4);
    } finally {
      await db.destroy();
    }
    store = await SqlRequestStore.open(file);
    await reopen();
    expect(await store.getRequest('rbk-1')).toStrictEqual(makeRequest());
  });

  it('applies the migrations on a new file and creates every table', async () => {
    const fresh = openDatabase(nextFile());
    try {
      expect(await migrateToLatest(fresh)).toEqual(['0001_requests_reviews_notes_audit_break_glass_idempotency', '0002_audit_events_by_request', '0003_request_hints_and_incident', '0004_request_lifecycle']);
      const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' order by name`.execute(fresh);
      expect(tables.rows.map((r) => r.name)).toEqual(
        expect.arrayContaining(['audit_events', 'break_glass_sessions', 'idempotency_keys', 'notes', 'requests', 'reviews']),
      );
      const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(fresh);
      expect(journal.rows[0]?.journal_mode).toBe('wal');
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(fresh);
      expect(fk.rows[0]?.foreign_keys).toBe(1);
    } finally {
      await fresh.destroy();
    }
  });

  it('upgrades a database made before the request index (0001 only): data kept, the index used', async () => {
    const oldFile = nextFile();
    const old = openDatabase(oldFile);
    try {
      const { error } = await new Migrator({ db: old, provider: migrationProvider }).migrateTo('0001_requests_reviews_notes_audit_break_glass_idempotency');
      expect(error).toBeUndefined();
      await old
        .insertInto('audit_events')
        .values({ id: 'evt-1', at: '2025-03-01T10:00:00.000Z', actor: 'a', actor_key: 'a', type: 'rollback.requested', tenant: 'acme', environment: 'production', request_id: 'rbk-1', break_glass: 0, details: '{}' })
        .execute();
    } finally {
      await old.destroy();
    }
    const upgraded = await SqlRequestStore.open(oldFile);
    try {
      expect((await upgraded.listAudit({ requestId: 'rbk-1' }, null, 10)).items.map((e) => e.id)).toEqual(['evt-1']);
    } finally {
      await upgraded.close();
    }
    const db = openDatabase(oldFile, { queryOnly: true });
    try {
      const plan = await sql<{ detail: string }>`explain query plan
        select * from audit_events where request_id = ${'rbk-1'} and seq < ${10} order by seq desc limit 11`.execute(db);
      expect(plan.rows.map((r) => r.detail).join('\n')).toMatch(/USING (COVERING )?INDEX audit_events_by_request/);
    } finally {
      await db.destroy();
    }
  });

  it('the database itself rejects UPDATE and DELETE of audit events', async () => {
    await store!.transaction(async (tx) => {
      await tx.appendAudit(makeEvent());
      await tx.appendAudit(makeEvent({ id: 'evt-2' }));
    });
    const db = openDatabase(file);
    try {
      const update = await rejection(db.updateTable('audit_events').set({ actor: 'mallory@example.com' }).where('id', '=', 'evt-1').execute());
      expect(String(update)).toMatch(/append-only/);
      const remove = await rejection(db.deleteFrom('audit_events').where('id', '=', 'evt-1').execute());
      expect(String(remove)).toMatch(/append-only/);
      const removeAll = await rejection(db.deleteFrom('audit_events').execute());
      expect(String(removeAll)).toMatch(/append-only/);
      // Inserting stays possible.
      await db
        .insertInto('audit_events')
        .values({ id: 'evt-3', at: '2025-03-01T10:00:00.000Z', actor: 'a', actor_key: 'a', type: 't', tenant: null, environment: null, request_id: null, break_glass: 0, details: '{}' })
        .execute();
    } finally {
      await db.destroy();
    }
    expect((await store!.listAudit({}, null, 10)).items.map((e) => [e.id, e.actor])).toEqual([
      ['evt-3', 'a'],
      ['evt-2', 'jane@example.com'],
      ['evt-1', 'jane@example.com'],
    ]);
  });

  it('keeps closed and replaced break-glass sessions as history', async () => {
    const open = (openedAt: string) => ({ user: 'jane@example.com', justification: openedAt, openedAt, expiresAt: '2099-01-01T00:00:00.000Z' });
    await store!.transaction((tx) => tx.openBreakGlass(open('2025-03-01T10:00:00.000Z')));
    await store!.transaction((tx) => tx.openBreakGlass(open('2025-03-01T10:10:00.000Z')));
    await store!.transaction((tx) => tx.closeBreakGlass('jane@example.com', new Date('2025-03-01T10:20:00.000Z')));
    const db = openDatabase(file, { queryOnly: true });
    try {
      const rows = await db.selectFrom('break_glass_sessions').select(['opened_at', 'closed_at']).orderBy('seq').execute();
      expect(rows).toEqual([
        { opened_at: '2025-03-01T10:00:00.000Z', closed_at: '2025-03-01T10:10:00.000Z' },
        { opened_at: '2025-03-01T10:10:00.000Z', closed_at: '2025-03-01T10:20:00.000Z' },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('allows at most one open break-glass session per user in the schema', async () => {
    const db = openDatabase(file);
    try {
      const row = { user_email: 'j@x', user_key: 'j@x', justification: 'j', opened_at: '2025-03-01T10:00:00.000Z', expires_at: '2099-01-01T00:00:00.000Z', closed_at: null };
      await db.insertInto('break_glass_sessions').values(row).execute();
      expect(String(await rejection(db.insertInto('break_glass_sessions').values(row).execute()))).toMatch(/UNIQUE/);
      await db.insertInto('break_glass_sessions').values({ ...row, closed_at: '2025-03-01T10:00:00.000Z' }).execute();
    } finally {
      await db.destroy();
    }
  });

  it('a nested transaction throws instead of waiting forever', async () => {
    const error = await rejection(store!.transaction(() => store!.transaction(async () => 1)));
    expect(String(error)).toMatch(/inside a transaction/);
    // The store is still usable.
    expect(await store!.transaction(async () => 2)).toBe(2);
  });

  it('serialises transactions with real awaits inside them (timers, not just microtasks)', async () => {
    await store!.transaction((tx) => tx.insertRequest(makeRequest({ requiredApprovals: 0 })));
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store!.transaction(async (tx) => {
          const r = (await tx.getRequest('rbk-1'))!;
          await new Promise((resolve) => setTimeout(resolve, 2));
          await tx.updateRequest({ ...r, requiredApprovals: r.requiredApprovals + 1 });
        }),
      ),
    );
    expect((await store!.getRequest('rbk-1'))!.requiredApprovals).toBe(20);
  });

  it('refuses an in-memory database (it needs a file for its reader connection)', async () => {
    await expect(SqlRequestStore.open(':memory:')).rejects.toThrow(/file/);
  });
});
