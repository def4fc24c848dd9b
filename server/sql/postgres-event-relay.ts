/**
 * Live updates across replicas: every event published on this replica's EventBus is sent with
 * PostgreSQL `NOTIFY`, and every event another replica sent arrives by `LISTEN` and is published on
 * the local bus, so a browser connected to replica A hears of an approval made through replica B.
 *
 * Events say what changed, never the data (core/events.ts), so they fit NOTIFY's payload limit and a
 * lost one (while the listening connection reconnects) costs a browser at most a stale view until its
 * next refetch.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EventBus, LiveEvent } from '#core/events.ts';
import { createPostgresPool, type PostgresOptions } from './postgres.ts';

const CHANNEL = 'rewind_live_events';
const EVENT_TYPES = new Set(['revision.created', 'request.updated', 'break-glass.changed']);

interface Envelope {
  origin: string;
  event: LiveEvent;
}

export class PostgresEventRelay {
  private readonly origin = randomUUID();
  private readonly pool: pg.Pool;
  private listener: pg.Client | null = null;
  private relaying = false;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly unsubscribe: () => void;

  private constructor(
    private readonly bus: EventBus,
    private readonly options: PostgresOptions,
    private readonly onError: (error: Error) => void,
  ) {
    this.pool = createPostgresPool({ ...options, max: 1, applicationName: `${options.applicationName ?? 'rewind'} (events)` });
    this.unsubscribe = bus.subscribe((event) => {
      if (this.relaying) return;
      const payload = JSON.stringify({ origin: this.origin, event } satisfies Envelope);
      this.pool.query('select pg_notify($1, $2)', [CHANNEL, payload]).catch((error: Error) => this.onError(error));
    });
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
    if (envelope.origin === this.origin || !EVENT_TYPES.has(envelope.event?.type)) return;
    const { type, tenant, environment, requestId } = envelope.event;
    const event: LiveEvent = { type };
    if (typeof tenant === 'string') event.tenant = tenant;
    if (typeof environment === 'string') event.environment = environment;
    if (typeof requestId === 'string') event.requestId = requestId;
    // Published here without being sent again: the bus calls its listeners synchronously.
    this.relaying = true;
    try {
      this.bus.publish(event);
    } finally {
      this.relaying = false;
    }
  }
}
