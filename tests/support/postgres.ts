/**
 * PostgreSQL for a test file: `usePostgres()` registers hooks that start one throwaway server for the
 * file (scripts/postgres-test-server.mjs) unless REWIND_TEST_DATABASE_URL names one (as `npm test`
 * does, with one server for the whole run). Each store gets a fresh database, dropped after.
 *
 * Where neither is possible, `available` is false, the reason is printed once, and the suites are
 * skipped with `describe.skipIf(!pg.available)`.
 */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { postgresTestAvailability, startThrowawayPostgres, type ThrowawayPostgres } from '../../scripts/postgres-test-server.mjs';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface PostgresForTests {
  available: boolean;
  /** Why the PostgreSQL suites are skipped (when not available). */
  skipReason: string | null;
  /** The server's admin URL (valid inside tests). */
  serverUrl(): string;
  /** The throwaway server of this file, or null when the run was given REWIND_TEST_DATABASE_URL. */
  throwaway(): ThrowawayPostgres | null;
  /** A new empty database on the server. */
  createDatabase(): Promise<TestDatabase>;
}

let counter = 0;

export function usePostgres(): PostgresForTests {
  const availability = postgresTestAvailability();
  let server: ThrowawayPostgres | null = null;
  let url: string | null = availability.mode === 'url' ? availability.url : null;

  if (availability.mode === 'skip') {
    console.log(`[postgres] PostgreSQL suites skipped: ${availability.reason}`);
  } else if (availability.mode === 'throwaway') {
    beforeAll(async () => {
      server = await startThrowawayPostgres(availability.bin);
      url = server.url;
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
    }, 60_000);
  }

  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url! });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  return {
    available: availability.mode !== 'skip',
    skipReason: availability.mode === 'skip' ? availability.reason : null,
    serverUrl: () => {
      if (!url) throw new Error('PostgreSQL is not started (use it inside tests)');
      return url;
    },
    throwaway: () => server,
    createDatabase: async () => {
      const name = `rewind_test_${process.pid}_${Date.now().toString(36)}_${++counter}`;
      await admin((c) => c.query(`create database ${name}`));
      const dbUrl = new URL(url!);
      dbUrl.pathname = `/${name}`;
      return {
        url: dbUrl.toString(),
        drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
      };
    },
  };
}
