/**
 * The outbox's sending side (decision 038): claims due messages with a lease, POSTs each with an
 * explicit timeout, and records the outcome with a `notification.delivered` / `notification.failed`
 * audit event in one transaction. Failures retry with exponential backoff and jitter until
 * `maxAttempts`, then the message is `failed` (shown on the request page).
 *
 * At least once: a message is marked delivered only after the receiver answered 2xx, so a crash
 * between that answer and the record sends it again after the lease runs out. Every attempt carries
 * the same `X-Rewind-Delivery` / `Idempotency-Key` (the message id): receivers drop the duplicate.
 */
import { randomUUID } from 'node:crypto';
import type { EventBus } from '#core/events.ts';
import type { OutboxMessage, OutboxOutcome } from '#core/notification-schemas.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signatureHeader } from '#core/notification-signing.ts';
import type { Clock, IdGenerator, RequestStore } from '#core/ports.ts';
import type { ResolvedChannel } from './notify-config.ts';

export interface NotificationSenderOptions {
  store: RequestStore;
  channels: ReadonlyMap<string, ResolvedChannel>;
  clock: Clock;
  ids: IdGenerator;
  events?: EventBus | undefined;
  log?: ((entry: Record<string, unknown>) => void) | undefined;
  maxAttempts?: number | undefined;
  /** Per attempt, default 5000 ms. */
  timeoutMs?: number | undefined;
  /** Backoff: `baseDelayMs * 2^(attempts-1)`, capped at `maxDelayMs`, times a jitter in [0.5, 1). */
  baseDelayMs?: number | undefined;
  maxDelayMs?: number | undefined;
  /** How often the outbox is looked at when idle (default 1000 ms); `wake()` looks at once. */
  pollMs?: number | undefined;
  batchSize?: number | undefined;
  random?: (() => number) | undefined;
  /**
   * Retention (decision 045): delivered and failed messages are deleted this long after their last
   * attempt (default 7 days); the audit trail keeps the outcome. Looked at every `pruneEveryMs`
   * (default 1 h, and once at start).
   */
  retentionMs?: number | undefined;
  pruneEveryMs?: number | undefined;
}

const DAY_MS = 86_400_000;
const PRUNE_BATCH = 500;

const RETRYABLE_STATUS = new Set([408, 425, 429]);

