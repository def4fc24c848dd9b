/**
 * Live updates across replicas: every event published on this replica's EventBus is sent with
 * PostgreSQL `NOTIFY`, and every event another replica sent arrives by `LISTEN` and is published on
 * the local bus, so a browser connected to replica A hears of an approval made through replica B.
 *
 * Events say what changed, never the data (core/events.ts), so they fit NOTIFY's payload limit; the
 * events of one turn of the event loop go in one NOTIFY (decision 052: one per review was a database
 * round trip per review, and as many wake-ups for every listening replica). Those
 * sent while the listening connection was down are lost: when it is back, this replica tells its own
 * browsers that anything may have changed (events without a target or request, which make them read
 * again what they show), instead of leaving them a stale view until their next refetch.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EventBus, LiveEvent } from '#core/events.ts';
import { createPostgresPool, KEEPALIVE_DELAY_MS, type PostgresOptions } from './postgres.ts';

const CHANNEL = 'rewind_live_events';
const EVENT_TYPES = new Set(['revision.created', 'request.updated', 'break-glass.changed']);

/** After a gap: every kind of change, for no target or request in particular (browsers read all again). */
const CATCH_UP: readonly LiveEvent[] = [{ type: 'revision.created' }, { type: 'request.updated' }, { type: 'break-glass.changed' }];

/** Below NOTIFY's 8,000-byte payload limit, with room for the envelope. */
const PAYLOAD_MAX = 7_000;

/** `event` alone is how replicas before decision 052 send: still understood during a rolling upgrade. */
interface Envelope {
  origin: string;
  event?: LiveEvent;
  events?: LiveEvent[];
}

export class PostgresEventRelay {
  private readonly origin = randomUUID();
  private readonly pool: pg.Pool;
  private listener: pg.Client | null = null;
  private relaying = false;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Connections made to listen; from the second on, events may have been missed in between. */
  private listens = 0;
  private readonly unsubscribe: () => void;
  /** Published here this turn, sent together at its end. */
  private outgoing: LiveEvent[] = [];

  private constructor(
    private readonly bus: EventBus,
    private readonly options: PostgresOptions,
    private readonly onError: (error: Error) => void,
  ) {
    this.pool = createPostgresPool({ ...options, max: 1, applicationName: `${options.applicationName ?? 'rewind'} (events)` });
    this.unsubscribe = bus.subscribe((event) => {
      if (this.relaying) return;
      if (this.outgoing.push(event) === 1) setImmediate(() => this.send());
    });
  }

  /** This turn's events, in as few NOTIFYs as fit (in order). */
  private send(): Promise<unknown> {
    const events = this.outgoing;
    this.outgoing = [];
    const sent: Promise<unknown>[] = [];
    let batch: LiveEvent[] = [];
    let size = 0;
    const flush = () => {
      if (batch.length === 0) return;
      const payload = JSON.stringify({ origin: this.origin, events: batch } satisfies Envelope);
      sent.push(this.pool.query('select pg_notify($1, $2)', [CHANNEL, payload]).catch((error: Error) => this.onError(error)));
      batch = [];
      size = 0;
    };
    for (const event of events) {
      const length = JSON.stringify(event).length + 1;
      if (size + length > PAYLOAD_MAX) flush();
      batch.push(event);
      size += length;
    }
    flush();
    return Promise.all(sent);
  }

  /** Starts relaying; resolves once this replica listens (so nothing sent after it is missed). */
  static async start(bus: EventBus, options: PostgresOptions & { onError?: (error: Error) => void }): Promise<PostgresEventRelay> {
    const relay = new PostgresEventRelay(bus, options, options.onError ?? (() => {}));
    try {
      await relay.listen();
    } catch (error) {
      await relay.close();
      throw error;
    }
    return relay;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.unsubscribe();
    // What this turn published still leaves (a shutdown's last outcomes).
    await this.send();
    const listener = this.listener;
    this.listener = null;
    await Promise.all([listener?.end().catch(() => {}), this.pool.end()]);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      ...(this.options.password !== undefined ? { password: this.options.password } : {}),
      application_name: `${this.options.applicationName ?? 'rewind'} (listen)`,
      connectionTimeoutMillis: 5_000,
      // A LISTEN connection is idle by nature: keepalive finds one whose peer vanished (postgres.ts).
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    });
    const lost = (error?: Error) => {
      if (this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => {});
      if (error) this.onError(error);
      this.retry(1_000);
    };
    client.on('error', (error) => lost(error));
    client.on('end', () => lost());
    client.on('notification', (message) => this.receive(message.payload));
    await client.connect();
    await client.query(`listen ${CHANNEL}`);
    this.listener = client;
    if (this.listens++ > 0) this.publishLocally(CATCH_UP);
  }

  private retry(delayMs: number): void {
    if (this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.listen().catch((error: Error) => {
        this.onError(error);
        this.retry(Math.min(delayMs * 2, 10_000));
      });
    }, delayMs);
    this.retryTimer.unref();
  }

  private receive(payload: string | undefined): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload ?? '') as Envelope;
    } catch {
      return;
    }
    if (envelope?.origin === this.origin) return;
    const sent = Array.isArray(envelope?.events) ? envelope.events : [envelope?.event];
    const events: LiveEvent[] = [];
    for (const item of sent) {
      if (!EVENT_TYPES.has(item?.type as string)) continue;
      const { type, tenant, environment, requestId } = item!;
      const event: LiveEvent = { type };
      if (typeof tenant === 'string') event.tenant = tenant;
      if (typeof environment === 'string') event.environment = environment;
      if (typeof requestId === 'string') event.requestId = requestId;
      events.push(event);
    }
    if (events.length > 0) this.publishLocally(events);
  }

  /** Published here without being sent again: the bus calls its listeners synchronously. */
  private publishLocally(events: readonly LiveEvent[]): void {
    this.relaying = true;
    try {
      for (const event of events) this.bus.publish(event);
    } finally {
      this.relaying = false;
    }
  }
}
