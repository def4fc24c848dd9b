/**
 * `GET /api/targets/{tenant}/{environment}/revisions/{sha}`: one revision in full (decision 031).
 */
import type { Hono } from 'hono';
import { agentOutcomesOf, targetHead } from '#core/history.ts';
import { readRevisionDetail } from '#core/revision-details.ts';
import type { ApiEnv, RouteDeps } from './api-context.ts';
import { resolveRevision, resolveTarget } from './request-params.ts';

export function registerRevisionRoutes(app: Hono<ApiEnv>, deps: RouteDeps): void {
  app.get('/api/targets/:tenant/:environment/revisions/:sha', async (c) => {
    const target = await resolveTarget(c, deps.catalog);
    const sha = await resolveRevision(deps.revisions, target, 'sha', c.req.param('sha'));
    const head = await targetHead(deps.revisions, target);
    const agent = agentOutcomesOf(await deps.cluster.status(target, head?.sha ?? null));
    return c.json(await readRevisionDetail(deps, target, sha, agent));
  });
}
