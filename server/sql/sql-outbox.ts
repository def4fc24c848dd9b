/**
 * The notification outbox over SQL (decision 038), used by SqlRequestStore. Claims run inside the
 * store's transactions, which are serialised across replicas (SQLite: one writer; PostgreSQL: the
 * transaction advisory lock), so two replicas never lease the same message at once.
 */
import type { Kysely, Selectable } from 'kysely';
import { conflict } from '#core/errors.ts';
import type { ChannelType, NewOutboxMessage, NotificationKind, OutboxBacklog, OutboxMessage, OutboxOutcome, OutboxStatus } from '#core/notification-schemas.ts';
import type { NotificationOutboxTable, RewindDatabase } from './database.ts';

type Db = Kysely<RewindDatabase>;

const iso = (at: string | Date) => new Date(at).toISOString();

function messageOf(row: Selectable<NotificationOutboxTable>): OutboxMessage {
  return {
    id: row.id,
    eventId: row.event_id,
    requestId: row.request_id,
    kind: row.kind as NotificationKind,
    channel: row.channel,
    channelType: row.channel_type as ChannelType,
    body: row.body,
    createdAt: row.created_at,
    status: row.status as OutboxStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    lastAttemptAt: row.last_attempt_at,
  };
}

export async function enqueueOutbox(db: Db, message: NewOutboxMessage): Promise<void> {
  const existing = await db.selectFrom('notification_outbox').select('id').where('id', '=', message.id).executeTakeFirst();
  if (existing) throw conflict(`notification ${message.id} already exists`);
  await db
    .insertInto('notification_outbox')
    .values({
      id: message.id,
      event_id: message.eventId,
      request_id: message.requestId,
      kind: message.kind,
      channel: message.channel,
      channel_type: message.channelType,
      body: message.body,
      created_at: message.createdAt,
      status: 'pending',
      attempts: 0,
      next_attempt_at: iso(message.createdAt),
      last_error: null,
      last_attempt_at: null,
      lease_owner: null,
      lease_until: null,
    })
    .execute();
}

export async function claimOutbox(db: Db, claim: { owner: string; now: Date; leaseMs: number; limit: number }): Promise<OutboxMessage[]> {
  const now = claim.now.toISOString();
  const rows = await db
    .selectFrom('notification_outbox')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
    .orderBy('next_attempt_at')
    .orderBy('seq')
    .limit(Math.max(0, claim.limit))
    .execute();
  if (rows.length === 0) return [];
  await db
    .updateTable('notification_outbox')
    .set({ lease_owner: claim.owner, lease_until: new Date(claim.now.getTime() + claim.leaseMs).toISOString() })
    .where('id', 'in', rows.map((r) => r.id))
    .execute();
  return rows.map(messageOf);
}

export async function recordOutboxAttempt(db: Db, id: string, owner: string, outcome: OutboxOutcome): Promise<boolean> {
  const row = await db.selectFrom('notification_outbox').select(['status', 'lease_owner', 'attempts', 'next_attempt_at']).where('id', '=', id).executeTakeFirst();
  if (!row || row.status !== 'pending' || row.lease_owner !== owner) return false;
  await db
    .updateTable('notification_outbox')
    .set({
      status: outcome.status,
      attempts: Number(row.attempts) + 1,
      last_attempt_at: outcome.at.toISOString(),
      last_error: outcome.status === 'delivered' ? null : outcome.error,
      next_attempt_at: outcome.status === 'pending' ? outcome.nextAttemptAt.toISOString() : row.next_attempt_at,
      lease_owner: null,
      lease_until: null,
    })
    .where('id', '=', id)
    .execute();
  return true;
}

export async function listOutbox(db: Db, requestId: string): Promise<OutboxMessage[]> {
  const rows = await db.selectFrom('notification_outbox').selectAll().where('request_id', '=', requestId).orderBy('seq').execute();
  return rows.map(messageOf);
}

/** Retention (decision 045): settled messages whose last attempt ended before `before`, oldest first. */
export async function pruneOutbox(db: Db, before: Date, limit: number): Promise<number> {
  const rows = await db
    .selectFrom('notification_outbox')
    .select('id')
    .where('status', 'in', ['delivered', 'failed'])
    .where('last_attempt_at', '<', before.toISOString())
    .orderBy('last_attempt_at')
    .limit(Math.max(0, limit))
    .execute();
  if (rows.length === 0) return 0;
  await db.deleteFrom('notification_outbox').where('id', 'in', rows.map((r) => r.id)).execute();
  return rows.length;
}

export async function outboxBacklog(db: Db): Promise<OutboxBacklog> {
  const row = await db
    .selectFrom('notification_outbox')
    .select((eb) => [eb.fn.countAll<number | string | bigint>().as('pending'), eb.fn.min('created_at').as('oldest')])
    .where('status', '=', 'pending')
    .executeTakeFirst();
  const pending = Number(row?.pending ?? 0);
  return { pending, oldestPendingCreatedAt: pending > 0 && row?.oldest ? iso(row.oldest) : null };
}
