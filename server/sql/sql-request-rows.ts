/**
 * Rows to domain values and back for the SQL request store (sql-request-store.ts): a request with its
 * reviews and notes, an audit event, the active break-glass session.
 */
import { sql, type Kysely, type Selectable, type SelectQueryBuilder } from 'kysely';
import type { BreakGlassAsk, RequestFilter } from '#core/ports.ts';
import { OPEN_STATES } from '#core/request-lifecycle.ts';
import type { AuditEvent, BreakGlass, Note, Review, RollbackRequest } from '#core/schemas.ts';
import { type AuditEventsTable, type NotesTable, type RequestsTable, type ReviewsTable, type RewindDatabase } from './database.ts';
import { canonicalRequest, emailKey, type RequestPosition } from '#core/request-order.ts';
import { expiredSessions } from '#core/break-glass-expiry.ts';
import type { SqlFlavour } from './migrations.ts';

type Db = Kysely<RewindDatabase>;

/** The insert of a review, to run or to defer (decision 057). */
export function reviewInsert(db: Db, requestId: string, review: Review) {
  return db
    .insertInto('reviews')
    .values({
      request_id: requestId,
      reviewer: review.by,
      decision: review.decision,
      comment: review.comment,
      reviewed_at: review.at,
      stale: review.stale ? 1 : 0,
    });
}

/** The insert of a note, to run or to defer (decision 057). */
export function noteInsert(db: Db, requestId: string, note: Note) {
  return db.insertInto('notes').values({ request_id: requestId, author: note.by, body: note.text, noted_at: note.at });
}

export async function readRequest(db: Db, id: string, flavour: SqlFlavour = 'sqlite'): Promise<RollbackRequest | null> {
  if (flavour === 'postgres') return readRequestAtOnce(db, id);
  const row = await db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const [request] = await assembleRequests(db, [row]);
  return request ?? null;
}

/**
 * PostgreSQL: the request, its reviews and its notes in one statement, so one round trip and one
 * snapshot without a transaction around three (the read a review makes twice, decision 052).
 */
async function readRequestAtOnce(db: Db, id: string): Promise<RollbackRequest | null> {
  const row = await requestAtOnceQuery(db, id).executeTakeFirst();
  return row ? requestFromAtOnceRow(row) : null;
}

/** PostgreSQL: the one statement that reads a request whole (to run, or to send with a transaction's locks). */
export function requestAtOnceQuery(db: Db, id: string) {
  return requestsWhole(db).where('id', '=', id);
}

/** PostgreSQL: several requests whole in one statement (coalesced reads, decision 058). */
export function requestsAtOnceQuery(db: Db, ids: readonly string[]) {
  return requestsWhole(db).where('id', 'in', ids);
}

/**
 * The requests `filter` selects, newest first (created, then id, descending), after `after`: one
 * page and one more (which says there is a next page). `from` picks the columns: the rows alone, or
 * (PostgreSQL) each request whole.
 */
export function requestPageQuery<O>(from: SelectQueryBuilder<RewindDatabase, 'requests', O>, filter: RequestFilter, after: RequestPosition | null, limit: number) {
  let query = from;
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.open) query = query.where('state', 'in', [...OPEN_STATES]);
  if (filter.tenant) query = query.where('tenant', '=', filter.tenant);
  if (filter.environment) query = query.where('environment', '=', filter.environment);
  const incident = filter.incident;
  if (incident !== undefined) query = query.where((eb) => eb.or([eb('incident_id', '=', incident), eb('incident_url', '=', incident)]));
  if (after) {
    query = query.where((eb) =>
      eb.or([eb('created_key', '<', after.createdKey), eb.and([eb('created_key', '=', after.createdKey), eb('id', '<', after.id)])]),
    );
  }
  return query.orderBy('created_key', 'desc').orderBy('id', 'desc').limit(limit + 1);
}

/** PostgreSQL: requests with their reviews and notes as JSON columns, so one statement reads them whole. */
export function requestsWhole(db: Db) {
  return db
    .selectFrom('requests')
    .selectAll('requests')
    .select([
      sql<Selectable<ReviewsTable>[]>`(select coalesce(json_agg(r order by r.seq), json_build_array()) from reviews r where r.request_id = requests.id)`.as('review_rows'),
      sql<Selectable<NotesTable>[]>`(select coalesce(json_agg(n order by n.seq), json_build_array()) from notes n where n.request_id = requests.id)`.as('note_rows'),
    ]);
}

export type AtOnceRow = Selectable<RequestsTable> & { review_rows: Selectable<ReviewsTable>[]; note_rows: Selectable<NotesTable>[] };

export function requestFromAtOnceRow(row: AtOnceRow): RollbackRequest {
  const { review_rows: reviews, note_rows: notes, ...request } = row;
  return toRequest(request, reviews, notes);
}

