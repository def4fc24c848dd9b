/**
 * The Node side of the HTTP server: request ids, security headers, structured request logs, request
 * metrics, health/readiness/metrics endpoints, the API app, and the built SPA with deep links falling
 * back to index.html.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { serve, type HttpBindings, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type Context } from 'hono';
import type { Logger } from '#server/api/http-errors.ts';
import { createPinoLogger, pinoLogger, requestIdFrom, withRequestId } from './logger.ts';
import { RewindMetrics, routeMatcher } from './metrics.ts';
import { countedStream, registerOperations, type InFlightRequests, type ReadinessChecks } from './operations.ts';

/** No inline script or style element anywhere: manifest text shown in the UI can never become code. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** The headers every answer carries: its request id, the security headers, and no caching of the API. */
export function standardHeaders(path: string, requestId: string): [name: string, value: string][] {
  const headers: [string, string][] = [
    ['X-Request-Id', requestId],
    ['Content-Security-Policy', CONTENT_SECURITY_POLICY],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Frame-Options', 'DENY'],
  ];
  if (path.startsWith('/api/')) headers.push(['Cache-Control', 'no-store']);
  return headers;
}

export function isTrustedAddress(c: Context, trusted: readonly string[]): boolean {
  try {
    const address = getConnInfo(c).remote.address;
    return Boolean(address && trusted.includes(address));
  } catch {
    return false;
  }
}

export interface ServerAppOptions {
  api: { fetch: (request: Request, env?: unknown) => Response | Promise<Response>; routes?: readonly { method: string; path: string }[] };
  /** The built SPA (vite build output); absent → API only. */
  staticDir?: string;
  log: Logger;
  metrics?: RewindMetrics;
  /** `/readyz`: each named check must pass (database, repo, cluster...). */
  readiness?: ReadinessChecks;
  /** Reported by `/readyz`, never making it 503 (the GitOps agent). */
  advisory?: ReadinessChecks;
  isDraining?: () => boolean;
  /** Signed agent webhooks under `/api/hooks/*`, served outside the identity check. */
  hooks?: { fetch: (request: Request, env?: unknown) => Response | Promise<Response> } | null | undefined;
}

export function createServerApp(options: ServerAppOptions): Hono {
  const app = new Hono();
  const metrics = options.metrics ?? new RewindMetrics();
  const routeOf = routeMatcher(options.api.routes ?? []);

  app.use('*', async (c, next) => {
    const started = performance.now();
    const requestId = requestIdFrom(c.req.header('x-request-id'));
    const isStream = c.req.path === '/api/events';
    const headers = standardHeaders(c.req.path, requestId);
    // On Node the headers go on the response before the app answers, and Node adds them to the
    // answer's own (which win on a clash). Setting them on the answer after it was made would have
    // @hono/node-server rebuild it as a full web Response, streamed: a tenth of the event loop's
    // work per review under load.
    const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
    if (outgoing) for (const [name, value] of headers) outgoing.setHeader(name, value);
    await withRequestId(requestId, () => next());
    if (isStream && c.res.headers.get('content-type')?.startsWith('text/event-stream')) c.res = countedStream(c.res, metrics);
    const seconds = (performance.now() - started) / 1000;
    const route = routeOf(c.req.method, c.req.path);
    if (!['/healthz', '/readyz', '/metrics'].includes(c.req.path)) {
      metrics.httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, seconds);
    }
    // Elsewhere (`app.request` in tests) on the answer itself.
    if (!outgoing) for (const [name, value] of headers) c.header(name, value);
    options.log({
      level: c.res.status >= 500 ? 'error' : 'info',
      msg: 'request',
      requestId,
      method: c.req.method,
      path: c.req.path,
      route,
      status: c.res.status,
      ms: Math.round(seconds * 10_000) / 10,
      user: c.req.header('x-forwarded-email') ?? undefined,
    });
  });

  registerOperations(app, { metrics, readiness: options.readiness ?? {}, advisory: options.advisory ?? {}, isDraining: options.isDraining ?? (() => false) });

  // Agents sign their webhooks instead of passing the identity proxy (decision 019).
  if (options.hooks) {
    const hooks = options.hooks;
    app.post('/api/hooks/*', (c) => hooks.fetch(c.req.raw, c.env));
  }
  // The API gets the Node bindings as env so the identity check can read the peer address.
  app.all('/api/*', (c) => options.api.fetch(c.req.raw, c.env));

  const root = options.staticDir ? resolve(options.staticDir) : null;
  if (root && existsSync(join(root, 'index.html'))) {
    const indexHtml = readFileSync(join(root, 'index.html'), 'utf8');
    app.use('/assets/*', async (c, next) => {
      await next();
      if (c.res.status === 200) c.header('Cache-Control', 'public, max-age=31536000, immutable');
    });
    app.use('*', serveStatic({ root }));
    app.get('*', (c) => c.html(indexHtml));
  }
  return app;
}

/** How long an idle keep-alive connection stays open (longer than the 60 s idle timeout of common proxies). */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Listens; `inFlight`, when given, counts every response until sent (live-update streams excepted). */
export function listen(app: Hono, host: string, port: number, inFlight?: InFlightRequests): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolveListen, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => resolveListen({ server, port: info.port }));
    server.once('error', reject);
    // An idle keep-alive connection is closed by the client or proxy first, never by Rewind under a
    // request just sent on it (which the sender sees as a reset, a proxy as a 502): Node's 5 s default
    // is shorter than the idle timeouts of nginx, load balancers and browsers (60 s and more).
    if (server instanceof HttpServer) {
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
    }
    if (inFlight) {
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        if (req.url?.startsWith('/api/events')) return;
        inFlight.begin();
        res.once('close', () => inFlight.end());
      });
    }
  });
}

/** The default log: JSON lines on stdout through pino, with the request id of the current request. */
export const jsonLogger: Logger = pinoLogger(createPinoLogger());
