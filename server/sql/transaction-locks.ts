/**
 * The request store's advisory transaction locks on PostgreSQL (decision 052), released by the
 * database at commit or rollback (or when a replica dies):
 *
 * - the store lock, exclusive for an unscoped transaction (it runs alone), shared for a scoped one;
 * - one lock per request a scoped transaction names, taken in key order so that two scoped
 *   transactions never wait for each other in a cycle (two ids sharing a key only wait needlessly);
 * - the audit lock, taken by a scoped transaction right before its first audit event, which goes in
 *   its commit's round trip (decision 057): appends are numbered in commit order, as when every
 *   transaction ran alone.
 *
 * The keys are integers made here, so each statement is plain text (no parameters): the driver sends
 * it in one round trip, and PostgreSQL runs its statements in order.
 */
import { createHash } from 'node:crypto';
import { CompiledQuery } from 'kysely';

/** "RWT1": the store lock (one-key form; kept from before decision 052, so mixed versions exclude). */
const STORE_LOCK_KEY = 0x52575431;
/** "RWTA": the audit lock (one-key form). */
export const AUDIT_LOCK_KEY = 0x52575441;
/** "RWTR": the two-key form's first key for request locks (the one- and two-key forms never collide). */
const REQUEST_LOCK_SPACE = 0x52575452;

/** A request's lock key: 32 bits of its id's SHA-256, as a signed int4. */
export function requestLockKey(id: string): number {
  return createHash('sha256').update(id).digest().readInt32BE(0);
}

/** The locks a transaction starts with: the store lock alone, or shared and then its requests' locks. */
export function transactionLockStatement(requests: readonly string[] | null): CompiledQuery {
  if (requests === null) return CompiledQuery.raw(`select pg_advisory_xact_lock(${STORE_LOCK_KEY})`);
  const keys = [...new Set(requests.map(requestLockKey))].sort((a, b) => a - b);
  const statements = [`select pg_advisory_xact_lock_shared(${STORE_LOCK_KEY})`, ...keys.map((key) => `select pg_advisory_xact_lock(${REQUEST_LOCK_SPACE}, ${key})`)];
  return CompiledQuery.raw(statements.join('; '));
}

export function auditLockStatement(): CompiledQuery {
  return CompiledQuery.raw(`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
}
