/**
 * PostgreSQL connections for the request store and the commit lock: kysely's PostgresDialect over a
 * `pg` Pool. The password comes from the configuration (read from an environment variable or a file,
 * see server/config), never from a log line: `redactUrl` is what may be printed.
 */
import { Kysely, PostgresDialect } from 'kysely';
import { unavailable, type RewindError } from '#core/errors.ts';
import pg from 'pg';
import type { RewindDatabase } from './database.ts';

export interface PostgresOptions {
  /** `postgres://user@host:port/database?sslmode=...` */
  url: string;
  /** Overrides a password in the URL (and PGPASSWORD). */
  password?: string | undefined;
  /** Connections in this pool. */
  max?: number | undefined;
  /** Shown in `pg_stat_activity`, so an operator can tell replicas and their pools apart. */
  applicationName?: string | undefined;
  /** How long connecting may take before the database counts as unreachable (default 5 s). */
  connectTimeoutMs?: number | undefined;
  /**
   * A query not answered within this long ends its connection (the caller gets a connection error,
   * then a 503), so a silently cut network (a half-open connection: no reset, no answer) fails
   * requests instead of hanging them until the kernel gives up (keepalive alone takes minutes).
   * Only for pools whose queries never wait long by design (not the commit lock's).
   */
  queryTimeoutMs?: number | undefined;
  /** Idle connections that break (server restarted, network cut) are reported here, not thrown. */
  onPoolError?: ((error: Error) => void) | undefined;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The URL with any password replaced by `***`: the only form of it that is logged or shown. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable database URL)';
  }
}

/**
 * A pg Pool whose `connect()` first waits its turn here, without a time limit, for one of its `max`
 * connections. pg's `connectionTimeoutMillis` counts the wait for a busy pool too: under load, a
 * queue of transactions would fail as if the database were unreachable. Here it bounds only the
 * connecting itself. (The callback form, used by `pool.query`, is left as it is.)
 */
class QueueingPool extends pg.Pool {
  private free: number;
  private readonly queue: (() => void)[] = [];

  constructor(config: pg.PoolConfig & { max: number }) {
    super(config);
    this.free = config.max;
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): Promise<pg.PoolClient> | void {
    if (callback) return super.connect(callback);
    return this.connectInTurn();
  }

  private async connectInTurn(): Promise<pg.PoolClient> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    let client: pg.PoolClient;
    try {
      client = await super.connect();
    } catch (error) {
      this.next();
      throw error;
    }
    const release = client.release.bind(client);
    let released = false;
    client.release = (err?: Error | boolean) => {
      if (!released) {
        released = true;
        this.next();
      }
      return release(err);
    };
    return client;
  }

  /** A connection was given back: the next in the queue takes its place. */
  private next(): void {
    const waiter = this.queue.shift();
    if (waiter) waiter();
    else this.free += 1;
  }
}

/** Idle time before TCP keepalive probes start on a database connection. */
export const KEEPALIVE_DELAY_MS = 10_000;

export function createPostgresPool(options: PostgresOptions): pg.Pool {
  const pool = new QueueingPool({
    connectionString: options.url,
    ...(options.password !== undefined ? { password: options.password } : {}),
    max: options.max ?? 4,
    application_name: options.applicationName ?? 'rewind',
    // A database that does not answer fails a request with a clear error instead of hanging it.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    // A transaction left open by a stalled process must not hold the store's lock forever.
    idle_in_transaction_session_timeout: 60_000,
    // TCP keepalive: a connection whose peer vanished without closing it (a cut network, a host
    // gone) is found and dropped instead of waiting on it for the kernel's retransmission timeout.
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
  });
  // Without a listener, an idle connection dropped by the server would crash the process.
  pool.on('error', (error) => options.onPoolError?.(error));
  // The same for a connection checked out but between two queries (a transaction awaiting its next
  // step) when the server ends it: the pool listens only to idle ones. The caller's next query fails
  // with the connection error, and the pool drops the connection when it comes back.
  pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)));
  pool.on('connect', answerWithLastResult);
  const deadline = options.queryTimeoutMs;
  if (deadline !== undefined) pool.on('connect', (client) => withQueryDeadline(client, deadline));
  return pool;
}

/** Puts `around` on each promise `client.query` returns (the callback form is left as it is). */
function aroundQueries(client: pg.PoolClient, around: (answer: Promise<unknown>) => Promise<unknown>): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const result = query(...args);
    return result instanceof Promise ? around(result) : result;
  }) as typeof client.query;
}

/**
 * A text of several statements (simple protocol) answers with its last statement's result: pg gives
 * one result per statement, and Kysely reads a single one (decision 057 reads a request that way).
 */
function answerWithLastResult(client: pg.PoolClient): void {
  aroundQueries(client, (answer) => answer.then((result) => (Array.isArray(result) ? result.at(-1) : result)));
}

/** Ends `client`'s connection when a query of it is not answered within `ms` (see queryTimeoutMs). */
function withQueryDeadline(client: pg.PoolClient, ms: number): void {
  aroundQueries(client, (answer) => {
    const timer = setTimeout(() => {
      const stream = (client as unknown as { connection?: { stream?: { destroy(error?: Error): void } } }).connection?.stream;
      stream?.destroy(new Error(`the database did not answer within ${ms} ms`));
    }, ms);
    return answer.finally(() => clearTimeout(timer));
  });
}

export function openPostgres(options: PostgresOptions): Kysely<RewindDatabase> {
  return new Kysely<RewindDatabase>({ dialect: new PostgresDialect({ pool: createPostgresPool(options) }) });
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', '57P01', '57P02', '57P03']);

/** The 503 for a database that cannot be reached: nothing happened, try again. */
export function databaseUnreachable(error: unknown): RewindError {
  return unavailable(`the database cannot be reached (${error instanceof Error ? error.message : String(error)}): nothing was changed; try again shortly`);
}

/** The server cannot be reached or went away (as opposed to a query it refused). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connection error|not queryable|did not answer within/i.test(error.message);
}
