/**
 * The CommitLock of several replicas (decision 027): PostgreSQL session advisory locks.
 *
 * - An execution lease is `pg_advisory_lock` on a key derived from the request id, held on a pooled
 *   connection for the whole execution. A replica that dies loses its connections, and PostgreSQL
 *   releases their locks: reconciliation elsewhere can then take the lease (`pg_try_advisory_lock`).
 * - The commit lock is `pg_advisory_lock` on a key derived from the lock's name (repo and branch),
 *   taken on the connection of the lease it runs in, so an execution needs exactly one connection and
 *   a full pool can never deadlock a lease against the commit it waits for.
 *
 * If the database connection breaks while a lock is held, PostgreSQL releases it and a peer may go
 * ahead: the compare-and-swap on the branch (and a rejected push) stays the last line of defence.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { CommitLock } from '#core/ports.ts';
import { RewindError, unavailable } from '#core/errors.ts';
import { createPostgresPool, isConnectionError, type PostgresOptions } from './postgres.ts';

/** A signed 64-bit advisory lock key for a name (decimal text, cast by the query). */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

export interface PostgresCommitLockOptions extends PostgresOptions {
  /** What the commit lock serialises, e.g. the repo URL and branch: replicas sharing it share the lock. */
  name: string;
}

export class PostgresCommitLock implements CommitLock {
  private readonly pool: pg.Pool;
  private readonly commitKey: string;
  private readonly lease = new AsyncLocalStorage<pg.PoolClient>();
  /** Connections whose session broke while checked out: released as broken (closed), never pooled again. */
  private readonly lost = new WeakSet<pg.PoolClient>();

  constructor(options: PostgresCommitLockOptions) {
    this.pool = createPostgresPool({ ...options, max: options.max ?? 16, applicationName: `${options.applicationName ?? 'rewind'} (locks)` });
    this.commitKey = advisoryKey(`rewind:commit:${options.name}`);
  }

  async withCommitLock<T>(work: () => Promise<T>): Promise<T> {
    const inLease = this.lease.getStore();
    if (inLease) return this.holding(inLease, this.commitKey, work);
    return this.withClient((client) => this.holding(client, this.commitKey, work));
  }

  withExecutionLease<T>(requestId: string, work: () => Promise<T>): Promise<T> {
    return this.withClient((client) => this.holding(client, leaseKey(requestId), () => this.lease.run(client, work)));
  }

  tryExecutionLease<T>(requestId: string, work: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }> {
    return this.withClient(async (client) => {
      const key = leaseKey(requestId);
      const { rows } = await client.query<{ acquired: boolean }>('select pg_try_advisory_lock($1::bigint) as acquired', [key]);
      if (!rows[0]?.acquired) return { acquired: false };
      try {
        return { acquired: true, value: await this.lease.run(client, work) };
      } finally {
        await this.unlock(client, key);
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async holding<T>(client: pg.PoolClient, key: string, work: () => Promise<T>): Promise<T> {
    await client.query('select pg_advisory_lock($1::bigint)', [key]);
    try {
      return await work();
    } finally {
      await this.unlock(client, key);
    }
  }

  /**
   * A connection that broke while the lock was held took the lock with its session: the unlock's
   * error must not replace the work's outcome (a commit made, a clear 503) with an internal error.
   * The connection is then discarded, never reused.
   */
  private async unlock(client: pg.PoolClient, key: string): Promise<void> {
    try {
      await client.query('select pg_advisory_unlock($1::bigint)', [key]);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.lost.add(client);
    }
  }

  /** A pooled connection for `work`; one that failed is discarded (with any lock it held) rather than reused. */
  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      throw unavailable(`the database cannot be reached (${(error as Error).message}): nothing was changed; try again shortly`);
    }
    let broken: Error | undefined;
    // A connection that breaks while checked out emits 'error'; unheard, it would end the process.
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      broken ??= error instanceof Error ? error : new Error(String(error));
      // Taking or trying a lock on a connection that broke: nothing was done under it.
      if (!(error instanceof RewindError) && isConnectionError(error)) {
        throw unavailable(`the database cannot be reached (${(error as Error).message}): nothing was changed; try again shortly`);
      }
      throw error;
    } finally {
      client.off('error', onError);
      if (this.lost.has(client)) broken ??= new Error('the connection broke while a lock was held');
      client.release(broken);
    }
  }
}

function leaseKey(requestId: string): string {
  return advisoryKey(`rewind:lease:${requestId}`);
}
