/**
 * Break-glass, the audit trail, and live updates (API.md "Break-glass", "Audit", "Live updates").
 */
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { closeExpiredBreakGlass } from '#core/break-glass-expiry.ts';
import { closeBreakGlass, openBreakGlass } from '#core/break-glass-service.ts';
import { badRequest, notFound } from '#core/errors.ts';
import type { LiveEvent } from '#core/events.ts';
import { auditEventSchema, nameSchema, requestIdSchema } from '#core/schemas.ts';
import type { ApiEnv, RouteDeps } from './api-context.ts';
import type { BranchHeadWatcher } from './branch-head-watcher.ts';
import { parseJsonBody, parseQuery } from './request-params.ts';

const auditInstant = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 date and time with a time zone, e.g. 2026-03-01T00:00:00Z' })
  .transform((text) => new Date(text).toISOString());

export const auditQuerySchema = z.object({
  tenant: nameSchema.optional(),
  environment: nameSchema.optional(),
  type: z.string().max(64).optional(),
  actor: z.string().max(320).optional(),
  /** Extension (decision 016): only this request's events. An unknown id is an empty page, not a 404. */
  requestId: requestIdSchema.optional(),
  /** Extension (decision 037): events at or after / at or before an instant, ISO-8601 with a time zone. */
  from: auditInstant.optional(),
  to: auditInstant.optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const breakGlassBodySchema = z.object({ justification: z.unknown(), minutes: z.unknown() }).partial();

/** How often an idle stream sends a comment, so proxies do not close it. */
export const KEEP_ALIVE_MS = 15_000;

export function registerOversightRoutes(app: Hono<ApiEnv>, deps: RouteDeps, branchHead: BranchHeadWatcher): void {
  const requests = () => {
    if (!deps.services) throw notFound('this backend has no request store');
    return deps.services.requests;
  };

  app.get('/api/audit', async (c) => {
    const { cursor, limit, ...filter } = parseQuery(c, auditQuerySchema);
    if (filter.from && filter.to && filter.from > filter.to) throw badRequest(`from (${filter.from}) is after to (${filter.to})`, { field: 'from' });
    // Whoever reads the trail sees every session that ran out as ended (decision 046).
    await closeExpiredBreakGlass({ ...deps, requests: requests() });
    const page = await requests().listAudit(filter, cursor ?? null, limit);
    return c.json({ events: page.items.map((event) => auditEventSchema.parse(event)), nextCursor: page.nextCursor });
  });

  app.post('/api/break-glass', async (c) => {
    const body = await parseJsonBody(c, breakGlassBodySchema);
    const breakGlass = await openBreakGlass({ ...deps, requests: requests() }, c.get('user'), body);
    return c.json({ breakGlass }, 201);
  });

  app.delete('/api/break-glass', async (c) => {
    await closeBreakGlass({ ...deps, requests: requests() }, c.get('user'));
    return c.body(null, 204);
  });

  app.get('/api/events', (c) => {
    const response = streamSSE(c, async (stream) => {
      const queue: LiveEvent[] = [];
      let wake: (() => void) | null = null;
      let open = true;
      const unsubscribe = deps.events.subscribe((event) => {
        queue.push(event);
        wake?.();
      });
      // Commits made outside Rewind reach the bus through the app's one branch-head watcher.
      const release = await branchHead.retain();
      stream.onAbort(() => {
        open = false;
        wake?.();
      });
      try {
        await stream.writeSSE({ event: 'ready', data: '{}' });
        while (open) {
          // Events queued while the previous write waited on the client are sent at once: only an
          // empty queue waits to be woken.
          if (queue.length === 0) await Promise.race([new Promise<void>((resolve) => (wake = resolve)), stream.sleep(KEEP_ALIVE_MS)]);
          wake = null;
          while (open && queue.length > 0) await stream.writeSSE({ data: JSON.stringify(queue.shift()) });
          if (!open) break;
          await stream.write(': keep-alive\n\n');
        }
      } finally {
        unsubscribe();
        release();
      }
    });
    // Like every API answer, never stored (Hono's SSE helper says `no-cache`).
    response.headers.set('Cache-Control', 'no-store');
    return response;
  });
}
