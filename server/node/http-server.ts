/**
 * The Node side of the HTTP server: security headers, structured request logs, the API app, and the
 * built SPA with deep links falling back to index.html.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type Context } from 'hono';
import type { Logger } from '#server/api/http-errors.ts';

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

export function isTrustedAddress(c: Context, trusted: readonly string[]): boolean {
  try {
    const address = getConnInfo(c).remote.address;
    return Boolean(address && trusted.includes(address));
  } catch {
    return false;
  }
}

export interface ServerAppOptions {
  api: { fetch: (request: Request, env?: unknown) => Response | Promise<Response> };
  /** The built SPA (vite build output); absent → API only. */
  staticDir?: string;
  log: Logger;
  /** Signed agent webhooks under `/api/hooks/*`, served outside the identity check. */
  hooks?: { fetch: (request: Request, env?: unknown) => Response | Promise<Response> } | null | undefined;
}

export function createServerApp(options: ServerAppOptions): Hono {
  const app = new Hono();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    if (c.req.path.startsWith('/api/')) c.header('Cache-Control', 'no-store');
    options.log({
      level: c.res.status >= 500 ? 'error' : 'info',
      msg: 'request',
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      user: c.req.header('x-forwarded-email') ?? undefined,
    });
  });

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

export function listen(app: Hono, host: string, port: number): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolveListen, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => resolveListen({ server, port: info.port }));
    server.once('error', reject);
  });
}

export const jsonLogger: Logger = (entry) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
};