export class NotificationSender {
  readonly owner = `sender-${randomUUID()}`;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private again = false;
  private lastPruneAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: NotificationSenderOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxAttempts = options.maxAttempts ?? 8;
  }

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Stops polling and waits for the round in progress (its attempts end within `timeoutMs`). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Looks at the outbox now (e.g. right after a state change committed). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.loop().finally(() => {
      this.running = null;
      if (!this.stopped) this.timer = setTimeout(() => this.wake(), this.again ? 0 : (this.options.pollMs ?? 1000));
      this.again = false;
    });
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped && (await this.runOnce()) > 0);
      if (!this.stopped && this.options.clock.now().getTime() - this.lastPruneAt >= (this.options.pruneEveryMs ?? 3_600_000)) await this.prune();
    } catch (error) {
      this.options.log?.({ level: 'warn', msg: 'notification sender: could not read the outbox', error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Deletes the messages settled longer ago than the retention, in batches; returns how many. */
  async prune(): Promise<number> {
    const now = this.options.clock.now();
    this.lastPruneAt = now.getTime();
    const before = new Date(now.getTime() - (this.options.retentionMs ?? 7 * DAY_MS));
    let total = 0;
    for (;;) {
      const deleted = await this.options.store.transaction((tx) => tx.pruneNotifications(before, PRUNE_BATCH));
      total += deleted;
      if (deleted < PRUNE_BATCH || this.stopped) break;
    }
    if (total > 0) this.options.log?.({ level: 'info', msg: 'notification outbox: removed settled messages past retention', removed: total, settledBefore: before.toISOString() });
    return total;
  }

  /** One round: claim due messages, send them concurrently, record each. Returns how many it claimed. */
  async runOnce(): Promise<number> {
    const leaseMs = this.timeoutMs * 2 + 5000;
    const claimed = await this.options.store.transaction((tx) =>
      tx.claimNotifications({ owner: this.owner, now: this.options.clock.now(), leaseMs, limit: this.options.batchSize ?? 20 }),
    );
    await Promise.all(claimed.map((message) => this.deliver(message)));
    return claimed.length;
  }

  private async deliver(message: OutboxMessage): Promise<void> {
    const channel = this.options.channels.get(message.channel);
    const result = channel ? await this.post(channel, message) : { ok: false as const, retry: false, error: `channel ${message.channel} is not configured` };
    const at = this.options.clock.now();
    const attempts = message.attempts + 1;
    const outcome: OutboxOutcome = result.ok
      ? { status: 'delivered', at }
      : result.retry && attempts < this.maxAttempts
        ? { status: 'pending', at, error: result.error, nextAttemptAt: new Date(at.getTime() + this.backoff(attempts)) }
        : { status: 'failed', at, error: result.error };
    const recorded = await this.options.store.transaction(async (tx) => {
      if (!(await tx.recordNotificationAttempt(message.id, this.owner, outcome))) return null;
      if (outcome.status === 'pending') return null;
      const request = message.requestId ? await tx.getRequest(message.requestId) : null;
      await tx.appendAudit({
        id: this.options.ids.next('evt-'),
        at: at.toISOString(),
        actor: 'rewind',
        type: outcome.status === 'delivered' ? 'notification.delivered' : 'notification.failed',
        ...(request ? { tenant: request.tenant, environment: request.environment, requestId: request.id } : {}),
        breakGlass: false,
        details: { notification: message.id, kind: message.kind, channel: message.channel, attempts, ...(outcome.status === 'failed' ? { error: outcome.error } : {}) },
      });
      return request;
    });
    this.options.log?.({ level: outcome.status === 'failed' ? 'warn' : 'info', msg: `notification ${outcome.status === 'pending' ? 'retrying' : outcome.status}`, notification: message.id, channel: message.channel, attempts, ...(outcome.status !== 'delivered' ? { error: outcome.error } : {}) });
    if (message.requestId) this.options.events?.publish({ type: 'request.updated', requestId: message.requestId, ...(recorded ? { tenant: recorded.tenant, environment: recorded.environment } : {}) });
  }

  private backoff(attempts: number): number {
    const base = this.options.baseDelayMs ?? 1000;
    const delay = Math.min(this.options.maxDelayMs ?? 300_000, base * 2 ** (attempts - 1));
    return Math.round(delay * (0.5 + (this.options.random ?? Math.random)() / 2));
  }

  /** Never puts the URL in an error: it may carry a token. */
  private async post(channel: ResolvedChannel, message: OutboxMessage): Promise<{ ok: true } | { ok: false; retry: boolean; error: string }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Rewind-Notifications/1',
      [DELIVERY_HEADER]: message.id,
      'Idempotency-Key': message.id,
      'X-Rewind-Event': message.kind,
    };
    if (channel.secret !== null) headers[SIGNATURE_HEADER] = await signatureHeader(channel.secret, message.body, this.options.clock.now());
    try {
      const response = await fetch(channel.url, { method: 'POST', headers, body: message.body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return { ok: true };
      return { ok: false, retry: response.status >= 500 || RETRYABLE_STATUS.has(response.status), error: `HTTP ${response.status}` };
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'TimeoutError' || name === 'AbortError') return { ok: false, retry: true, error: `no answer within ${this.timeoutMs} ms` };
      const cause = error instanceof Error && error.cause && typeof error.cause === 'object' && 'code' in error.cause ? String(error.cause.code) : 'network error';
      return { ok: false, retry: true, error: `could not connect (${cause})` };
    }
  }
}
