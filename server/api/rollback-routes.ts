/**
 * Rollback endpoints (API.md "Rollbacks"). Parsing and status mapping only: every rule is in
 * core/rollback-service.ts and core/approval-service.ts (reviews, notes, verification), shared by both
 * backends (docs/decisions/010-rollback-requests.md, 012-approvals.md).
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { RewindError } from '#core/errors.ts';
import { previewRollback } from '#core/rollback-preview.ts';
import {
  createRollbackBodySchema,
  nameSchema,
  noteBodySchema,
  previewBodySchema,
  requestStateSchema,
  reviewBodySchema,
  withdrawBodySchema,
} from '#core/schemas.ts';
import type { ApiEnv, RouteDeps } from './api-context.ts';
import { parseJsonBody, parseQuery, resolveTarget } from './request-params.ts';
import { incidentFilterSchema } from '#core/incident.ts';
import { sharedChanges } from '#core/shared-paths.ts';

export const listQuerySchema = z.object({
  state: requestStateSchema.optional(),
  tenant: nameSchema.optional(),
  environment: nameSchema.optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  incident: incidentFilterSchema.optional(),
  /** Decision 039: only open requests (pending, approved, executing). */
  open: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});

/** The preview (needs only the revision store) and, when the backend has a request store, the request endpoints. */
export function registerRollbackRoutes(app: Hono<ApiEnv>, deps: RouteDeps): void {
  app.post('/api/targets/:tenant/:environment/rollback-preview', async (c) => {
    const target = await resolveTarget(c, deps.catalog);
    const body = await parseJsonBody(c, previewBodySchema);
    const preview = await previewRollback(deps, target, body);
    const shared = sharedChanges(target, await deps.catalog.list(), preview.files.map((f) => f.path));
    return c.json(shared.length > 0 ? { ...preview, sharedWith: shared } : preview);
  });

  if (!deps.services) return;
  const { rollbacks, approvals } = deps.services;

  app.post('/api/rollbacks', async (c) => {
    const body = await parseJsonBody(c, createRollbackBodySchema);
    const key = c.req.header('idempotency-key');
    const { request, created } = await rollbacks.createRequest(c.get('user'), body, key);
    // A replayed submit (same Idempotency-Key and body) created nothing: 200 with the first request.
    return c.json({ request }, created ? 201 : 200);
  });

  app.get('/api/rollbacks', async (c) => {
    const { cursor, limit, ...filter } = parseQuery(c, listQuerySchema);
    const page = await rollbacks.listWithPlanChanges(filter, cursor ?? null, limit);
    return c.json({ requests: page.items, nextCursor: page.nextCursor });
  });

  app.get('/api/rollbacks/:id', async (c) => {
    const detail = await rollbacks.get(c.req.param('id'));
    const verification = await approvals.verify(detail.request);
    return c.json(verification ? { ...detail, verification } : detail);
  });

  app.get('/api/rollbacks/:id/notifications', async (c) => {
    return c.json({ notifications: await rollbacks.notifications(c.req.param('id')) });
  });

  app.post('/api/rollbacks/:id/reviews', async (c) => {
    const body = await parseJsonBody(c, reviewBodySchema);
    // RFC 7240: with `Prefer: respond-async` the approval that reaches the quorum is answered 202
    // `executing`, before its commit (decision 049).
    const respondAsync = prefersRespondAsync(c.req.header('prefer'));
    const request = await approvals.review(c.req.param('id'), c.get('user'), body, { respondAsync });
    if (respondAsync && request.state === 'executing') {
      c.header('Preference-Applied', 'respond-async');
      return c.json({ request }, 202);
    }
    return c.json({ request });
  });

  app.post('/api/rollbacks/:id/notes', async (c) => {
    const body = await parseJsonBody(c, noteBodySchema);
    const request = await approvals.addNote(c.req.param('id'), c.get('user'), body.text);
    return c.json({ request });
  });

  // Decision 039: the requester or an admin ends a pending or approved request (`withdrawn`).
  app.post('/api/rollbacks/:id/withdraw', async (c) => {
    const body = await parseJsonBody(c, withdrawBodySchema);
    const request = await rollbacks.withdraw(c.req.param('id'), c.get('user'), body.reason);
    return c.json({ request });
  });

  // Decision 039: the requester accepts the plan as it is on the current head; earlier reviews go stale.
  app.post('/api/rollbacks/:id/confirm-plan', async (c) => {
    const request = await rollbacks.confirmPlan(c.req.param('id'), c.get('user'));
    return c.json({ request });
  });

  app.post('/api/rollbacks/:id/execute', async (c) => {
    const request = await rollbacks.execute(c.req.param('id'), c.get('user'));
    if (request.state === 'failed') {
      throw new RewindError('EXECUTION_FAILED', `rollback execution failed: ${request.error ?? 'unknown error'}`);
    }
    return c.json({ request });
  });
}

/** Whether a `Prefer` header (RFC 7240: comma-separated preferences, case-insensitive) asks for `respond-async`. */
export function prefersRespondAsync(header: string | undefined): boolean {
  return (header ?? '').split(',').some((preference) => preference.split(';')[0]!.trim().toLowerCase() === 'respond-async');
}
