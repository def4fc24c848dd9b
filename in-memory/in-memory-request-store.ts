/**
 * RequestStore in memory: the browser's mock backend and the tests use it. It follows the same
 * contract as the SQL store (tests/contract/request-store.contract.ts runs against both).
 *
 * Transactions are serialised through a promise queue. Each works on a structured clone of the state,
 * which replaces the state only when the work succeeds: a throwing transaction leaves nothing behind,
 * and reads outside transactions only ever see committed state. No Node imports: runs in the browser.
 */
import { isOpen } from '#core/request-lifecycle.ts';
import { matchesIncident } from '#core/incident.ts';
import { conflict, notFound } from '#core/errors.ts';
import type {
  AuditFilter,
  BreakGlassAsk,
  DeliveryLedger,
  Page,
  RequestFilter,
  RequestStore,
  RequestStoreTx,
  TransactionScope,
} from '#core/ports.ts';
import { scopedTx } from '#core/transaction-scope.ts';
import type { AuditEvent, BreakGlass, Note, Review, RollbackRequest } from '#core/schemas.ts';
import { expiredSessions } from '#core/break-glass-expiry.ts';
import type { NewOutboxMessage, OutboxBacklog, OutboxMessage, OutboxOutcome } from '#core/notification-schemas.ts';
import { claimOutbox, enqueueOutbox, listOutbox, outboxBacklog, pruneOutbox, recordOutboxAttempt, type StoredOutboxMessage } from './in-memory-outbox.ts';
import {
  canonicalRequest,
  checkLimit,
  compareRequestPositions,
  decodeAuditCursor,
  decodeRequestCursor,
  emailKey,
  encodeAuditCursor,
  encodeRequestCursor,
  isAfter,
  orderKey,
  type RequestPosition,
} from '#core/request-order.ts';

interface StoredRequest {
  request: RollbackRequest;
  createdKey: string;
}

interface StoredAudit {
  seq: number;
  event: AuditEvent;
}

interface StoredBreakGlass {
  session: BreakGlass;
  userKey: string;
  closedAt: string | null;
}

interface State {
  requests: Map<string, StoredRequest>;
  /** Append order; `seq` is the index + 1. */
  audit: StoredAudit[];
  auditIds: Set<string>;
  breakGlass: StoredBreakGlass[];
  /** `${userKey}\n${key}` → request id. */
  idempotency: Map<string, string>;
  /** The notification outbox, in order of creation. */
  outbox: StoredOutboxMessage[];
}

function emptyState(): State {
  return { requests: new Map(), audit: [], auditIds: new Set(), breakGlass: [], idempotency: new Map(), outbox: [] };
}

export class InMemoryRequestStore implements RequestStore, DeliveryLedger {
  /** Accepted webhook deliveries and when each is forgotten (ms). */
  private readonly deliveries = new Map<string, number>();

  private state: State = emptyState();
  private queue: Promise<unknown> = Promise.resolve();

