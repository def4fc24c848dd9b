/**
 * The Rewind HTTP API (shared/API.md) as a fetch-standard Hono app built from core ports only. The
 * real server mounts it over git + SQL; MSW mounts the same app over in-memory adapters, in the
 * browser and in tests, so both backends share every rule, validation and error.
 */
import { Hono } from 'hono';
import { EventBus } from '#core/events.ts';
import type { RollbackComputer } from '#core/rollback-compute.ts';
import type { RollbackHooks } from '#core/rollback-service.ts';
import { bodyLimit } from 'hono/body-limit';
import { notFound, payloadTooLarge, unsupportedMediaType } from '#core/errors.ts';
import type {
  Clock,
  ClusterStatus,
  FieldDiffer,
  IdGenerator,
  RequestStore,
  RevisionStore,
  TargetCatalog,
  UserDirectory,
} from '#core/ports.ts';
import { errorResponse, toRewindError, type Logger } from './http-errors.ts';
import { identityMiddleware, type ApiVariables, type IdentityOptions } from './identity.ts';
import { registerCompareRoutes } from './compare-routes.ts';
import { registerOversightRoutes } from './oversight-routes.ts';
import { registerRollbackRoutes } from './rollback-routes.ts';
import { registerTargetRoutes } from './targets-routes.ts';

export interface ApiDeps {
  revisions: RevisionStore;
  catalog: TargetCatalog;
  cluster: ClusterStatus;
  users: UserDirectory;
  clock: Clock;
  ids: IdGenerator;
  requests?: RequestStore;
  /** Live updates for `/api/events`; one is made when none is given. */
  events?: EventBus;
  /**
   * Computes the field changes of compares (`compareRevisions`, `compareFields`); in-process when
   * absent. The real server passes one that parses large YAML in a worker thread (decision 015).
   */
  fieldDiffer?: FieldDiffer;
  /**
   * Plans rollbacks and computes their previews (parsing YAML); in-process when absent. The real server
   * passes one that runs them in a worker thread with a time budget (decision 021).
   */
  rollbackComputer?: RollbackComputer;
  /** Test seams of rollback execution (the crash-safety test); never set in normal use. */
  rollbackHooks?: RollbackHooks;
  identity: IdentityOptions;
  /** Largest accepted request body; justifications are ≤ 4,000 chars, so 64 KiB is generous. */
  maxBodyBytes?: number;
  log?: Logger;
}

export type ApiEnv = { Variables: ApiVariables };

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export function createApiApp(deps: ApiDeps): Hono<ApiEnv> {
  const log = deps.log ?? (() => {});
  const events = deps.events ?? new EventBus();
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
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: deps.maxBodyBytes ?? 64 * 1024,
      onError: (c) => errorResponse(c, payloadTooLarge(`request body is over ${deps.maxBodyBytes ?? 64 * 1024} bytes`)),
    }),
  );
  app.use('/api/*', identityMiddleware(deps.identity, deps.users));

  app.get('/api/me', async (c) => {
    const user = c.get('user');
    const breakGlass = deps.requests ? await deps.requests.activeBreakGlass(user.email, deps.clock.now()) : null;
    // The SPA sends its user switcher's choice only to a server that says it is in demo mode.
    return c.json({ user, breakGlass, identityMode: deps.identity.mode });
  });

  app.get('/api/users', async (c) => {
    if (deps.identity.mode !== 'demo') throw notFound('the user list exists only in demo mode');
    return c.json({ users: await deps.users.list() });
  });

  registerTargetRoutes(app, deps);
  registerCompareRoutes(app, deps);
  registerRollbackRoutes(app, { ...deps, events });
  registerOversightRoutes(app, { ...deps, events });
  return app;
}
