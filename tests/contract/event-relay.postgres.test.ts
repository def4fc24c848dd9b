import { Client } from 'pg';
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

  it('the events of one turn go in as few NOTIFYs as fit, in order; an older replica\'s single event is still heard', { timeout: 60_000 }, async () => {
    const url = pg.serverUrl();
    const [a, b] = [new EventBus(), new EventBus()];
    const relays = await Promise.all([a, b].map((bus) => PostgresEventRelay.start(bus, { url })));
    const raw = new Client({ connectionString: url });
    await raw.connect();
    try {
      const payloads: string[] = [];
      raw.on('notification', (n) => {
        if (n.payload?.includes('"bulk-')) payloads.push(n.payload);
      });
      await raw.query('listen rewind_live_events');
      const ids = Array.from({ length: 300 }, (_, i) => `bulk-${i}`);
      const seen: string[] = [];
      const all = new Promise<void>((resolve) =>
        b.subscribe((e) => {
          if (e.requestId?.startsWith('bulk-') && seen.push(e.requestId) === ids.length) resolve();
        }),
      );
      for (const id of ids) a.publish({ type: 'request.updated', tenant: 'acme', environment: 'production', requestId: id });
      await all;
      expect(seen).toEqual(ids);
      // 300 events of ~90 bytes: more than one payload of at most 8,000 bytes, far fewer than 300.
      expect(payloads.length).toBeGreaterThan(1);
      expect(payloads.length).toBeLessThan(10);
      for (const payload of payloads) expect(payload.length).toBeLessThan(8_000);
      // A replica from before batching sends `event` alone.
      const old = next(b, (e) => e.requestId === 'from-an-old-replica');
      await raw.query('select pg_notify($1, $2)', ['rewind_live_events', JSON.stringify({ origin: 'old', event: { type: 'request.updated', requestId: 'from-an-old-replica' } })]);
      expect(await old).toEqual({ type: 'request.updated', requestId: 'from-an-old-replica' });
    } finally {
      await raw.end();
      await Promise.all(relays.map((r) => r.close()));
    }
  });

  it('a listening connection cut by the server comes back, and its replica tells its browsers to read everything again', { timeout: 60_000 }, async () => {
    const url = pg.serverUrl();
    const [a, b] = [new EventBus(), new EventBus()];
    const errors: Error[] = [];
    const relayA = await PostgresEventRelay.start(a, { url, applicationName: 'relay-cut-a', onError: (error) => errors.push(error) });
    const relayB = await PostgresEventRelay.start(b, { url, applicationName: 'relay-cut-b' });
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      const seenOnA: LiveEvent[] = [];
      a.subscribe((e) => seenOnA.push(e));
      const catchUp = next(a, (e) => e.type === 'revision.created' && e.tenant === undefined);
      const { rowCount } = await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'relay-cut-a (listen)'");
      expect(rowCount).toBe(1);
      await catchUp;
      expect(errors.length).toBeGreaterThan(0);
      expect(seenOnA).toEqual([{ type: 'revision.created' }, { type: 'request.updated' }, { type: 'break-glass.changed' }]);
      // Listening again: B's next event reaches A.
      const after = next(a, (e) => e.requestId === 'rbk-after-cut');
      b.publish({ type: 'request.updated', tenant: 'acme', environment: 'production', requestId: 'rbk-after-cut' });
      expect(await after).toMatchObject({ requestId: 'rbk-after-cut' });
    } finally {
      await admin.end();
      await Promise.all([relayA.close(), relayB.close()]);
    }
  });
});
