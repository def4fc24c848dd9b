/**
 * `GET /api/targets/{tenant}/{environment}/revisions/{sha}`: one revision in full (decision 031).
 */
import type { Hono } from 'hono';
import { readRevisionDetail } from '#core/revision-details.ts';
import type { ApiDeps, ApiEnv } from './app.ts';
import { resolveRevision } from './compare-routes.ts';
import { resolveTarget } from './targets-routes.ts';

export function registerRevisionRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  app.get('/api/targets/:tenant/:environment/revisions/:sha', async (c) => {
    const target = await resolveTarget(c, deps);
    const sha = await resolveRevision(deps, target, 'sha', c.req.param('sha'));
    return c.json(await readRevisionDetail(deps, target, sha));
  });
}
