/**
 * Prometheus metrics (prom-client), one registry per server: request latency by route, rollbacks by
 * mode and outcome, commit-lock wait, executions queued for the commit lock, SSE clients, plus Node's
 * process metrics. What is measured is measured by wrappers of the ports (`InstrumentedCommitLock`,
 * `instrumentRequestStore`), so core and the API layer stay free of Node and of metrics.
 */
import { PatternRouter } from 'hono/router/pattern-router';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OutboxBacklog } from '#core/notification-schemas.ts';
import type { Clock, CommitLock, RequestStore, RequestStoreTx, TransactionScope } from '#core/ports.ts';
import type { RollbackRequest } from '#core/schemas.ts';

export class RewindMetrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'rewind_http_request_duration_seconds',
    help: 'HTTP request latency by route (the route pattern, not the path) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly rollbacks = new Counter({
    name: 'rewind_rollbacks_total',
    help: 'Rollback executions recorded by this replica, by mode (full, service, field) and outcome (completed, failed)',
    labelNames: ['mode', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly commitLockWait = new Histogram({
    name: 'rewind_commit_lock_wait_seconds',
    help: 'Time a rollback waited for the commit lock of the branch (across replicas with PostgreSQL)',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly commitQueueDepth = new Gauge({
    name: 'rewind_commit_queue_depth',
    help: 'Rollbacks of this replica waiting for the commit lock',
    registers: [this.registry],
  });
  readonly executionsInFlight = new Gauge({
    name: 'rewind_executions_in_flight',
    help: 'Rollback executions of this replica between claim and recorded outcome',
    registers: [this.registry],
  });
  readonly agentPollErrors = new Counter({
    name: 'rewind_agent_poll_errors_total',
    help: 'Failed reads of GitOps agent objects, by agent (argocd, flux) and reason class (unreachable, timeout, unauthorized, forbidden, not-found, server-error, http-error, malformed, shape, other)',
    labelNames: ['agent', 'reason'] as const,
    registers: [this.registry],
  });
  readonly sseClients = new Gauge({
    name: 'rewind_sse_clients',
    help: 'Browsers connected to /api/events on this replica',
    registers: [this.registry],
  });

  readonly outboxPending = new Gauge({
    name: 'rewind_notification_outbox_pending',
    help: 'Notification outbox messages not yet delivered or failed, retrying ones included (all replicas: read from the database at scrape; NaN when it cannot be read)',
    registers: [this.registry],
  });
  readonly outboxOldestPendingAge = new Gauge({
    name: 'rewind_notification_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest pending notification outbox message, 0 when none is pending (NaN when the database cannot be read)',
    registers: [this.registry],
  });
  private outbox: { read: () => Promise<OutboxBacklog>; clock: Clock } | null = null;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Reads the outbox backlog at every scrape (decision 045). */
  watchOutbox(read: () => Promise<OutboxBacklog>, clock: Clock): void {
    this.outbox = { read, clock };
  }

  async render(): Promise<{ contentType: string; body: string }> {
    if (this.outbox) await this.refreshOutbox(this.outbox);
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async refreshOutbox(outbox: { read: () => Promise<OutboxBacklog>; clock: Clock }): Promise<void> {
    try {
      const backlog = await outbox.read();
      this.outboxPending.set(backlog.pending);
      const oldest = backlog.oldestPendingCreatedAt === null ? null : Date.parse(backlog.oldestPendingCreatedAt);
      this.outboxOldestPendingAge.set(oldest === null ? 0 : Math.max(0, (outbox.clock.now().getTime() - oldest) / 1000));
    } catch {
      // Unknown is not zero: Prometheus shows NaN, and /readyz says why the database is unreachable.
      this.outboxPending.set(Number.NaN);
      this.outboxOldestPendingAge.set(Number.NaN);
    }
  }
}

/** Maps a request path to the pattern of the route that serves it, so labels stay few. */
export function routeMatcher(routes: readonly { method: string; path: string }[]): (method: string, path: string) => string {
  const router = new PatternRouter<string>();
  for (const route of routes) {
    if (route.method !== 'ALL' && !route.path.endsWith('*')) router.add(route.method, route.path, route.path);
  }
  return (method, path) => {
    const [matches] = router.match(method === 'HEAD' ? 'GET' : method, path);
    const found = matches[0]?.[0];
    if (found) return found;
    return path.startsWith('/api/') ? '/api/(unknown)' : '(static)';
  };
}

/** Measures the commit-lock wait and queue, and lets shutdown wait for executions in flight. */
export class InstrumentedCommitLock implements CommitLock {
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly inner: CommitLock,
    private readonly metrics: RewindMetrics,
  ) {}

  async withCommitLock<T>(work: () => Promise<T>): Promise<T> {
    const queued = performance.now();
    this.metrics.commitQueueDepth.inc();
    let started = false;
    try {
      return await this.inner.withCommitLock(() => {
        started = true;
        this.metrics.commitQueueDepth.dec();
        this.metrics.commitLockWait.observe((performance.now() - queued) / 1000);
        return work();
      });
    } finally {
      if (!started) this.metrics.commitQueueDepth.dec();
    }
  }

  withExecutionLease<T>(requestId: string, work: () => Promise<T>): Promise<T> {
    return this.tracked(() => this.inner.withExecutionLease(requestId, work));
  }

  tryExecutionLease<T>(requestId: string, work: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }> {
    return this.tracked(() => this.inner.tryExecutionLease(requestId, work));
  }

  get executionsInFlight(): number {
    return this.inFlight;
  }

  /** Resolves once no execution is in flight (at once when none is). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async tracked<T>(run: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    this.metrics.executionsInFlight.set(this.inFlight);
    try {
      return await run();
    } finally {
      this.inFlight -= 1;
      this.metrics.executionsInFlight.set(this.inFlight);
      if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}

/**
 * Counts rollback outcomes as they are committed to the store: a request updated to `completed` or
 * `failed` inside a transaction that then commits. A transaction that throws counts nothing.
 */
export function instrumentRequestStore<S extends RequestStore>(store: S, metrics: RewindMetrics): S {
  const transaction = async <T>(work: (tx: RequestStoreTx) => Promise<T>, scope?: TransactionScope): Promise<T> => {
    const outcomes: RollbackRequest[] = [];
    const result = await store.transaction((tx) => {
      const updateRequest = async (request: RollbackRequest) => {
        await tx.updateRequest(request);
        if (request.state === 'completed' || request.state === 'failed') outcomes.push(request);
      };
      return work(delegate(tx, { updateRequest }));
    }, scope);
    for (const request of outcomes) metrics.rollbacks.inc({ mode: request.mode, outcome: request.state });
    return result;
  };
  return delegate(store, { transaction } as Partial<S>);
}

/** `target` with some members replaced; its own methods keep running on `target` itself. */
function delegate<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof T];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}
