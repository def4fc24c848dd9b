/**
 * RequestStore over SQL (SQLite file by default, through Kysely): the real server's requests, reviews,
 * notes, break-glass sessions, idempotency keys and append-only audit trail. Same contract as the
 * in-memory store (tests/contract/request-store.contract.ts runs against both).
 *
 * Two connections to the file: transactions run on the writer, one at a time (Kysely holds the single
 * connection for the whole transaction, so concurrent `transaction` calls queue), and the store's own
 * reads run on a query-only reader in a read transaction of their own. WAL mode lets the reader see
 * the last committed state without waiting for a running transaction, as the in-memory store does.
 *
 * On PostgreSQL (several replicas on one database, decision 026) the same queries run over two pools:
 * reads on a reader pool, a page of requests with its reviews and notes in one statement (so one
 * snapshot), other reads that take several statements in REPEATABLE READ; transactions
 * on a writer pool, each starting with advisory transaction locks (decision 052). An unscoped
 * transaction takes the store's lock exclusively, so it runs alone across every replica exactly as on
 * SQLite (idempotency keys, superseding, break-glass and the outbox rest on that). A scoped one takes
 * it shared, then a lock per request it names: reviews of one request are one at a time (quorum
 * counting, one review per approver, the state compare-and-swap), reviews of different requests run
 * side by side. A scoped transaction that appends to the audit trail takes the audit lock from that
 * append to its commit, so audit events are numbered in commit order and an audit page never skips one.
 * The transaction itself (`SqlTx`, sql-request-tx.ts) sends PostgreSQL what it can in fewer round trips
 * (decision 057), and reads of single requests that queue for the reader pool share one statement
 * (core/coalesced-reads.ts, decision 058).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { RewindError } from '#core/errors.ts';
import type { AuditFilter, DeliveryLedger, Page, RequestFilter, RequestStore, RequestStoreTx, TransactionScope } from '#core/ports.ts';
import type { AuditEvent, BreakGlass, RollbackRequest } from '#core/schemas.ts';
import { openDatabase, type RewindDatabase } from './database.ts';
import { migrateToLatest, type SqlFlavour } from './migrations.ts';
import {
  readRequest,
  requestAtOnceQuery,
  requestsAtOnceQuery,
  requestFromAtOnceRow,
  requestPageQuery,
  requestsWhole,
  type AtOnceRow,
  assembleRequests,
  toAuditEvent,
  findActiveBreakGlass,
  findExpiredBreakGlass,
} from './sql-request-rows.ts';
import { SqlTx, type Prefetched } from './sql-request-tx.ts';
import { listOutbox, outboxBacklog } from './sql-outbox.ts';
import type { OutboxBacklog, OutboxMessage } from '#core/notification-schemas.ts';
import { databaseUnreachable, isConnectionError, openPostgres, type PostgresOptions } from './postgres.ts';
import { scopedTx, scopeRequests } from '#core/transaction-scope.ts';
import { transactionLockStatement } from './transaction-locks.ts';
import { inlineStatement } from './inline-statement.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import { CoalescedReads } from '#core/coalesced-reads.ts';
import {
  checkLimit,
  decodeAuditCursor,
  decodeRequestCursor,
  emailKey,
  encodeAuditCursor,
  encodeRequestCursor,
} from '#core/request-order.ts';

type Db = Kysely<RewindDatabase>;

/** Requests read by one coalesced statement at most (a burst of reviews asks for a few dozen). */
const COALESCED_READS_MAX = 100;

/** The in-memory queue of a replica's unscoped transactions (no request id is empty-prefixed). */
const UNSCOPED_QUEUE = '\u0000unscoped';

/** A page of `limit` requests (`items`, read from the first `limit` rows), and a cursor when `rows` has one more. */
function requestPage(rows: readonly { id: string; created_key: string }[], limit: number, items: RollbackRequest[]): Page<RollbackRequest> {
  const last = rows[limit - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeRequestCursor({ createdKey: last.created_key, id: last.id }) : null };
}

export class SqlRequestStore implements RequestStore, DeliveryLedger {
  /** Set inside `work`, to turn a nested `transaction` (which would wait forever) into an error. */
  private readonly insideTransaction = new AsyncLocalStorage<true>();
  /** PostgreSQL: this replica's scoped transactions on one request wait here, not on a connection. */
  private readonly requestQueues = new KeyedMutex();

  /** PostgreSQL: `getRequest`s that queue for the reader pool share statements (decision 058). */
  private readonly requestReads: CoalescedReads<AtOnceRow> | null;

