/**
 * The Rewind HTTP API (shared/API.md) as a fetch-standard Hono app built from core ports only. The
 * real server mounts it over git + SQL; MSW mounts the same app over in-memory adapters, in the
 * browser and in tests, so both backends share every rule, validation and error.
 */
import { closeExpiredBreakGlass } from '#core/break-glass-expiry.ts';
import { mayOpenBreakGlass, mayReviewSomewhere } from '#core/review-rules.ts';
import { Hono } from 'hono';
import { ApprovalService } from '#core/approval-service.ts';
import { notFound, payloadTooLarge, RewindError, unsupportedMediaType } from '#core/errors.ts';
import { EventBus } from '#core/events.ts';
import { RollbackService } from '#core/rollback-service.ts';
import type { ApiDeps, ApiEnv, ApiServices, RouteDeps } from './api-context.ts';
import { limitBody } from './body-limit.ts';
import { BranchHeadWatcher } from './branch-head-watcher.ts';
import { errorResponse, toRewindError } from './http-errors.ts';
import { identityMiddleware } from './identity.ts';
import { registerCompareRoutes } from './compare-routes.ts';
import { registerOversightRoutes } from './oversight-routes.ts';
import { registerRollbackRoutes } from './rollback-routes.ts';
import { registerTargetRoutes } from './targets-routes.ts';
import { registerRevisionRoutes } from './revision-routes.ts';
import { registerIncidentRoutes } from './incident-routes.ts';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function createServices(deps: ApiDeps, events: EventBus): ApiServices | null {
  const { requests } = deps;
  if (!requests) return null;
  const rollbacks = new RollbackService({
    revisions: deps.revisions,
    requests,
    catalog: deps.catalog,
    clock: deps.clock,
    ids: deps.ids,
    users: deps.users,
    events,
    hooks: deps.rollbackHooks,
    commitLock: deps.commitLock,
    rollbackComputer: deps.rollbackComputer,
    fieldDiffer: deps.fieldDiffer,
  });
  const approvals = new ApprovalService({
    rollbacks,
    revisions: deps.revisions,
    requests,
    clock: deps.clock,
    ids: deps.ids,
    cluster: deps.cluster,
    events,
    // The outcome is on the request (completed, failed, dismissed); what is left is for the log.
    onBackgroundError: (error, requestId) =>
      deps.log?.({
        level: error instanceof RewindError && error.status < 500 ? 'info' : 'error',
        msg: 'rollback execution ended after its review was answered',
        requestId,
        error: error instanceof Error ? error.message : String(error),
      }),
  });
  return { rollbacks, approvals, requests };
}

export function createApiApp(deps: ApiDeps): Hono<ApiEnv> {
  const log = deps.log ?? (() => {});
  const events = deps.events ?? new EventBus();
  const routeDeps: RouteDeps = { ...deps, events, services: createServices(deps, events) };
  const branchHead = new BranchHeadWatcher(deps.revisions, events);
  const app = new Hono<ApiEnv>();

  app.onError((error, c) => errorResponse(c, toRewindError(error, log)));
  app.notFound((c) => errorResponse(c, notFound(`no such endpoint: ${c.req.method} ${new URL(c.req.url).pathname}`)));

  app.use('/api/*', async (c, next) => {
    if (WRITE_METHODS.has(c.req.method)) {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type)) throw unsupportedMediaType();
    }
    await next();
  });
  const maxBodyBytes = deps.maxBodyBytes ?? 64 * 1024;
  app.use('/api/*', limitBody(maxBodyBytes, (c) => errorResponse(c, payloadTooLarge(`request body is over ${maxBodyBytes} bytes`))));
  app.use('/api/*', identityMiddleware(deps.identity, deps.users));

  app.get('/api/me', async (c) => {
    const user = c.get('user');
    // A session that ran out is ended in the audit trail when it is observed (decision 046).
    if (deps.requests) await closeExpiredBreakGlass({ requests: deps.requests, clock: deps.clock, ids: deps.ids, events });
    const breakGlass = deps.requests ? await deps.requests.activeBreakGlass(user.email, deps.clock.now()) : null;
    // What the caller may do anywhere, by the rules the server enforces (decision 039); per target: Target.policy.
    const policies = (await deps.catalog.list()).map((t) => t.policy);
    const can = { breakGlass: mayOpenBreakGlass(policies, user), review: mayReviewSomewhere(policies, user) };
    // The SPA sends its user switcher's choice only to a server that says it is in demo mode.
    return c.json({ user, breakGlass, identityMode: deps.identity.mode, can });
  });

  app.get('/api/users', async (c) => {
    if (deps.identity.mode !== 'demo') throw notFound('the user list exists only in demo mode');
    return c.json({ users: await deps.users.list() });
  });

  // Names for the emails requests and reviews carry (decision 043): names and emails only, no roles.
  app.get('/api/people', async (c) => c.json({ people: (await deps.users.list()).map(({ email, name }) => ({ email, name })) }));

  // The contract (decision 034), built on first request: imported lazily so the in-browser mock loads
  // zod-openapi only when someone asks for the document.
  app.get('/api/openapi.json', async (c) => c.json((await import('./openapi/document.ts')).openApiDocument()));

  registerTargetRoutes(app, routeDeps);
  registerCompareRoutes(app, routeDeps);
  registerRevisionRoutes(app, routeDeps);
  registerIncidentRoutes(app, routeDeps);
  registerRollbackRoutes(app, routeDeps);
  registerOversightRoutes(app, routeDeps, branchHead);
  return app;
}
