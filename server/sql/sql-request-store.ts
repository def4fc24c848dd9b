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
 * reads on a reader pool in REPEATABLE READ, so a page and its reviews are one snapshot; transactions
 * on a writer pool, each starting with advisory transaction locks (decision 052). An unscoped
 * transaction takes the store's lock exclusively, so it runs alone across every replica exactly as on
 * SQLite (idempotency keys, superseding, break-glass and the outbox rest on that). A scoped one takes
 * it shared, then a lock per request it names: reviews of one request are one at a time (quorum
 * counting, one review per approver, the state compare-and-swap), reviews of different requests run
 * side by side. A scoped transaction that appends to the audit trail takes the audit lock from that
 * append to its commit, so audit events are numbered in commit order and an audit page never skips one.
 */
import { OPEN_STATES } from '#core/request-lifecycle.ts';
import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { conflict, notFound, RewindError } from '#core/errors.ts';
import type { AuditFilter, DeliveryLedger, Page, RequestFilter, RequestStore, RequestStoreTx, TransactionScope } from '#core/ports.ts';
import type { AuditEvent, BreakGlass, Note, Review, RollbackRequest } from '#core/schemas.ts';
import { openDatabase, type RewindDatabase } from './database.ts';
import { migrateToLatest, type SqlFlavour } from './migrations.ts';
import { reviewInsert, noteInsert, readRequest, requestAtOnceQuery, requestFromAtOnceRow, type AtOnceRow, assembleRequests, toAuditEvent, findActiveBreakGlass, findExpiredBreakGlass, closeExpiredSession } from './sql-request-rows.ts';
import { claimOutbox, enqueueOutbox, listOutbox, outboxBacklog, pruneOutbox, recordOutboxAttempt } from './sql-outbox.ts';
import type { NewOutboxMessage, OutboxBacklog, OutboxMessage, OutboxOutcome } from '#core/notification-schemas.ts';
import { databaseUnreachable, isConnectionError, openPostgres, type PostgresOptions } from './postgres.ts';
import { scopedTx, scopeRequests } from '#core/transaction-scope.ts';
import { auditLockStatement, transactionLockStatement } from './transaction-locks.ts';
import { inlineStatement } from './inline-statement.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import {
  canonicalRequest,
  checkLimit,
  decodeAuditCursor,
  decodeRequestCursor,
  emailKey,
  encodeAuditCursor,
  encodeRequestCursor,
  orderKey,
} from '#core/request-order.ts';

type Db = Kysely<RewindDatabase>;

/** The in-memory queue of a replica's unscoped transactions (no request id is empty-prefixed). */
const UNSCOPED_QUEUE = '\u0000unscoped';

export class SqlRequestStore implements RequestStore, DeliveryLedger {
  /** Set inside `work`, to turn a nested `transaction` (which would wait forever) into an error. */
  private readonly insideTransaction = new AsyncLocalStorage<true>();
  /** PostgreSQL: this replica's scoped transactions on one request wait here, not on a connection. */
  private readonly requestQueues = new KeyedMutex();

  private constructor(
    private readonly writer: Db,
    private readonly reader: Db,
    readonly flavour: SqlFlavour,
  ) {}

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
    const reader = openPostgres({ ...settings, max: options.readerConnections ?? 4, applicationName: `${name} (reader)` });
    return new SqlRequestStore(writer, reader, 'postgres');
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
    // PostgreSQL reads it in one statement: a snapshot of its own.
    if (this.flavour === 'postgres') return this.guard(readRequest(this.reader, id, 'postgres'));
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
    return this.read(async (trx) => {
      let query = trx.selectFrom('requests').selectAll();
      if (filter.state) query = query.where('state', '=', filter.state);
      if (filter.open) query = query.where('state', 'in', [...OPEN_STATES]);
      if (filter.tenant) query = query.where('tenant', '=', filter.tenant);
      if (filter.environment) query = query.where('environment', '=', filter.environment);
      const incident = filter.incident;
      if (incident !== undefined) query = query.where((eb) => eb.or([eb('incident_id', '=', incident), eb('incident_url', '=', incident)]));
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('created_key', '<', after.createdKey),
            eb.and([eb('created_key', '=', after.createdKey), eb('id', '<', after.id)]),
          ]),
        );
      }
      const rows = await query.orderBy('created_key', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
      const page = rows.slice(0, limit);
      const items = await assembleRequests(trx, page);
      const last = page.at(-1);
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeRequestCursor({ createdKey: last.created_key, id: last.id }) : null,
      };
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

type Table = keyof RewindDatabase;

/**
 * Deferred writes (and the commit) as one simple-protocol round trip: PostgreSQL runs them in order
 * and stops at the first that fails, leaving the transaction to roll back. A duplicate audit id is
 * the conflict `appendAudit` answers on SQLite.
 */
async function sendDeferred(db: Db, statements: readonly string[]): Promise<void> {
  try {
    await db.executeQuery(CompiledQuery.raw(statements.join(';\n')));
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === '23505' && 'table' in error && error.table === 'audit_events') {
      throw conflict(`audit event already exists (${'detail' in error ? String(error.detail) : 'duplicate id'})`);
    }
    throw error;
  }
}