/** Requests with their reviews and notes, in the order of `rows`. */
export async function assembleRequests(db: Db, rows: Selectable<RequestsTable>[]): Promise<RollbackRequest[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [reviews, notes] = [
    await db.selectFrom('reviews').selectAll().where('request_id', 'in', ids).orderBy('seq').execute(),
    await db.selectFrom('notes').selectAll().where('request_id', 'in', ids).orderBy('seq').execute(),
  ];
  const reviewsOf = groupBy(reviews, (r) => r.request_id);
  const notesOf = groupBy(notes, (n) => n.request_id);
  return rows.map((row) => toRequest(row, reviewsOf.get(row.id) ?? [], notesOf.get(row.id) ?? []));
}

function toRequest(
  row: Selectable<RequestsTable>,
  reviews: Selectable<ReviewsTable>[],
  notes: Selectable<NotesTable>[],
): RollbackRequest {
  return canonicalRequest({
    id: row.id,
    tenant: row.tenant,
    environment: row.environment,
    mode: row.mode as RollbackRequest['mode'],
    targetSha: row.target_sha,
    baseSha: row.base_sha,
    service: row.service ?? undefined,
    fields: row.fields === null ? undefined : (JSON.parse(row.fields) as RollbackRequest['fields']),
    justification: row.justification,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    state: row.state as RollbackRequest['state'],
    requiredApprovals: row.required_approvals,
    reviews: reviews.map((r) => ({
      by: r.reviewer,
      decision: r.decision as Review['decision'],
      comment: r.comment,
      at: r.reviewed_at,
      stale: r.stale !== 0,
    })),
    breakGlass: row.break_glass !== 0,
    affectedServices: JSON.parse(row.affected_services) as string[],
    diffHash: row.diff_hash,
    commitSha: row.commit_sha ?? undefined,
    error: row.error ?? undefined,
    hints: row.hints === null ? undefined : (JSON.parse(row.hints) as RollbackRequest['hints']),
    versions: row.versions === null ? undefined : (JSON.parse(row.versions) as RollbackRequest['versions']),
    incident: row.incident_id === null && row.incident_url === null ? undefined : { ...(row.incident_id !== null ? { id: row.incident_id } : {}), ...(row.incident_url !== null ? { url: row.incident_url } : {}) },
    notes: notes.map((n) => ({ by: n.author, text: n.body, at: n.noted_at })),
    closedReason: row.closed_reason ?? undefined,
    supersedes: row.supersedes === null ? undefined : (JSON.parse(row.supersedes) as string[]),
    supersededBy: row.superseded_by ?? undefined,
  });
}

export function toAuditEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  const event: AuditEvent = {
    id: row.id,
    at: row.at,
    actor: row.actor,
    type: row.type,
    breakGlass: row.break_glass !== 0,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
  if (row.tenant !== null) event.tenant = row.tenant;
  if (row.environment !== null) event.environment = row.environment;
  if (row.request_id !== null) event.requestId = row.request_id;
  if (row.targets !== null) event.targets = JSON.parse(row.targets) as string[];
  return event;
}

/** The user's session that is not closed and has `expiresAt > now`, or null. */
export async function findActiveBreakGlass(db: Db, user: string, now: Date): Promise<BreakGlass | null> {
  const [session] = await findActiveBreakGlassOf(db, [{ user, now }]);
  return session ?? null;
}

/** `findActiveBreakGlass` for each of `asked`, in order, from one statement (the users' open sessions). */
export async function findActiveBreakGlassOf(db: Db, asked: readonly BreakGlassAsk[]): Promise<(BreakGlass | null)[]> {
  const rows = await db
    .selectFrom('break_glass_sessions')
    .selectAll()
    .where('user_key', 'in', [...new Set(asked.map(({ user }) => emailKey(user)))])
    .where('closed_at', 'is', null)
    .orderBy('seq', 'desc')
    .execute();
  return asked.map(({ user, now }) => {
    // The user's newest session not closed.
    const row = rows.find((candidate) => candidate.user_key === emailKey(user));
    if (!row || !(Date.parse(row.expires_at) > now.getTime())) return null;
    return { user: row.user_email, justification: row.justification, openedAt: row.opened_at, expiresAt: row.expires_at };
  });
}

/** Sessions nobody closed that ran out by `now` (expiry compared as instants, whatever the offset). */
export async function findExpiredBreakGlass(db: Db, now: Date, limit: number): Promise<BreakGlass[]> {
  const rows = await db.selectFrom('break_glass_sessions').selectAll().where('closed_at', 'is', null).execute();
  const open = rows.map((row) => ({ user: row.user_email, justification: row.justification, openedAt: row.opened_at, expiresAt: row.expires_at }));
  return expiredSessions(open, now, limit);
}

/** Closes that open session at its expiry; the `closed_at IS NULL` condition makes one caller win. */
export async function closeExpiredSession(db: Db, session: BreakGlass): Promise<boolean> {
  const result = await db
    .updateTable('break_glass_sessions')
    .set({ closed_at: session.expiresAt })
    .where('user_key', '=', emailKey(session.user))
    .where('opened_at', '=', session.openedAt)
    .where('closed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    let group = groups.get(k);
    if (!group) groups.set(k, (group = []));
    group.push(item);
  }
  return groups;
}