  private constructor(
    private readonly writer: Db,
    private readonly reader: Db,
    readonly flavour: SqlFlavour,
    readerConnections = 1,
  ) {
    this.requestReads =
      flavour === 'postgres'
        ? new CoalescedReads(async (ids) => new Map((await requestsAtOnceQuery(this.reader, ids).execute()).map((row) => [row.id, row])), {
            maxInFlight: readerConnections,
            maxBatch: COALESCED_READS_MAX,
          })
        : null;
  }

  /** Opens (creating if needed) the database file and brings its schema up to date. */
  static async open(file: string): Promise<SqlRequestStore> {
    if (file === '' || file === ':memory:' || file.startsWith('file:')) {
      throw new Error('SqlRequestStore needs a database file path (it opens the file twice: writer and reader)');
    }
    const writer = openDatabase(file);
    try {
      await migrateToLatest(writer);
      const reader = openDatabase(file, { queryOnly: true });
      return new SqlRequestStore(writer, reader, 'sqlite');
    } catch (error) {
      await writer.destroy();
      throw error;
    }
  }

  /** Connects to a PostgreSQL database (`postgres://...`) and brings its schema up to date. */
  static async openPostgres(options: PostgresOptions & { readerConnections?: number; writerConnections?: number }): Promise<SqlRequestStore> {
    const name = options.applicationName ?? 'rewind';
    // Migrating may take long (an index on a large table, another replica migrating first): on a
    // connection of its own, without the store's query deadline.
    const migrator = openPostgres({ ...options, queryTimeoutMs: undefined, max: 1, applicationName: `${name} (migrations)` });
    try {
      await migrateToLatest(migrator, 'postgres');
    } finally {
      await migrator.destroy();
    }
    // Store queries wait at most for a transaction lock held a few milliseconds: 30 s without an
    // answer is a connection gone silent (postgres.ts queryTimeoutMs).
    const settings = { queryTimeoutMs: 30_000, ...options };
    const writer = openPostgres({ ...settings, max: options.writerConnections ?? 16, applicationName: `${name} (writer)` });
    const readerConnections = options.readerConnections ?? 4;
    const reader = openPostgres({ ...settings, max: readerConnections, applicationName: `${name} (reader)` });
    return new SqlRequestStore(writer, reader, 'postgres', readerConnections);
  }