  /** One at a time, scoped or not: the scope's refusals still apply (core/transaction-scope.ts). */
  transaction<T>(work: (tx: RequestStoreTx) => Promise<T>, scope?: TransactionScope): Promise<T> {
    const run = async (): Promise<T> => {
      const draft = structuredClone(this.state);
      const tx = new InMemoryTx(draft);
      try {
        const result = await work(scope ? scopedTx(tx, scope) : tx);
        this.state = draft;
        return result;
      } finally {
        tx.close();
      }
    };
    const result = this.queue.then(run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async getRequest(id: string): Promise<RollbackRequest | null> {
    return readRequest(this.state, id);
  }

  async listNotifications(requestId: string): Promise<OutboxMessage[]> {
    return listOutbox(this.state.outbox, requestId);
  }

  async notificationBacklog(): Promise<OutboxBacklog> {
    return outboxBacklog(this.state.outbox);
  }

  async listRequests(filter: RequestFilter, cursor: string | null, limit: number): Promise<Page<RollbackRequest>> {
    checkLimit(limit);
    const after = cursor === null ? null : decodeRequestCursor(cursor);
    const matching: (RequestPosition & { stored: StoredRequest })[] = [];
    for (const stored of this.state.requests.values()) {
      const r = stored.request;
      if (filter.state && r.state !== filter.state) continue;
      if (filter.open && !isOpen(r.state)) continue;
      if (filter.tenant && r.tenant !== filter.tenant) continue;
      if (filter.environment && r.environment !== filter.environment) continue;
      if (filter.incident !== undefined && !matchesIncident(r.incident, filter.incident)) continue;
      const position = { createdKey: stored.createdKey, id: r.id };
      if (after && !isAfter(position, after)) continue;
      matching.push({ ...position, stored });
    }
    matching.sort(compareRequestPositions);
    const page = matching.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((p) => canonicalRequest(p.stored.request)),
      nextCursor: matching.length > limit && last ? encodeRequestCursor(last) : null,
    };
  }

  async listAudit(filter: AuditFilter, cursor: string | null, limit: number): Promise<Page<AuditEvent>> {
    checkLimit(limit);
    const before = cursor === null ? Number.POSITIVE_INFINITY : decodeAuditCursor(cursor);
    const actor = filter.actor ? emailKey(filter.actor) : null;
    const items: StoredAudit[] = [];
    let more = false;
    for (let i = Math.min(this.state.audit.length, before - 1) - 1; i >= 0; i -= 1) {
      const stored = this.state.audit[i]!;
      const e = stored.event;
      if ((filter.tenant || filter.environment) && !matchesTarget(e, filter)) continue;
      if (filter.type && e.type !== filter.type) continue;
      if (filter.requestId && e.requestId !== filter.requestId) continue;
      if (filter.from && e.at < filter.from) continue;
      if (filter.to && e.at > filter.to) continue;
      if (actor !== null && emailKey(e.actor) !== actor) continue;
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(stored);
    }
    const last = items.at(-1);
    return {
      items: items.map((s) => structuredClone(s.event)),
      nextCursor: more && last ? encodeAuditCursor(last.seq) : null,
    };
  }

  async activeBreakGlass(user: string, now: Date): Promise<BreakGlass | null> {
    return findActiveBreakGlass(this.state, user, now);
  }

  async expiredBreakGlass(now: Date, limit: number): Promise<BreakGlass[]> {
    return expiredSessions(this.state.breakGlass.filter((s) => s.closedAt === null).map((s) => s.session), now, limit);
  }

  async claimDelivery(key: string, now: Date, expiresAt: Date): Promise<boolean> {
    for (const [stored, until] of this.deliveries) if (until <= now.getTime()) this.deliveries.delete(stored);
    if (this.deliveries.has(key)) return false;
    this.deliveries.set(key, expiresAt.getTime());
    return true;
  }
}

/** Its own tenant/environment match, or (decision 037) one of the targets a break-glass session touched. */
function matchesTarget(event: AuditEvent, filter: AuditFilter): boolean {
  const own = (!filter.tenant || event.tenant === filter.tenant) && (!filter.environment || event.environment === filter.environment);
  const touched = (event.targets ?? []).some((key) => {
    const [tenant, environment] = key.split('/');
    return (!filter.tenant || tenant === filter.tenant) && (!filter.environment || environment === filter.environment);
  });
  return own || touched;
}

function readRequest(state: State, id: string): RollbackRequest | null {
  const stored = state.requests.get(id);
  return stored ? canonicalRequest(stored.request) : null;
}

function findActiveBreakGlass(state: State, user: string, now: Date): BreakGlass | null {
  const key = emailKey(user);
  const open = state.breakGlass.find((s) => s.userKey === key && s.closedAt === null);
  if (!open || !(Date.parse(open.session.expiresAt) > now.getTime())) return null;
  return { ...open.session };
}

class InMemoryTx implements RequestStoreTx {
  private closed = false;

  constructor(private readonly state: State) {}

  close(): void {
    this.closed = true;
  }

  private live(): State {
    if (this.closed) throw new Error('RequestStoreTx used after its transaction ended');
    return this.state;
  }

  private stored(id: string): StoredRequest {
    const stored = this.live().requests.get(id);
    if (!stored) throw notFound(`rollback request ${id} not found`);
    return stored;
  }

  async getRequest(id: string): Promise<RollbackRequest | null> {
    return readRequest(this.live(), id);
  }

  async insertRequest(request: RollbackRequest): Promise<void> {
    const state = this.live();
    if (state.requests.has(request.id)) throw conflict(`rollback request ${request.id} already exists`);
    state.requests.set(request.id, { request: canonicalRequest(request), createdKey: orderKey(request.createdAt) });
  }

