/**
 * The CommitLock of several replicas (decision 027): PostgreSQL session advisory locks.
 *
 * - An execution lease is a session advisory lock on a key derived from the request id, held for the
 *   whole execution on one of a few lease connections shared by every lease of the replica (decision
 *   052: a connection per lease made executions beyond the pool's size wait for a connection before
 *   their claim). A replica that dies loses its connections, and PostgreSQL releases their locks:
 *   reconciliation elsewhere can then take the lease. Leases are taken with `pg_try_advisory_lock`
 *   and waited for by trying again, so a shared connection is never blocked; and since one session
 *   may take its own lock twice, two leases of one request in this process are kept apart here first.
 * - The commit lock is `pg_advisory_lock` on a key derived from the lock's name (repo and branch), on
 *   a pooled connection of its own for as long as it is held (one per waiting group-commit leader).
 *
 * If the database connection breaks while a lock is held, PostgreSQL releases it and a peer may go
 * ahead: the compare-and-swap on the branch (and a rejected push) stays the last line of defence.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { CommitLock } from '#core/ports.ts';
import { RewindError } from '#core/errors.ts';
import { InProcessCommitLock } from '#core/in-process-commit-lock.ts';
import { createPostgresPool, databaseUnreachable, isConnectionError, type PostgresOptions } from './postgres.ts';

/** A signed 64-bit advisory lock key for a name (decimal text, cast by the query). */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

export interface PostgresCommitLockOptions extends PostgresOptions {
  /** What the commit lock serialises, e.g. the repo URL and branch: replicas sharing it share the lock. */
  name: string;
}

/** Connections holding this replica's execution leases, each any number of them. */
const LEASE_CONNECTIONS = 2;
/** How long a lease another replica holds is waited for before trying again (doubling up to the max). */
const LEASE_RETRY_MS = 25;
const LEASE_RETRY_MAX_MS = 500;

export class PostgresCommitLock implements CommitLock {
  /** Connections for the commit lock, one per holder. */
  private readonly pool: pg.Pool;
  /** The lease connections (a pool only for connecting and replacing broken ones). */
  private readonly leasePool: pg.Pool;
  private readonly leaseClients: (Promise<pg.PoolClient> | undefined)[] = new Array(LEASE_CONNECTIONS).fill(undefined);
  private nextLeaseClient = 0;
  /** Leases of this process, by request: its own session would grant the database's lock twice. */
  private readonly local = new InProcessCommitLock();
  private readonly commitKey: string;
  /** The last query sent on each connection (see `query`). */
  private readonly queues = new WeakMap<pg.PoolClient, Promise<unknown>>();
  /** Connections whose session broke while checked out: released as broken (closed), never pooled again. */
  private readonly lost = new WeakSet<pg.PoolClient>();

  constructor(options: PostgresCommitLockOptions) {
    const name = options.applicationName ?? 'rewind';
    this.pool = createPostgresPool({ ...options, max: options.max ?? 16, applicationName: `${name} (locks)` });
    this.leasePool = createPostgresPool({ ...options, max: LEASE_CONNECTIONS, applicationName: `${name} (leases)` });
    this.commitKey = advisoryKey(`rewind:commit:${options.name}`);
  }

  withCommitLock<T>(work: () => Promise<T>): Promise<T> {
    return this.withClient((client) => this.holding(client, this.commitKey, work));
  }

  withExecutionLease<T>(requestId: string, work: () => Promise<T>): Promise<T> {
    return this.local.withExecutionLease(requestId, async () => {
      const key = leaseKey(requestId);
      let client = await this.tryLease(key);
      for (let wait = LEASE_RETRY_MS; !client; wait = Math.min(wait * 2, LEASE_RETRY_MAX_MS)) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        client = await this.tryLease(key);
      }
      return this.leased(client, key, work);
    });
  }

  async tryExecutionLease<T>(requestId: string, work: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }> {
    const attempt = await this.local.tryExecutionLease(requestId, async (): Promise<{ acquired: true; value: T } | { acquired: false }> => {
      const key = leaseKey(requestId);
      const client = await this.tryLease(key);
      return client ? { acquired: true, value: await this.leased(client, key, work) } : { acquired: false };
    });
    return attempt.acquired ? attempt.value : attempt;
  }

  async close(): Promise<void> {
    const clients = await Promise.allSettled(this.leaseClients.filter((c) => c !== undefined));
    for (const client of clients) if (client.status === 'fulfilled') client.value.release();
    await Promise.all([this.pool.end(), this.leasePool.end()]);
  }

  /** The lease connection that now holds `key`, or null when someone else holds it. */
  private async tryLease(key: string): Promise<pg.PoolClient | null> {
    const client = await this.leaseClient();
    try {
      const { rows } = await this.query<{ acquired: boolean }>(client, 'select pg_try_advisory_lock($1::bigint) as acquired', key);
      return rows[0]?.acquired ? client : null;
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      throw databaseUnreachable(error);
    }
  }

  private async leased<T>(client: pg.PoolClient, key: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      await this.unlock(client, key);
    }
  }

  /**
   * A query on `client` after the ones already sent on it: the lease connections are shared, and pg
   * will stop queueing a client's concurrent queries itself (deprecated since pg 8.14).
   */
  private query<R extends pg.QueryResultRow>(client: pg.PoolClient, text: string, key: string): Promise<pg.QueryResult<R>> {
    const previous = this.queues.get(client) ?? Promise.resolve();
    const result = previous.then(() => client.query<R>(text, [key]));
    this.queues.set(client, result.catch(() => undefined));
    return result;
  }

  /** The lease connections in turn, each connected when first needed and again after it broke. */
  private leaseClient(): Promise<pg.PoolClient> {
    const index = this.nextLeaseClient++ % LEASE_CONNECTIONS;
    const existing = this.leaseClients[index];
    if (existing) return existing;
    const connecting = this.leasePool.connect().then((client) => {
      // A broken lease connection took its leases with it (the database released them): replaced.
      client.once('error', (error) => {
        if (this.leaseClients[index] === connecting) this.leaseClients[index] = undefined;
        client.release(error);
      });
      return client;
    });
    this.leaseClients[index] = connecting;
    connecting.catch(() => {
      if (this.leaseClients[index] === connecting) this.leaseClients[index] = undefined;
    });
    return connecting.catch((error: unknown) => {
      if (!isConnectionError(error)) throw error;
      throw databaseUnreachable(error);
    });
  }

  private async holding<T>(client: pg.PoolClient, key: string, work: () => Promise<T>): Promise<T> {
    await this.query(client, 'select pg_advisory_lock($1::bigint)', key);
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
      await this.query(client, 'select pg_advisory_unlock($1::bigint)', key);
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
      throw databaseUnreachable(error);
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
        throw databaseUnreachable(error);
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
