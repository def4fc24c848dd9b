import { describe, expect, it } from 'vitest';
import { EventBus, type LiveEvent } from '#core/events.ts';
import { PostgresEventRelay } from '#server/sql/postgres-event-relay.ts';
import { usePostgres } from '../support/postgres.ts';

const pg = usePostgres();

/** The next event `bus` delivers that matches. */
const next = (bus: EventBus, match: (e: LiveEvent) => boolean) =>
  new Promise<LiveEvent>((resolve) => {
    const off = bus.subscribe((e) => {
      if (match(e)) {
        off();
        resolve(e);
      }
    });
  });

describe.skipIf(!pg.available)('PostgreSQL live-update relay', () => {
  it('an event published on one replica reaches the others once, and is not echoed back', { timeout: 60_000 }, async () => {
    const url = pg.serverUrl();
    const [a, b, c] = [new EventBus(), new EventBus(), new EventBus()];
    const relays = await Promise.all([a, b, c].map((bus) => PostgresEventRelay.start(bus, { url })));
    try {
      const seenOnA: LiveEvent[] = [];
      a.subscribe((e) => seenOnA.push(e));
      const onB = next(b, (e) => e.requestId === 'rbk-1');
      const onC = next(c, (e) => e.requestId === 'rbk-1');
      a.publish({ type: 'request.updated', tenant: 'acme', environment: 'production', requestId: 'rbk-1' });
      expect(await onB).toEqual({ type: 'request.updated', tenant: 'acme', environment: 'production', requestId: 'rbk-1' });
      expect(await onC).toEqual({ type: 'request.updated', tenant: 'acme', environment: 'production', requestId: 'rbk-1' });
      // A marker sent after it from B: once A has it, anything A would echo or receive twice is in too.
      const marker = next(a, (e) => e.requestId === 'marker');
      b.publish({ type: 'break-glass.changed', requestId: 'marker' });
      await marker;
      expect(seenOnA.map((e) => e.requestId)).toEqual(['rbk-1', 'marker']);
    } finally {
      await Promise.all(relays.map((r) => r.close()));
    }
  });
});