  /** Throws when the database does not answer (readiness). */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.reader);
  }

  /** A read-only snapshot of committed data, not waiting for any write transaction. */
  private read<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    const builder = this.reader.transaction();
    return this.guard((this.flavour === 'postgres' ? builder.setIsolationLevel('repeatable read').setAccessMode('read only') : builder).execute(work));
  }

  async close(): Promise<void> {
    await this.reader.destroy();
    await this.writer.destroy();
  }

  async transaction<T>(work: (tx: RequestStoreTx) => Promise<T>, scope?: TransactionScope): Promise<T> {
    if (this.insideTransaction.getStore()) {
      throw new Error('RequestStore.transaction called inside a transaction: use the tx it was given');
    }
    const requests = scope ? scopeRequests(scope) : null;
    const run = async (trx: Db, finish?: (tx: SqlTx) => Promise<void>, prefetched?: Prefetched) => {
      const tx = new SqlTx(trx, this.flavour, this.flavour === 'postgres' && requests !== null, prefetched);
      try {
        const result = await this.insideTransaction.run(true, () => work(scope ? scopedTx(tx, scope) : tx));
        await finish?.(tx);
        return result;
      } finally {
        tx.close();
      }
    };
    if (this.flavour === 'sqlite') return this.guard(this.writer.transaction().execute((trx) => run(trx)));
    // PostgreSQL: BEGIN and the locks in one round trip (transaction-locks.ts), after this replica's
    // earlier transactions on the same requests, or its earlier unscoped ones (keyed-mutex.ts): in
    // one replica they start in the order asked, and never hold connections idle in a lock wait.
    // A transaction on one request reads it in that round trip too, once the locks are held; the
    // writes nobody waited on go with the commit, in one round trip too (decision 057).
    const release = await this.requestQueues.lock(requests ?? [UNSCOPED_QUEUE]);
    const [only] = requests?.length === 1 ? requests : [];
    return this.guard(
      this.writer.connection().execute(async (connection) => {
        try {
          const begin = [`begin; ${transactionLockStatement(requests).sql}`];
          if (only !== undefined) begin.push(inlineStatement(requestAtOnceQuery(connection, only).compile()));
          const { rows } = await connection.executeQuery<AtOnceRow>(CompiledQuery.raw(begin.join('; ')));
          const prefetched = only === undefined ? undefined : { id: only, request: rows[0] ? requestFromAtOnceRow(rows[0]) : null };
          return await run(connection, (tx) => tx.commit(), prefetched);
        } catch (error) {
          // Never hand the connection back inside a transaction (also when a lock could not be taken,
          // or a write sent with the commit failed: PostgreSQL then ran neither it nor the commit).
          await connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
          throw error;
        }
      }),
    ).finally(release);
  }

  /**
   * A PostgreSQL server that cannot be reached (down, restarting, network cut) is a 503 saying so, not
   * an internal error: the transaction did not happen (PostgreSQL rolls back what it did not commit).
   */
  private async guard<T>(operation: Promise<T>): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      if (this.flavour === 'postgres' && !(error instanceof RewindError) && isConnectionError(error)) {
        throw databaseUnreachable(error);
      }
      throw error;
    }
  }

  async getRequest(id: string): Promise<RollbackRequest | null> {
    // PostgreSQL reads it in one statement, a snapshot of its own, shared with the reads of other
    // requests asked while the reader pool is busy; each caller gets a request object of its own.
    if (this.requestReads) {
      const row = await this.guard(this.requestReads.get(id));
      return row ? requestFromAtOnceRow(row) : null;
    }
    return this.read((trx) => readRequest(trx, id));
  }

  async listNotifications(requestId: string): Promise<OutboxMessage[]> {
    return this.read((trx) => listOutbox(trx, requestId));
  }

  async notificationBacklog(): Promise<OutboxBacklog> {
    return this.read((trx) => outboxBacklog(trx));
  }

  async listRequests(filter: RequestFilter, cursor: string | null, limit: number): Promise<Page<RollbackRequest>> {
    checkLimit(limit);
    const after = cursor === null ? null : decodeRequestCursor(cursor);
    // PostgreSQL: the page with its reviews and notes in one statement, one snapshot without the five
    // round trips of a transaction around three reads (every open list reads again on a live update).
    if (this.flavour === 'postgres') {
      const rows = await this.guard(requestPageQuery(requestsWhole(this.reader), filter, after, limit).execute());
      return requestPage(rows, limit, rows.slice(0, limit).map(requestFromAtOnceRow));
    }
    return this.read(async (trx) => {
      const rows = await requestPageQuery(trx.selectFrom('requests').selectAll(), filter, after, limit).execute();
      return requestPage(rows, limit, await assembleRequests(trx, rows.slice(0, limit)));
    });
  }

  async listAudit(filter: AuditFilter, cursor: string | null, limit: number): Promise<Page<AuditEvent>> {
    checkLimit(limit);
    const before = cursor === null ? null : decodeAuditCursor(cursor);
    let query = this.reader.selectFrom('audit_events').selectAll();
    if (filter.tenant || filter.environment) {
      // Its own target, or one a break-glass session touched: `targets` is a JSON array of `"tenant/environment"`
      // (names are [a-z0-9-], so no LIKE wildcard can hide in the pattern).
      const { tenant, environment } = filter;
      const own = [...(tenant ? [sql<boolean>`tenant = ${tenant}`] : []), ...(environment ? [sql<boolean>`environment = ${environment}`] : [])];
      const touched = `%"${tenant ?? ''}${tenant ? '/' : ''}${environment ? `${tenant ? '' : '%/'}${environment}"` : ''}%`;
      query = query.where(sql<boolean>`((${sql.join(own, sql` and `)}) or targets like ${touched})`);
    }
    if (filter.type) query = query.where('type', '=', filter.type);
    if (filter.actor) query = query.where('actor_key', '=', emailKey(filter.actor));
    if (filter.requestId) query = query.where('request_id', '=', filter.requestId);
    // `at` is stored as Date#toISOString writes it, so text order is time order.
    if (filter.from) query = query.where('at', '>=', filter.from);
    if (filter.to) query = query.where('at', '<=', filter.to);
    if (before !== null) query = query.where('seq', '<', before);
    const rows = await this.guard(query.orderBy('seq', 'desc').limit(limit + 1).execute());
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toAuditEvent),
      nextCursor: rows.length > limit && last ? encodeAuditCursor(last.seq) : null,
    };
  }

  async activeBreakGlass(user: string, now: Date): Promise<BreakGlass | null> {
    return this.guard(findActiveBreakGlass(this.reader, user, now));
  }

  async expiredBreakGlass(now: Date, limit: number): Promise<BreakGlass[]> {
    return this.guard(findExpiredBreakGlass(this.reader, now, limit));
  }

  async claimDelivery(key: string, now: Date, expiresAt: Date): Promise<boolean> {
    return this.guard(
      this.writer.transaction().execute(async (trx) => {
        await trx.deleteFrom('webhook_deliveries').where('expires_at', '<=', now.toISOString()).execute();
        const result = await trx
          .insertInto('webhook_deliveries')
          .values({ delivery_key: key, expires_at: expiresAt.toISOString() })
          .onConflict((oc) => oc.column('delivery_key').doNothing())
          .executeTakeFirst();
        return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
      }),
    );
  }
}
