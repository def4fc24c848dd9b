/**
 * The request store's transaction over SQL (sql-request-store.ts opens it): the same statements on
 * SQLite and PostgreSQL, and on PostgreSQL fewer round trips (decision 057): the request a transaction
 * is scoped to comes read with its locks, and the writes nobody waits on go with the commit.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import pg from 'pg';
import { conflict, notFound } from '#core/errors.ts';
import type { BreakGlassAsk, RequestStoreTx } from '#core/ports.ts';
import type { AuditEvent, BreakGlass, Note, Review, RollbackRequest } from '#core/schemas.ts';
import type { NewOutboxMessage, OutboxMessage, OutboxOutcome } from '#core/notification-schemas.ts';
import { canonicalRequest, emailKey, orderKey } from '#core/request-order.ts';
import type { RewindDatabase } from './database.ts';
import type { SqlFlavour } from './migrations.ts';
import { reviewInsert, noteInsert, readRequest, findActiveBreakGlass, findActiveBreakGlassOf, closeExpiredSession } from './sql-request-rows.ts';
import { claimOutbox, enqueueOutbox, pruneOutbox, recordOutboxAttempt } from './sql-outbox.ts';
import { auditLockStatement } from './transaction-locks.ts';
import { inlineStatement } from './inline-statement.ts';

type Db = Kysely<RewindDatabase>;

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
    if (error instanceof pg.DatabaseError && error.code === '23505' && error.table === 'audit_events') {
      throw conflict(`audit event already exists (${error.detail ?? 'duplicate id'})`);
    }
    throw error;
  }
}

/** PostgreSQL: the request a transaction on it read with its locks (null: there is none). */
export interface Prefetched {
  id: string;
  request: RollbackRequest | null;
}

/** A write sent later, as plain text (inline-statement.ts), and the table it writes. */
interface DeferredWrite {
  statement: string;
  table: Table;
}

export class SqlTx implements RequestStoreTx {
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

  async activeBreakGlassOf(asked: readonly BreakGlassAsk[]): Promise<(BreakGlass | null)[]> {
    if (asked.length === 0) return [];
    return findActiveBreakGlassOf(await this.ready(['break_glass_sessions']), asked);
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