  async updateRequest(request: RollbackRequest): Promise<void> {
    const stored = this.stored(request.id);
    stored.request = canonicalRequest({
      ...stored.request,
      state: request.state,
      baseSha: request.baseSha,
      diffHash: request.diffHash,
      commitSha: request.commitSha,
      error: request.error,
      requiredApprovals: request.requiredApprovals,
      breakGlass: request.breakGlass,
      affectedServices: request.affectedServices,
      closedReason: request.closedReason,
      supersededBy: request.supersededBy,
    });
  }

  async addReview(requestId: string, review: Review): Promise<void> {
    const stored = this.stored(requestId);
    stored.request.reviews.push({ ...review });
  }

  async markReviewsStale(requestId: string): Promise<void> {
    const stored = this.stored(requestId);
    for (const review of stored.request.reviews) review.stale = true;
  }

  async addNote(requestId: string, note: Note): Promise<void> {
    const stored = this.stored(requestId);
    stored.request.notes.push({ ...note });
  }

  async appendAudit(event: AuditEvent): Promise<void> {
    const state = this.live();
    if (state.auditIds.has(event.id)) throw conflict(`audit event ${event.id} already exists`);
    const copy: AuditEvent = {
      id: event.id,
      at: event.at,
      actor: event.actor,
      type: event.type,
      breakGlass: event.breakGlass,
      details: structuredClone(event.details),
    };
    if (event.tenant !== undefined) copy.tenant = event.tenant;
    if (event.environment !== undefined) copy.environment = event.environment;
    if (event.targets !== undefined) copy.targets = [...event.targets];
    if (event.requestId !== undefined) copy.requestId = event.requestId;
    state.audit.push({ seq: state.audit.length + 1, event: copy });
    state.auditIds.add(event.id);
  }

  async findByIdempotencyKey(user: string, key: string): Promise<string | null> {
    return this.live().idempotency.get(`${emailKey(user)}\n${key}`) ?? null;
  }

  async saveIdempotencyKey(user: string, key: string, requestId: string): Promise<void> {
    const state = this.live();
    const id = `${emailKey(user)}\n${key}`;
    if (state.idempotency.has(id)) throw conflict('idempotency key already used');
    state.idempotency.set(id, requestId);
  }

  async openBreakGlass(session: BreakGlass): Promise<void> {
    const state = this.live();
    const userKey = emailKey(session.user);
    for (const s of state.breakGlass) if (s.userKey === userKey && s.closedAt === null) s.closedAt = session.openedAt;
    state.breakGlass.push({ session: { ...session }, userKey, closedAt: null });
  }

  async closeBreakGlass(user: string, at: Date): Promise<void> {
    const state = this.live();
    const userKey = emailKey(user);
    for (const s of state.breakGlass) if (s.userKey === userKey && s.closedAt === null) s.closedAt = at.toISOString();
  }

  async activeBreakGlass(user: string, now: Date): Promise<BreakGlass | null> {
    return findActiveBreakGlass(this.live(), user, now);
  }

  async activeBreakGlassOf(asked: readonly BreakGlassAsk[]): Promise<(BreakGlass | null)[]> {
    const state = this.live();
    return asked.map(({ user, now }) => findActiveBreakGlass(state, user, now));
  }

  async closeExpiredBreakGlass(session: BreakGlass): Promise<boolean> {
    const userKey = emailKey(session.user);
    const open = this.live().breakGlass.find((s) => s.userKey === userKey && s.session.openedAt === session.openedAt && s.closedAt === null);
    if (!open) return false;
    open.closedAt = open.session.expiresAt;
    return true;
  }

  async enqueueNotification(message: NewOutboxMessage): Promise<void> {
    enqueueOutbox(this.live().outbox, message);
  }

  async claimNotifications(claim: { owner: string; now: Date; leaseMs: number; limit: number }): Promise<OutboxMessage[]> {
    return claimOutbox(this.live().outbox, claim);
  }

  async recordNotificationAttempt(id: string, owner: string, outcome: OutboxOutcome): Promise<boolean> {
    return recordOutboxAttempt(this.live().outbox, id, owner, outcome);
  }

  async pruneNotifications(settledBefore: Date, limit: number): Promise<number> {
    return pruneOutbox(this.live().outbox, settledBefore, limit);
  }
}
