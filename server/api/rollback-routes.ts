/**
 * Rollback endpoints (API.md "Rollbacks"). Parsing and status mapping only: every rule is in
 * core/rollback-service.ts and core/approval-service.ts (reviews, notes, verification), shared by both
 * backends (docs/decisions/010-rollback-requests.md, 012-approvals.md).
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { badRequest, RewindError } from '#core/errors.ts';
import { ApprovalService } from '#core/approval-service.ts';
import { previewRollback } from '#core/rollback-preview.ts';
import { RollbackService } from '#core/rollback-service.ts';
import {
  createRollbackBodySchema,
  nameSchema,
  noteBodySchema,
  previewBodySchema,
  requestStateSchema,
  reviewBodySchema,
} from '#core/schemas.ts';
import type { ApiDeps, ApiEnv } from './app.ts';
import { parseOrThrow } from './http-errors.ts';
import { resolveTarget } from './targets-routes.ts';

const listQuerySchema = z.object({
  state: requestStateSchema.optional(),
  tenant: nameSchema.optional(),
  environment: nameSchema.optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** The JSON body of a write (the app already required `Content-Type: application/json`). */
async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
}

/**
 * Registers the preview (needs only the revision store) and, when a request store is configured,
 * the request endpoints. Returns the service, so other routes (reviews) share it.
 */
export function registerRollbackRoutes(app: Hono<ApiEnv>, deps: ApiDeps): RollbackService | null {
  app.post('/api/targets/:tenant/:environment/rollback-preview', async (c) => {
    const target = await resolveTarget(c, deps);
    const body = parseOrThrow(previewBodySchema, await jsonBody(c));
    return c.json(await previewRollback(deps, target, body));
  });

  if (!deps.requests) return null;
  const service = new RollbackService({
    revisions: deps.revisions,
    requests: deps.requests,
    catalog: deps.catalog,
    clock: deps.clock,
    ids: deps.ids,
    users: deps.users,
    events: deps.events,
    hooks: deps.rollbackHooks,
    rollbackComputer: deps.rollbackComputer,
  });
  const approvals = new ApprovalService({
    rollbacks: service,
    revisions: deps.revisions,
    requests: deps.requests,
    clock: deps.clock,
    ids: deps.ids,
    cluster: deps.cluster,
    events: deps.events,
  });

  app.post('/api/rollbacks', async (c) => {
    const body = parseOrThrow(createRollbackBodySchema, await jsonBody(c));
    const key = c.req.header('idempotency-key');
    const { request, created } = await service.createRequest(c.get('user'), body, key);
    // A replayed submit (same Idempotency-Key and body) created nothing: 200 with the first request.
    return c.json({ request }, created ? 201 : 200);
  });

  app.get('/api/rollbacks', async (c) => {
    // As elsewhere in API.md, an empty parameter is an absent one.
    const params = Object.fromEntries(Object.entries(c.req.query()).filter(([, value]) => value !== ''));
    const query = parseOrThrow(listQuerySchema, params);
    const filter = {
      ...(query.state ? { state: query.state } : {}),
      ...(query.tenant ? { tenant: query.tenant } : {}),
      ...(query.environment ? { environment: query.environment } : {}),
    };
    const page = await service.list(filter, query.cursor ?? null, query.limit);
    return c.json({ requests: page.items, nextCursor: page.nextCursor });
  });

  app.get('/api/rollbacks/:id', async (c) => {
    const detail = await service.get(c.req.param('id'));
    const verification = await approvals.verify(detail.request);
    return c.json(verification ? { ...detail, verification } : detail);
  });

  app.post('/api/rollbacks/:id/reviews', async (c) => {
    const body = parseOrThrow(reviewBodySchema, await jsonBody(c));
    const request = await approvals.review(c.req.param('id'), c.get('user'), body);
    return c.json({ request });
  });

  app.post('/api/rollbacks/:id/notes', async (c) => {
    const body = parseOrThrow(noteBodySchema, await jsonBody(c));
    const request = await approvals.addNote(c.req.param('id'), c.get('user'), body.text);
    return c.json({ request });
  });

  app.post('/api/rollbacks/:id/execute', async (c) => {
    const request = await service.execute(c.req.param('id'), c.get('user'));
    if (request.state === 'failed') {
      throw new RewindError('EXECUTION_FAILED', `rollback execution failed: ${request.error ?? 'unknown error'}`);
    }
    return c.json({ request });
  });

  return service;
}
