/**
 * The transactional outbox's writing side (decision 038): a RequestStore whose transactions turn
 * every audit event that notifies (notifications.ts `EVENT_KINDS`) into one outbox message per
 * channel, in the same transaction as the event. No service can forget to notify, and a message
 * exists exactly when its state change was committed. The server's sender (server/notify) delivers.
 */
import type { Clock, RequestStore, RequestStoreTx, TargetCatalog, UserDirectory } from './ports.ts';
import { channelsFor, eligibleApprovers, messageBody, notificationKindOf, type NotificationRouting } from './notifications.ts';
import type { AuditEvent, User } from './schemas.ts';

export interface NotificationOutboxDeps {
  routing: NotificationRouting;
  users: UserDirectory;
  catalog: TargetCatalog;
  clock: Clock;
}

/** The message id: one per (event, channel), so the same event can never enqueue twice. */
export const outboxMessageId = (eventId: string, channel: string) => `ntf-${eventId}-${channel}`;

export async function enqueueNotifications(tx: RequestStoreTx, deps: NotificationOutboxDeps, event: AuditEvent): Promise<void> {
  const kind = notificationKindOf(event);
  if (kind === null) return;
  const target = event.tenant !== undefined && event.tenant !== null && event.environment !== undefined && event.environment !== null
    ? { tenant: event.tenant, environment: event.environment }
    : null;
  const channels = channelsFor(deps.routing, kind, target);
  if (channels.length === 0) return;
  const request = event.requestId ? await tx.getRequest(event.requestId) : null;
  let approvers: User[] = [];
  if (kind === 'requested' && request) {
    const config = await deps.catalog.get(request.tenant, request.environment);
    approvers = eligibleApprovers(request, config, await deps.users.list(), deps.clock.now().getTime());
  }
  const actor = await deps.users.find(event.actor);
  for (const channel of channels) {
    const id = outboxMessageId(event.id, channel.name);
    await tx.enqueueNotification({
      id,
      eventId: event.id,
      requestId: request?.id ?? event.requestId ?? null,
      kind,
      channel: channel.name,
      channelType: channel.type,
      body: messageBody(channel.type, { kind, event, request, approvers, actor, baseUrl: deps.routing.baseUrl }, id),
      createdAt: event.at,
    });
  }
}

/** Wraps `store` so that its transactions enqueue notifications with their audit events. */
export function withNotificationOutbox(store: RequestStore, deps: NotificationOutboxDeps): RequestStore {
  return {
    transaction: (work, scope) => store.transaction((tx) => work(notifyingTx(tx, deps)), scope),
    getRequest: (id) => store.getRequest(id),
    listRequests: (filter, cursor, limit) => store.listRequests(filter, cursor, limit),
    listAudit: (filter, cursor, limit) => store.listAudit(filter, cursor, limit),
    activeBreakGlass: (user, now) => store.activeBreakGlass(user, now),
    expiredBreakGlass: (now, limit) => store.expiredBreakGlass(now, limit),
    listNotifications: (requestId) => store.listNotifications(requestId),
    notificationBacklog: () => store.notificationBacklog(),
  };
}

function notifyingTx(tx: RequestStoreTx, deps: NotificationOutboxDeps): RequestStoreTx {
  return {
    getRequest: (id) => tx.getRequest(id),
    insertRequest: (request) => tx.insertRequest(request),
    updateRequest: (request) => tx.updateRequest(request),
    addReview: (requestId, review) => tx.addReview(requestId, review),
    markReviewsStale: (requestId) => tx.markReviewsStale(requestId),
    addNote: (requestId, note) => tx.addNote(requestId, note),
    appendAudit: async (event) => {
      await tx.appendAudit(event);
      await enqueueNotifications(tx, deps, event);
    },
    findByIdempotencyKey: (user, key) => tx.findByIdempotencyKey(user, key),
    saveIdempotencyKey: (user, key, requestId) => tx.saveIdempotencyKey(user, key, requestId),
    openBreakGlass: (session) => tx.openBreakGlass(session),
    closeBreakGlass: (user, at) => tx.closeBreakGlass(user, at),
    activeBreakGlass: (user, now) => tx.activeBreakGlass(user, now),
    activeBreakGlassOf: (asked) => tx.activeBreakGlassOf(asked),
    closeExpiredBreakGlass: (session) => tx.closeExpiredBreakGlass(session),
    enqueueNotification: (message) => tx.enqueueNotification(message),
    claimNotifications: (claim) => tx.claimNotifications(claim),
    recordNotificationAttempt: (id, owner, outcome) => tx.recordNotificationAttempt(id, owner, outcome),
    pruneNotifications: (settledBefore, limit) => tx.pruneNotifications(settledBefore, limit),
  };
}
