import { describe, expect, it } from 'vitest';
import { unavailable } from '#core/errors.ts';
import { InProcessCommitLock } from '#core/in-process-commit-lock.ts';
import { PostgresCommitLock } from '#server/sql/postgres-commit-lock.ts';
import { usePostgres } from '../support/postgres.ts';
import { describeCommitLockContract } from './commit-lock.contract.ts';

describeCommitLockContract('in-process', async () => {
  const lock = new InProcessCommitLock();
  return { a: lock, b: lock, close: async () => {} };
});

const pg = usePostgres();

describe.skipIf(!pg.available)('PostgreSQL advisory locks', () => {
  describeCommitLockContract('postgresql (two replicas)', async () => {
    const url = pg.serverUrl();
    const a = new PostgresCommitLock({ url, name: 'repo#main' });
    const b = new PostgresCommitLock({ url, name: 'repo#main' });
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  });

  it('waiting for a busy pool is queueing, not a connect timeout', { timeout: 60_000 }, async () => {
    // One connection, a 100 ms connect timeout, and commit locks that each hold it 300 ms: pg's own
    // pool would fail the waiting ones with "timeout exceeded when trying to connect".
    const lock = new PostgresCommitLock({ url: pg.serverUrl(), name: 'repo#main', max: 1, connectTimeoutMs: 100 });
    try {
      const held = (id: string) => lock.withCommitLock(() => new Promise<string>((resolve) => setTimeout(() => resolve(id), 300)));
      expect(await Promise.all([held('rbk-1'), held('rbk-2'), held('rbk-3')])).toEqual(['rbk-1', 'rbk-2', 'rbk-3']);
    } finally {
      await lock.close();
    }
  });

  it('holds many leases at once on few connections, each exclusive across replicas and within one (decision 052)', { timeout: 60_000 }, async () => {
    const url = pg.serverUrl();
    const a = new PostgresCommitLock({ url, name: 'repo#main', max: 1, applicationName: 'rewind-many' });
    const b = new PostgresCommitLock({ url, name: 'repo#main', max: 1 });
    try {
      const ids = Array.from({ length: 40 }, (_, i) => `rbk-${i}`);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let inside = 0;
      let allInside!: () => void;
      const everyoneIn = new Promise<void>((resolve) => (allInside = resolve));
      // 40 executions inside their leases at the same time, on a replica with one commit-lock connection.
      const held = ids.map((id) =>
        a.withExecutionLease(id, async () => {
          if (++inside === ids.length) allInside();
          await gate;
          return id;
        }),
      );
      await everyoneIn;
      const admin = new (await import('pg')).default.Client({ connectionString: url });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ n: string }>(`select count(*) as n from pg_stat_activity where application_name like 'rewind-many (%'`);
        expect(Number(rows[0]!.n)).toBeLessThanOrEqual(3);
      } finally {
        await admin.end();
      }
      // Busy for the other replica, and for a second lease of the same request here.
      expect(await b.tryExecutionLease('rbk-7', async () => 'twice')).toEqual({ acquired: false });
      expect(await a.tryExecutionLease('rbk-7', async () => 'twice')).toEqual({ acquired: false });
      let waited = false;
      const waiting = b.withExecutionLease('rbk-3', async () => (waited = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(waited).toBe(false);
      release();
      expect(await Promise.all(held)).toEqual(ids);
      await waiting;
      expect(waited).toBe(true);
      expect(await b.tryExecutionLease('rbk-7', async () => 'free')).toEqual({ acquired: true, value: 'free' });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a replica that dies mid-execution releases its lease with its connection', { timeout: 60_000 }, async () => {
    const url = pg.serverUrl();
    const dying = new PostgresCommitLock({ url, name: 'repo#main', applicationName: 'rewind-dying' });
    const survivor = new PostgresCommitLock({ url, name: 'repo#main' });
    try {
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const orphan = dying.withExecutionLease('rbk-crash', async () => {
        entered();
        await new Promise<void>(() => {});
      });
      void orphan.catch(() => {});
      await inside;
      expect(await survivor.tryExecutionLease('rbk-crash', async () => 'x')).toEqual({ acquired: false });
      // The process is gone: the database ends its sessions.
      await survivor.withCommitLock(async () => {});
      const { default: pgLib } = await import('pg');
      const admin = new pgLib.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name like 'rewind-dying (%'`);
      } finally {
        await admin.end();
      }
      let result: { acquired: boolean } = { acquired: false };
      // The terminated backend's locks go when it has exited; look until then (bounded by the test timeout).
      while (!result.acquired) result = await survivor.tryExecutionLease('rbk-crash', async () => 'settled');
      expect(result).toEqual({ acquired: true, value: 'settled' });
    } finally {
      // The dying replica's pool never gets its connection back (its execution never ends): not awaited.
      void dying.close().catch(() => {});
      await survivor.close();
    }
  });

  it('a connection that breaks while a lease is held: the work\'s own outcome stands, the next lease gets a new connection', { timeout: 60_000 }, async () => {
    const url = pg.serverUrl();
    const lock = new PostgresCommitLock({ url, name: 'repo#main', applicationName: 'rewind-broken', max: 1 });
    const { default: pgLib } = await import('pg');
    const cut = async () => {
      const admin = new pgLib.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name like 'rewind-broken (%'`);
      } finally {
        await admin.end();
      }
      // The client hears of it before the work goes on.
      await new Promise((resolve) => setTimeout(resolve, 200));
    };
    try {
      // A commit made, then the database connection lost: the result, not "not queryable" (a 500).
      expect(await lock.withExecutionLease('rbk-1', () => lock.withCommitLock(async () => (await cut(), 'committed')))).toBe('committed');
      // The work's clear 503 is what the caller gets, not the unlock's error.
      const said = unavailable('the database cannot be reached to record rollback request rbk-2');
      await expect(lock.withExecutionLease('rbk-2', async () => {
        await cut();
        throw said;
      })).rejects.toBe(said);
      expect(await lock.tryExecutionLease('rbk-3', async () => 'fresh')).toEqual({ acquired: true, value: 'fresh' });
    } finally {
      await lock.close();
    }
  });
});
