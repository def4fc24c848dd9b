/**
 * The operations side of `rewind serve` (decision 028): health, readiness, metrics, request ids in
 * JSON logs, and a graceful shutdown that lets a rollback caught mid-commit record its outcome.
 */
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { historyResponseSchema, rollbackRequestResponseSchema } from '#core/schemas.ts';
import { tempDirs } from '#server/git/test-repos.ts';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';
import { createServerApp } from './http-server.ts';
import { createPinoLogger, pinoLogger, requestIdFrom, withRequestId } from './logger.ts';
import { createRewindServer, type ServeOptions } from './rewind-server.ts';

const dirs = tempDirs('rewind-ops-');
afterAll(() => dirs.cleanup());

const json = { 'Content-Type': 'application/json' };
const as = (email: string) => ({ ...json, 'X-Forwarded-Email': email });

async function start(options: ServeOptions) {
  const logs: Record<string, unknown>[] = [];
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const server = await createRewindServer({ host: '127.0.0.1', port: 0, log: (entry) => logs.push(entry), ...options });
  const api = (path: string, init?: RequestInit) => fetch(new URL(path.replace(/^\//, ''), server.url), init);
  return { server, logs, api };
}

/** A pending full rollback of acme/production to its previous revision, by Sam (Dana approves). */
async function pendingRollback(api: (path: string, init?: RequestInit) => Promise<Response>): Promise<string> {
  const history = historyResponseSchema.parse(await (await api('/api/targets/acme/production/history?limit=2')).json());
  const created = await api('/api/rollbacks', {
    method: 'POST',
    headers: as('sam@example.com'),
    body: JSON.stringify({ tenant: 'acme', environment: 'production', mode: 'full', targetSha: history.revisions[1]!.sha, justification: 'undo the last release' }),
  });
  expect(created.status).toBe(201);
  return rollbackRequestResponseSchema.parse(await created.json()).request.id;
}

describe('operations endpoints', { timeout: 120_000 }, () => {
  it('healthz, readyz, request ids and Prometheus metrics by route and rollback outcome', async () => {
    const { server, logs, api } = await start({ dataDir: dirs.make('data-') });
    try {
      const health = await api('/healthz');
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'alive' });

      const ready = await api('/readyz');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', failed: [], degraded: [], checks: { database: { ok: true }, repo: { ok: true } } });

      // A proxy's request id is kept; a hostile one is replaced; none gets one.
      const traced = await api('/api/targets', { headers: { 'X-Request-Id': 'lb-1234.abc' } });
      expect(traced.headers.get('x-request-id')).toBe('lb-1234.abc');
      const hostile = await api('/api/targets', { headers: { 'X-Request-Id': 'a b<script>' } });
      expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(logs).toContainEqual(expect.objectContaining({ msg: 'request', requestId: 'lb-1234.abc', route: '/api/targets', status: 200 }));

      const id = await pendingRollback(api);
      const approved = await api(`/api/rollbacks/${id}/reviews`, { method: 'POST', headers: as('dana@example.com'), body: JSON.stringify({ decision: 'approve' }) });
      expect(approved.status, await approved.clone().text()).toBe(200);
      await api('/api/targets/acme/production/history?limit=1');

      const metrics = await api('/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await metrics.text();
      expect(text).toMatch(/rewind_http_request_duration_seconds_count\{method="GET",route="\/api\/targets\/:tenant\/:environment\/history",status="200"\} 2/);
      expect(text).toMatch(/rewind_http_request_duration_seconds_count\{method="POST",route="\/api\/rollbacks\/:id\/reviews",status="200"\} 1/);
      expect(text).toMatch(/rewind_rollbacks_total\{mode="full",outcome="completed"\} 1/);
      expect(text).toMatch(/rewind_commit_lock_wait_seconds_count 1/);
      expect(text).toMatch(/rewind_commit_queue_depth 0/);
      expect(text).toMatch(/rewind_sse_clients 0/);
      // The outbox backlog, read from the database at the scrape (no channels here: nothing queued).
      expect(text).toMatch(/^rewind_notification_outbox_pending 0$/m);
      expect(text).toMatch(/^rewind_notification_outbox_oldest_pending_age_seconds 0$/m);
      expect(text).toMatch(/process_cpu_user_seconds_total/);
      // Paths of ids never become labels.
      expect(text).not.toContain(id);
    } finally {
      await server.close();
    }
  });

  it('counts live-update clients while they are connected', async () => {
    const { server, api } = await start({ dataDir: dirs.make('data-') });
    try {
      const controller = new AbortController();
      const events = await api('/api/events', { signal: controller.signal });
      expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
      // Like every API answer: never stored, with the security headers.
      expect([events.headers.get('cache-control'), events.headers.get('x-content-type-options')]).toEqual(['no-store', 'nosniff']);
      expect(await (await api('/metrics')).text()).toMatch(/rewind_sse_clients 1/);
      controller.abort();
      await events.body?.cancel().catch(() => {});
      // The server notices the closed connection on its own schedule: look until it has.
      let text = '';
      do text = await (await api('/metrics')).text();
      while (!/rewind_sse_clients 0/.test(text));
    } finally {
      await server.close();
    }
  });

  it('shutdown lets a rollback caught between commit and record finish its response, then closes', async () => {
    const dataDir = dirs.make('data-');
    let committed!: (id: string) => void;
    const landed = new Promise<string>((resolve) => (committed = resolve));
    let resume!: () => void;
    const held = new Promise<void>((resolve) => (resume = resolve));
    const { server, api } = await start({
      dataDir,
      rollbackHooks: {
        afterCommit: async ({ requestId }) => {
          committed(requestId);
          await held;
        },
      },
    });
    const id = await pendingRollback(api);
    const approving = api(`/api/rollbacks/${id}/reviews`, { method: 'POST', headers: as('dana@example.com'), body: JSON.stringify({ decision: 'approve' }) });
    expect(await landed).toBe(id);

    let closed = false;
    const closing = server.close().then(() => (closed = true));
    // Still waiting for the execution: nothing is closed under it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    resume();
    const response = await approving;
    expect(response.status, await response.clone().text()).toBe(200);
    expect(rollbackRequestResponseSchema.parse(await response.json()).request.state).toBe('completed');
    await closing;

    const store = await SqlRequestStore.open(`${dataDir}/rewind.db`);
    try {
      expect((await store.getRequest(id))!.state).toBe('completed');
    } finally {
      await store.close();
    }
  });
});

describe('readiness', () => {
  const app = (draining: boolean, database: () => Promise<unknown>) =>
    createServerApp({ api: new Hono(), log: () => {}, isDraining: () => draining, readiness: { database, repo: async () => 'ok' } });

  it('names the check that failed and why, with 503', async () => {
    const response = await app(false, async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    }).request('/readyz');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'unready',
      failed: ['database'],
      degraded: [],
      checks: { database: { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:5432' }, repo: { ok: true, detail: 'ok' } },
    });
  });

  it('reports an advisory check (the agent) that fails as degraded, staying ready with 200', async () => {
    const server = createServerApp({
      api: new Hono(),
      log: () => {},
      readiness: { database: async () => undefined },
      advisory: {
        cluster: async () => {
          throw new Error('Argo CD: 1 of 1 Applications could not be read (acme-production: unreachable: ECONNREFUSED)');
        },
      },
    });
    const response = await server.request('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      failed: [],
      degraded: ['cluster'],
      checks: { database: { ok: true }, cluster: { ok: false, error: 'Argo CD: 1 of 1 Applications could not be read (acme-production: unreachable: ECONNREFUSED)' } },
    });
  });

  it('is 503 while shutting down, whatever the checks say; /healthz stays 200', async () => {
    const draining = app(true, async () => 'ok');
    const response = await draining.request('/readyz');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'unready', failed: ['shutdown'] });
    expect((await draining.request('/healthz')).status).toBe(200);
  });
});

describe('JSON logs', () => {
  it('are pino lines with level, time and the request id of the request they belong to', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const log = pinoLogger(createPinoLogger(sink));
    withRequestId(requestIdFrom('req-42'), () => log({ level: 'error', msg: 'unhandled error', error: 'boom' }));
    log({ level: 'info', msg: 'outside' });
    const [inside, outside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toMatchObject({ level: 'error', msg: 'unhandled error', error: 'boom', requestId: 'req-42', service: 'rewind' });
    expect(typeof inside!.time).toBe('string');
    expect(outside).toMatchObject({ level: 'info', msg: 'outside' });
    expect(outside).not.toHaveProperty('requestId');
  });
});
