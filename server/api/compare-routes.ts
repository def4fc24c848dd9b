/**
 * `GET /api/targets/{tenant}/{environment}/compare?from=&to=` (API.md "Compare"). Both revisions are
 * any commits of the branch, by full or abbreviated id, or `head`: the newest revision of the target.
 * They need not be in the target's history nor in order.
 */
import type { Hono } from 'hono';
import { compareRevisions } from '../../core/compare.ts';
import { badRequest, notFound } from '../../core/errors.ts';
import type { TargetConfig } from '../../core/target-config.ts';
import type { ApiDeps, ApiEnv } from './app.ts';
import { resolveTarget } from './targets-routes.ts';

const REVISION_INPUT = /^[0-9a-f]{4,40}$/;

/** The full id a `from`/`to` parameter names: 400 when malformed, 404 when no such revision. */
export async function resolveRevision(deps: Pick<ApiDeps, 'revisions'>, target: TargetConfig, name: string, input: string): Promise<string> {
  const ref = input.trim().toLowerCase();
  if (ref === 'head') {
    const [head] = await deps.revisions.log({ paths: target.layout.paths, limit: 1 });
    if (!head) throw notFound('unknown revision head');
    return head.sha;
  }
  if (!REVISION_INPUT.test(ref)) throw badRequest(`${name} must be a commit id (4 to 40 hex digits) or head`);
  const sha = await deps.revisions.resolveCommit(ref);
  if (!sha) throw notFound(`unknown revision ${ref}`);
  return sha;
}

export function registerCompareRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  app.get('/api/targets/:tenant/:environment/compare', async (c) => {
    const target = await resolveTarget(c, deps);
    // As elsewhere in API.md, an empty parameter is an absent one.
    const from = c.req.query('from') ?? '';
    const to = c.req.query('to') || 'head';
    if (from === '') throw badRequest('from is required');
    const [fromSha, toSha] = await Promise.all([
      resolveRevision(deps, target, 'from', from),
      resolveRevision(deps, target, 'to', to),
    ]);
    return c.json(await compareRevisions(deps.revisions, target, fromSha, toSha));
  });
}
