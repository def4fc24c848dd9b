/**
 * The notification outbox of the in-memory RequestStore (decision 038): the same rules as the SQL
 * store's (tests/contract/request-store-outbox.contract.ts runs against both).
 */
import { conflict } from '#core/errors.ts';
import type { NewOutboxMessage, OutboxBacklog, OutboxMessage, OutboxOutcome } from '#core/notification-schemas.ts';

export interface StoredOutboxMessage {
  message: OutboxMessage;
  leaseOwner: string | null;
  /** Epoch milliseconds; 0 when not leased. */
  leaseUntil: number;
}

export function enqueueOutbox(outbox: StoredOutboxMessage[], message: NewOutboxMessage): void {
  if (outbox.some((m) => m.message.id === message.id)) throw conflict(`notification ${message.id} already exists`);
  outbox.push({
    message: { ...message, status: 'pending', attempts: 0, nextAttemptAt: message.createdAt, lastError: null, lastAttemptAt: null },
    leaseOwner: null,
    leaseUntil: 0,
  });
}

export function claimOutbox(outbox: StoredOutboxMessage[], claim: { owner: string; now: Date; leaseMs: number; limit: number }): OutboxMessage[] {
  const now = claim.now.getTime();
  const due = outbox
    .filter((m) => m.message.status === 'pending' && Date.parse(m.message.nextAttemptAt) <= now && m.leaseUntil <= now)
    .sort((a, b) => Date.parse(a.message.nextAttemptAt) - Date.parse(b.message.nextAttemptAt))
    .slice(0, Math.max(0, claim.limit));
  for (const m of due) {
    m.leaseOwner = claim.owner;
    m.leaseUntil = now + claim.leaseMs;
  }
  return due.map((m) => ({ ...m.message }));
}

export function recordOutboxAttempt(outbox: StoredOutboxMessage[], id: string, owner: string, outcome: OutboxOutcome): boolean {
  const stored = outbox.find((m) => m.message.id === id);
  if (!stored || stored.message.status !== 'pending' || stored.leaseOwner !== owner) return false;
  const m = stored.message;
  m.attempts += 1;
  m.lastAttemptAt = outcome.at.toISOString();
  m.status = outcome.status;
  m.lastError = outcome.status === 'delivered' ? null : outcome.error;
  if (outcome.status === 'pending') m.nextAttemptAt = outcome.nextAttemptAt.toISOString();
  stored.leaseOwner = null;
  stored.leaseUntil = 0;
  return true;
}

export function listOutbox(outbox: readonly StoredOutboxMessage[], requestId: string): OutboxMessage[] {
  return outbox.filter((m) => m.message.requestId === requestId).map((m) => ({ ...m.message }));
}

/** Removes settled messages (delivered or failed) whose last attempt ended before `before`, in place. */
export function pruneOutbox(outbox: StoredOutboxMessage[], before: Date, limit: number): number {
  const cutoff = before.getTime();
  const settled = outbox
    .map((m, index) => ({ m: m.message, index }))
    .filter(({ m }) => m.status !== 'pending' && m.lastAttemptAt !== null && Date.parse(m.lastAttemptAt) < cutoff)
    .sort((a, b) => Date.parse(a.m.lastAttemptAt!) - Date.parse(b.m.lastAttemptAt!))
    .slice(0, Math.max(0, limit));
  const doomed = new Set(settled.map(({ index }) => index));
  const kept = outbox.filter((_, index) => !doomed.has(index));
  outbox.splice(0, outbox.length, ...kept);
  return doomed.size;
}

export function outboxBacklog(outbox: readonly StoredOutboxMessage[]): OutboxBacklog {
  const pending = outbox.filter((m) => m.message.status === 'pending').map((m) => m.message.createdAt);
  const oldest = pending.reduce<string | null>((min, at) => (min === null || Date.parse(at) < Date.parse(min) ? at : min), null);
  return { pending: pending.length, oldestPendingCreatedAt: oldest };
}
