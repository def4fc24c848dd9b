/**
 * What an orchestrator and a load balancer ask a replica: `GET /healthz` (the process answers),
 * `GET /readyz` (everything it needs is reachable: 503 naming what is not, and while shutting down),
 * `GET /metrics` (Prometheus). Node-only: the API app (server/api) stays fetch-standard.
 */
import type { Hono } from 'hono';
import type { RewindMetrics } from './metrics.ts';

/** A named dependency check: resolves when reachable, throws (with a message saying why) when not. */
export type ReadinessChecks = Record<string, () => Promise<unknown>>;

const CHECK_TIMEOUT_MS = 3_000;

type CheckResult = { ok: true; detail?: string } | { ok: false; error: string };

/** A check that resolves to a string reports it as `detail` (what was found, e.g. the agent objects read). */
async function runCheck(check: () => Promise<unknown>): Promise<CheckResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
  });
  try {
    const value = await Promise.race([check(), timeout]);
    return typeof value === 'string' ? { ok: true, detail: value } : { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export interface OperationsOptions {
  metrics: RewindMetrics;
  readiness: ReadinessChecks;
  /**
   * Reported by `/readyz` but never making it 503 (listed in `degraded`): the GitOps agent. Rewind
   * without its agent still serves history and rollbacks (statuses say "unknown — why"), so taking
   * every replica out of the load balancer when Argo CD is down would cost the console in an incident.
   */
  advisory?: ReadinessChecks;
  /** True once shutdown began: the load balancer should send nothing new. */
  isDraining: () => boolean;
}

export function registerOperations(app: Hono, options: OperationsOptions): void {
  app.get('/healthz', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'alive' });
  });

  app.get('/readyz', async (c) => {
    c.header('Cache-Control', 'no-store');
    if (options.isDraining()) return c.json({ status: 'unready', failed: ['shutdown'], degraded: [], checks: { shutdown: { ok: false, error: 'the server is shutting down' } } }, 503);
    const all: ReadinessChecks = { ...options.readiness, ...options.advisory };
    const names = Object.keys(all);
    const results = await Promise.all(names.map((name) => runCheck(all[name]!)));
    const checks = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
    const advisory = new Set(Object.keys(options.advisory ?? {}));
    const failed = names.filter((name, i) => !results[i]!.ok && !advisory.has(name));
    const degraded = names.filter((name, i) => !results[i]!.ok && advisory.has(name));
    return c.json({ status: failed.length ? 'unready' : 'ready', failed, degraded, checks }, failed.length ? 503 : 200);
  });

  app.get('/metrics', async (c) => {
    const { contentType, body } = await options.metrics.render();
    return c.body(body, 200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  });
}

/**
 * Counts HTTP responses not yet sent (live-update streams excepted), so shutdown can let them finish.
 * Fed by the Node server's own request events: a response counts until its last byte is out.
 */
export class InFlightRequests {
  private count = 0;
  private waiters: (() => void)[] = [];

  begin(): void {
    this.count += 1;
  }

  end(): void {
    this.count -= 1;
    if (this.count === 0) for (const resolve of this.waiters.splice(0)) resolve();
  }

  get size(): number {
    return this.count;
  }

  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** The same event stream, counted in `rewind_sse_clients` until it ends or the browser goes away. */
export function countedStream(response: Response, metrics: RewindMetrics): Response {
  if (!response.body) return response;
  const reader = response.body.getReader();
  metrics.sseClients.inc();
  let open = true;
  const finish = () => {
    if (open) {
      open = false;
      metrics.sseClients.dec();
    }
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          finish();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        finish();
        controller.error(error);
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
