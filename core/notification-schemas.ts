/**
 * Notifications (decision 038): the outbox message as the RequestStore keeps it and the delivery
 * status the API shows on a request's page. The message body is built when the state change is
 * written, so every attempt sends the same bytes; URLs and secrets are never stored, only the name of
 * the channel whose configuration holds them.
 */
import { z } from 'zod';

export const NOTIFICATION_KINDS = ['requested', 'approved', 'rejected', 'executed', 'failed', 'withdrawn', 'superseded', 'closed', 'break-glass-opened'] as const;
export const notificationKindSchema = z.enum(NOTIFICATION_KINDS);
export type NotificationKind = z.infer<typeof notificationKindSchema>;

export const channelTypeSchema = z.enum(['slack', 'webhook']);
export type ChannelType = z.infer<typeof channelTypeSchema>;

/** `pending` covers both "not tried yet" and "retrying" (attempts > 0, `lastError` set). */
export const outboxStatusSchema = z.enum(['pending', 'delivered', 'failed']);
export type OutboxStatus = z.infer<typeof outboxStatusSchema>;

export interface NewOutboxMessage {
  /** Unique and stable: the idempotency key receivers see (`X-Rewind-Delivery`). */
  id: string;
  /** The audit event that caused it. */
  eventId: string;
  requestId: string | null;
  kind: NotificationKind;
  channel: string;
  channelType: ChannelType;
  /** The exact JSON body to POST. */
  body: string;
  createdAt: string;
}

export interface OutboxMessage extends NewOutboxMessage {
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  /** When the last attempt ended (delivered, failed or to be retried); null before the first. */
  lastAttemptAt: string | null;
}

export type OutboxOutcome =
  | { status: 'delivered'; at: Date }
  | { status: 'pending'; at: Date; error: string; nextAttemptAt: Date }
  | { status: 'failed'; at: Date; error: string };

/** What `/metrics` reports of the outbox (decision 045). */
export interface OutboxBacklog {
  /** Messages not yet delivered or failed (retrying ones included). */
  pending: number;
  /** `createdAt` of the oldest pending message; null when none is pending. */
  oldestPendingCreatedAt: string | null;
}

/** One row of a request page's "Notifications" list. */
export const notificationDeliverySchema = z.object({
  id: z.string(),
  kind: notificationKindSchema,
  channel: z.string(),
  channelType: channelTypeSchema,
  /** `retrying` = pending after at least one failed attempt. */
  status: z.enum(['pending', 'retrying', 'delivered', 'failed']),
  attempts: z.number().int().min(0),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
});
export type NotificationDelivery = z.infer<typeof notificationDeliverySchema>;

export const notificationsResponseSchema = z.object({ notifications: z.array(notificationDeliverySchema) });
export type NotificationsResponse = z.infer<typeof notificationsResponseSchema>;

export function deliveryOf(message: OutboxMessage): NotificationDelivery {
  const status = message.status === 'pending' && message.attempts > 0 ? 'retrying' : message.status;
  return {
    id: message.id,
    kind: message.kind,
    channel: message.channel,
    channelType: message.channelType,
    status,
    attempts: message.attempts,
    lastError: message.lastError,
    lastAttemptAt: message.lastAttemptAt,
    nextAttemptAt: message.status === 'pending' ? message.nextAttemptAt : null,
    createdAt: message.createdAt,
  };
}
