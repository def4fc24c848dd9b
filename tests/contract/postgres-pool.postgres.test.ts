/**
 * A connection the server ends while it is checked out between two queries (a transaction awaiting
 * its next step; `pg_ctl stop` under load does this) must not crash the process: the pool's own
 * listener covers idle connections only.
 */
import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresPool } from '#server/sql/postgres.ts';
import { usePostgres } from '../support/postgres.ts';

const pg = usePostgres();

describe.skipIf(!pg.available)('PostgreSQL pools', () => {
  it('a checked-out connection ended by the server is reported, not thrown, and is not used again', { timeout: 60_000 }, async () => {
    const errors: Error[] = [];
    const pool = createPostgresPool({ url: pg.serverUrl(), applicationName: 'pool-loss-test', onPoolError: (error) => errors.push(error) });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    const admin = new Client({ connectionString: pg.serverUrl() });
    await admin.connect();
    try {
      const client = await pool.connect();
      await client.query('begin');
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      for (const deadline = Date.now() + 10_000; errors.length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(errors.map((e) => (e as Error & { code?: string }).code)).toContain('57P01');
      await expect(client.query('select 1')).rejects.toThrow();
      client.release();
      // The pool hands out a working connection, not the ended one.
      expect((await pool.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await admin.end();
      await pool.end();
    }
  });
});