/** PostgreSQL: the request a transaction on it read with its locks (null: there is none). */
interface Prefetched {
  id: string;
  request: RollbackRequest | null;
}

/** A write sent later, as plain text (inline-statement.ts), and the table it writes. */
interface DeferredWrite {
  statement: string;
  table: Table;
}

class SqlTx implements RequestStoreTx {
  private closed = false;

  /** Requests this transaction has seen exist: requests are never deleted, so they still do. */
  private readonly existing = new Set<string>();

  /**
   * PostgreSQL: writes whose outcome nobody waits for (a review, a note, a state change of a request
   * seen to exist, an audit event), sent in one round trip with the next statement that reads what
   * they wrote, or with the commit (decision 057). A round trip is a turn of a busy event loop.
   */
  private deferred: DeferredWrite[] | null;

  /**
   * `auditLock`: take the audit lock before the first append (a scoped PostgreSQL transaction).
   * `prefetched`: the request read with the locks, answering the first read of it before any write.
   */
  constructor(
    private readonly trx: Db,
    private readonly flavour: SqlFlavour,
    private auditLock: boolean,
    private prefetched?: Prefetched,
  ) {
    this.deferred = flavour === 'postgres' ? [] : null;
    if (prefetched?.request) this.existing.add(prefetched.id);
  }

  close(): void {
    this.closed = true;
  }

  private get db(): Db {
    if (this.closed) throw new Error('RequestStoreTx used after its transaction ended');
    return this.trx;
  }

  /**
   * The connection, after the deferred writes have gone out: all of them, or only when one writes a
   * table in `reads` (a statement reading only tables nothing deferred writes need not wait for them).
   */
  private async ready(reads?: readonly Table[]): Promise<Db> {
    const db = this.db;
    // Anything but a read of tables nothing deferred writes may write: the prefetched read is stale.
    if (!reads) this.prefetched = undefined;
    const pending = this.deferred;
    if (pending && pending.length > 0 && (!reads || pending.some((write) => reads.includes(write.table)))) {
      this.deferred = [];
      await sendDeferred(db, pending.map((write) => write.statement));
    }
    return db;
  }

  /** Runs `query` now, or (PostgreSQL) defers it as text. */
  private async write(table: Table, query: { compile(): CompiledQuery }): Promise<void> {
    const db = this.db;
    this.prefetched = undefined;
    if (this.deferred) this.deferred.push({ table, statement: inlineStatement(query.compile()) });
    else await db.executeQuery(query.compile());
  }

  /** PostgreSQL: the deferred writes and the commit, in one round trip. */
  async commit(): Promise<void> {
    const pending = this.deferred ?? [];
    this.deferred = [];
    await sendDeferred(this.db, [...pending.map((write) => write.statement), 'commit']);
  }

