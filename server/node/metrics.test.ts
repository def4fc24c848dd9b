import { describe, expect, it } from 'vitest';
import { FixedClock } from '#core/basic-adapters.ts';
import type { OutboxBacklog } from '#core/notification-schemas.ts';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { RewindMetrics } from './metrics.ts';

const clock = new FixedClock(new Date('2026-12-01T12:00:00.000Z'));

describe('outbox backlog gauges (decision 045)', () => {
  it('read the backlog at each scrape: pending count and the oldest pending message’s age', async () => {
    let backlog: OutboxBacklog = { pending: 0, oldestPendingCreatedAt: null };
    const metrics = new RewindMetrics();
    metrics.watchOutbox(async () => backlog, clock);
    expect((await metrics.render()).body).toMatch(/^rewind_notification_outbox_pending 0$/m);
    expect((await metrics.render()).body).toMatch(/^rewind_notification_outbox_oldest_pending_age_seconds 0$/m);
    backlog = { pending: 3, oldestPendingCreatedAt: '2026-12-01T11:58:30.500Z' };
    const { body } = await metrics.render();
    expect(body).toMatch(/^rewind_notification_outbox_pending 3$/m);
    expect(body).toMatch(/^rewind_notification_outbox_oldest_pending_age_seconds 89.5$/m);
  });

  it('say NaN, not 0, when the store cannot be read', async () => {
    const metrics = new RewindMetrics();
    metrics.watchOutbox(async () => Promise.reject(new Error('database down')), clock);
    const { body } = await metrics.render();
    expect(body).toMatch(/^rewind_notification_outbox_pending NaN$/im); // prom-client writes "Nan", which Prometheus parses as NaN
    expect(body).toMatch(/^rewind_notification_outbox_oldest_pending_age_seconds NaN$/im);
  });

  it('over a real store: a message enqueued an hour ago', async () => {
    const store = new InMemoryRequestStore();
    await store.transaction((tx) =>
      tx.enqueueNotification({ id: 'ntf-1', eventId: 'evt-1', requestId: null, kind: 'closed', channel: 'ops', channelType: 'webhook', body: '{}', createdAt: '2026-12-01T11:00:00.000Z' }),
    );
    const metrics = new RewindMetrics();
    metrics.watchOutbox(() => store.notificationBacklog(), clock);
    const { body } = await metrics.render();
    expect(body).toMatch(/^rewind_notification_outbox_pending 1$/m);
    expect(body).toMatch(/^rewind_notification_outbox_oldest_pending_age_seconds 3600$/m);
  });
});
