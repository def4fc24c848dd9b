/**
 * Transaction scopes (decision 052). A scoped transaction writes only the requests it names (and
 * appends audit events and notifications), so a store may run scoped transactions on different
 * requests at the same time (PostgreSQL: a lock per request instead of one for the whole store). The
 * promise is only as good as its keeping: `scopedTx` makes every store refuse a write outside the
 * scope, so a service that forgets to widen its scope fails in every test, not only under load.
 */
import type { RequestStoreTx, TransactionScope } from './ports.ts';

/** Each request once, sorted: the order in which a store takes their locks (no lock-order deadlock). */
export function scopeRequests(scope: TransactionScope): string[] {
  const ids = [...new Set(scope.requests)].sort();
  if (ids.length === 0) throw new Error('a transaction scope names at least one request');
  return ids;
}

/** One request's scope. */
export const requestScope = (...ids: string[]): TransactionScope => ({ requests: ids });

/** `tx` refusing, with a programming error, every write outside `scope`. */
export function scopedTx(tx: RequestStoreTx, scope: TransactionScope): RequestStoreTx {
  const allowed = new Set(scopeRequests(scope));
  const inScope = (id: string, what: string) => {
    if (!allowed.has(id)) throw outside(`${what} of request ${id}`, scope);
  };
  const refuse = (what: string) => () => Promise.reject(outside(what, scope));
  return {
    getRequest: (id) => tx.getRequest(id),
    insertRequest: refuse('inserting a request'),
    updateRequest: async (request) => {
      inScope(request.id, 'an update');
      await tx.updateRequest(request);
    },
    addReview: async (requestId, review) => {
      inScope(requestId, 'a review');
      await tx.addReview(requestId, review);
    },
    markReviewsStale: async (requestId) => {
      inScope(requestId, 'dismissing the reviews');
      await tx.markReviewsStale(requestId);
    },
    addNote: async (requestId, note) => {
      inScope(requestId, 'a note');
      await tx.addNote(requestId, note);
    },
    appendAudit: (event) => tx.appendAudit(event),
    findByIdempotencyKey: (user, key) => tx.findByIdempotencyKey(user, key),
    saveIdempotencyKey: refuse('saving an idempotency key'),
    openBreakGlass: refuse('opening a break-glass session'),
    closeBreakGlass: refuse('closing a break-glass session'),
    activeBreakGlass: (user, now) => tx.activeBreakGlass(user, now),
    activeBreakGlassOf: (asked) => tx.activeBreakGlassOf(asked),
    closeExpiredBreakGlass: refuse('closing an expired break-glass session'),
    enqueueNotification: (message) => tx.enqueueNotification(message),
    claimNotifications: refuse('claiming notifications'),
    recordNotificationAttempt: refuse('recording a notification attempt'),
    pruneNotifications: refuse('pruning notifications'),
  };
}

function outside(what: string, scope: TransactionScope): Error {
  return new Error(`${what} is outside this transaction's scope (requests ${scope.requests.join(', ')}): widen the scope or use an unscoped transaction`);
}