  private async requireRequest(id: string): Promise<void> {
    if (this.existing.has(id)) return;
    const db = await this.ready(['requests']);
    const row = await db.selectFrom('requests').select('id').where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`rollback request ${id} not found`);
    this.existing.add(id);
  }

  async getRequest(id: string): Promise<RollbackRequest | null> {
    const prefetched = this.prefetched;
    if (prefetched?.id === id) {
      // Once: the caller may change what it gets, and the next read sees the writes made meanwhile.
      this.prefetched = undefined;
      return prefetched.request;
    }
    const request = await readRequest(await this.ready(['requests', 'reviews', 'notes']), id, this.flavour);
    if (request) this.existing.add(id);
    return request;
  }

  async insertRequest(request: RollbackRequest): Promise<void> {
    const db = await this.ready();
    const existing = await db.selectFrom('requests').select('id').where('id', '=', request.id).executeTakeFirst();
    if (existing) throw conflict(`rollback request ${request.id} already exists`);
    const r = canonicalRequest(request);
    await db
      .insertInto('requests')
      .values({
        id: r.id,
        tenant: r.tenant,
        environment: r.environment,
        mode: r.mode,
        target_sha: r.targetSha,
        base_sha: r.baseSha,
        service: r.service ?? null,
        fields: r.fields === undefined ? null : JSON.stringify(r.fields),
        justification: r.justification,
        requested_by: r.requestedBy,
        created_at: r.createdAt,
        created_key: orderKey(r.createdAt),
        state: r.state,
        required_approvals: r.requiredApprovals,
        break_glass: r.breakGlass ? 1 : 0,
        affected_services: JSON.stringify(r.affectedServices),
        diff_hash: r.diffHash,
        commit_sha: r.commitSha ?? null,
        error: r.error ?? null,
        hints: r.hints === undefined ? null : JSON.stringify(r.hints),
        versions: r.versions === undefined ? null : JSON.stringify(r.versions),
        incident_id: r.incident?.id ?? null,
        incident_url: r.incident?.url ?? null,
        closed_reason: r.closedReason ?? null,
        supersedes: r.supersedes === undefined ? null : JSON.stringify(r.supersedes),
        superseded_by: r.supersededBy ?? null,
      })
      .execute();
    for (const review of r.reviews) await reviewInsert(db, r.id, review).execute();
    for (const note of r.notes) await noteInsert(db, r.id, note).execute();
    this.existing.add(r.id);
  }

  async updateRequest(request: RollbackRequest): Promise<void> {
    const update = this.db
      .updateTable('requests')
      .set({
        state: request.state,
        base_sha: request.baseSha,
        diff_hash: request.diffHash,
        commit_sha: request.commitSha ?? null,
        error: request.error ?? null,
        required_approvals: request.requiredApprovals,
        break_glass: request.breakGlass ? 1 : 0,
        affected_services: JSON.stringify(request.affectedServices),
        closed_reason: request.closedReason ?? null,
        superseded_by: request.supersededBy ?? null,
      })
      .where('id', '=', request.id);
    // A request seen to exist still does: only an unseen one needs the count of rows updated.
    if (this.deferred && this.existing.has(request.id)) return this.write('requests', update);
    await this.ready();
    const result = await update.executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw notFound(`rollback request ${request.id} not found`);
    this.existing.add(request.id);
  }

  async addReview(requestId: string, review: Review): Promise<void> {
    await this.requireRequest(requestId);
    await this.write('reviews', reviewInsert(this.db, requestId, review));
  }

  async markReviewsStale(requestId: string): Promise<void> {
    await this.requireRequest(requestId);
    await this.write('reviews', this.db.updateTable('reviews').set({ stale: 1 }).where('request_id', '=', requestId));
  }

  async addNote(requestId: string, note: Note): Promise<void> {
    await this.requireRequest(requestId);
    await this.write('notes', noteInsert(this.db, requestId, note));
  }

  async appendAudit(event: AuditEvent): Promise<void> {
    const insert = this.db.insertInto('audit_events').values({
      id: event.id,
      at: event.at,
      actor: event.actor,
      actor_key: emailKey(event.actor),
      type: event.type,
      tenant: event.tenant ?? null,
      environment: event.environment ?? null,
      request_id: event.requestId ?? null,
      break_glass: event.breakGlass ? 1 : 0,
      details: JSON.stringify(event.details),
      targets: event.targets ? JSON.stringify(event.targets) : null,
    });
    if (this.deferred) {
      // The audit lock from the first append to the commit; a duplicate id fails the commit's round
      // trip with a unique violation, which sendDeferred answers as this conflict.
      if (this.auditLock) this.deferred.push({ table: 'audit_events', statement: auditLockStatement().sql });
      this.auditLock = false;
      return this.write('audit_events', insert);
    }
    const inserted = await insert.onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) throw conflict(`audit event ${event.id} already exists`);
  }

  async findByIdempotencyKey(user: string, key: string): Promise<string | null> {
    const db = await this.ready();
    const row = await db
      .selectFrom('idempotency_keys')
      .select('request_id')
      .where('user_key', '=', emailKey(user))
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    return row?.request_id ?? null;
  }

  async saveIdempotencyKey(user: string, key: string, requestId: string): Promise<void> {
    if ((await this.findByIdempotencyKey(user, key)) !== null) throw conflict('idempotency key already used');
    const db = await this.ready();
    await db
      .insertInto('idempotency_keys')
      .values({ user_key: emailKey(user), idempotency_key: key, request_id: requestId })
      .execute();
  }

  async openBreakGlass(session: BreakGlass): Promise<void> {
    const db = await this.ready();
    const userKey = emailKey(session.user);
    await db
      .updateTable('break_glass_sessions')
      .set({ closed_at: session.openedAt })
      .where('user_key', '=', userKey)
      .where('closed_at', 'is', null)
      .execute();
    await db
      .insertInto('break_glass_sessions')
      .values({
        user_email: session.user,
        user_key: userKey,
        justification: session.justification,
        opened_at: session.openedAt,
        expires_at: session.expiresAt,
        closed_at: null,
      })
      .execute();
  }

  async closeBreakGlass(user: string, at: Date): Promise<void> {
    const db = await this.ready();
    await db
      .updateTable('break_glass_sessions')
      .set({ closed_at: at.toISOString() })
      .where('user_key', '=', emailKey(user))
      .where('closed_at', 'is', null)
      .execute();
  }

  async activeBreakGlass(user: string, now: Date): Promise<BreakGlass | null> {
    return findActiveBreakGlass(await this.ready(['break_glass_sessions']), user, now);
  }

  async closeExpiredBreakGlass(session: BreakGlass): Promise<boolean> {
    return closeExpiredSession(await this.ready(), session);
  }

  async enqueueNotification(message: NewOutboxMessage): Promise<void> {
    await enqueueOutbox(await this.ready(), message);
  }

  async claimNotifications(claim: { owner: string; now: Date; leaseMs: number; limit: number }): Promise<OutboxMessage[]> {
    return claimOutbox(await this.ready(), claim);
  }

  async recordNotificationAttempt(id: string, owner: string, outcome: OutboxOutcome): Promise<boolean> {
    return recordOutboxAttempt(await this.ready(), id, owner, outcome);
  }

  async pruneNotifications(settledBefore: Date, limit: number): Promise<number> {
    return pruneOutbox(await this.ready(), settledBefore, limit);
  }
}
