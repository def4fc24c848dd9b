import { useQuery } from '@tanstack/react-query';
import type { NotificationDelivery } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { formatAbsolute } from '#src/lib/time.ts';
import { requestNotificationsQueryOptions } from '#src/features/rollback/api/rollback-query-options.ts';
import '#src/features/rollback/notifications-panel.css';

const KIND_LABELS: Record<NotificationDelivery['kind'], string> = {
  requested: 'Review requested',
  approved: 'Approved',
  rejected: 'Rejected',
  executed: 'Committed',
  failed: 'Failed',
  withdrawn: 'Withdrawn',
  superseded: 'Superseded',
  closed: 'Closed',
  'break-glass-opened': 'Break-glass opened',
};

/** What Rewind knows of one delivery, in words: never more than the outbox recorded. */
export function deliveryText(delivery: NotificationDelivery): string {
  const channel = `${delivery.channelType === 'slack' ? 'Slack' : 'Webhook'} ${delivery.channel}`;
  const at = (iso: string | null) => (iso ? formatAbsolute(iso, 'minutes') : 'at an unknown time');
  switch (delivery.status) {
    case 'pending':
      return `${channel}: queued, not sent yet`;
    case 'retrying':
      return `${channel}: retrying (${delivery.attempts} failed ${delivery.attempts === 1 ? 'attempt' : 'attempts'}, last error ${delivery.lastError ?? 'unknown'})${delivery.nextAttemptAt ? `, next try ${at(delivery.nextAttemptAt)}` : ''}`;
    case 'delivered':
      return `${channel}: delivered ${at(delivery.lastAttemptAt)}`;
    case 'failed':
      return `${channel}: failed after ${delivery.attempts} ${delivery.attempts === 1 ? 'attempt' : 'attempts'}, last error ${delivery.lastError ?? 'unknown'}`;
  }
}

/** Who was told about this request, and whether it reached them (decision 038). */
export function NotificationsPanel({ requestId }: { requestId: string }) {
  const backend = useBackend();
  const notifications = useQuery(requestNotificationsQueryOptions(backend, requestId));
  return (
    <section className="panel request-section" aria-labelledby="request-notifications">
      <h2 id="request-notifications">Notifications</h2>
      {notifications.isPending ? (
        <p className="muted">Loading notifications…</p>
      ) : notifications.isError ? (
        <p role="status">Delivery status unknown: it could not be read ({notifications.error.message}).</p>
      ) : notifications.data.length === 0 ? (
        <p className="muted">
          No notifications kept for this request: no channel is configured for its events and target, or they were delivered or
          failed longer ago than the outbox keeps them (the audit trail keeps each outcome).
        </p>
      ) : (
        <ul className="notification-list" data-testid="notifications">
          {notifications.data.map((delivery) => (
            <li key={delivery.id} className={`notification notification--${delivery.status}`} data-status={delivery.status}>
              <span className="notification__kind">{KIND_LABELS[delivery.kind]}</span> {deliveryText(delivery)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
