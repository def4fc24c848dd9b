import type { Context, Hono } from 'hono';
import { badRequest, notFound } from '#core/errors.ts';
import { buildRolledBackIndex, readHistoryPage, type RolledBackIndex } from '#core/history.ts';
import { isValidName } from '#core/names.ts';
import { versionReaderFor } from '#core/revision-versions.ts';
import { historyQuerySchema, type Target } from '#core/schemas.ts';
import { targetKey, type TargetConfig } from '#core/target-config.ts';
import type { ApiDeps, ApiEnv } from './app.ts';
import { parseOrThrow } from './http-errors.ts';

/** Validates the names in the URL before anything is read: they become repo paths. */
export async function resolveTarget(c: Context, deps: Pick<ApiDeps, 'catalog'>): Promise<TargetConfig> {
  const tenant = c.req.param('tenant') ?? '';
  const environment = c.req.param('environment') ?? '';
  if (!isValidName(tenant)) throw badRequest('invalid tenant name: use lowercase letters, digits and hyphens (at most 63)');
  if (!isValidName(environment)) throw badRequest('invalid environment name: use lowercase letters, digits and hyphens (at most 63)');
  const target = await deps.catalog.get(tenant, environment);
  if (!target) throw notFound(`unknown target ${tenant}/${environment}`);
  return target;
}

async function describeTarget(deps: ApiDeps, config: TargetConfig): Promise<Target> {
  const [head] = await deps.revisions.log({ paths: config.layout.paths, limit: 1 });
  const status = await deps.cluster.status(config, head?.sha ?? null);
  return {
    tenant: config.tenant,
    environment: config.environment,
    plan: config.plan,
    features: config.features,
    policy: { requiredApprovals: config.policy.requiredApprovals, blockSelfApproval: config.policy.blockSelfApproval },
    head: head ? { sha: head.sha, timestamp: head.timestamp } : null,
    health: status.health,
    sync: status.sync,
    services: status.services,
    ...(head ? { versions: await versionReaderFor(deps.revisions).versionsAt(config, head.sha) } : {}),
  };
}

export function registerTargetRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  // Which revisions were rolled back only changes when the branch moves, so it is cached per head.
  const rolledBackCache = new Map<string, { head: string | null; index: Promise<RolledBackIndex> }>();
  async function rolledBackIndex(target: TargetConfig): Promise<RolledBackIndex> {
    const head = await deps.revisions.branchHead();
    const key = targetKey(target);
    const cached = rolledBackCache.get(key);
    if (cached && cached.head === head) return cached.index;
    const index = buildRolledBackIndex(deps.revisions, target);
    rolledBackCache.set(key, { head, index });
    index.catch(() => rolledBackCache.delete(key));
    return index;
  }

  app.get('/api/targets', async (c) => {
    const configs = await deps.catalog.list();
    const targets = await Promise.all(configs.map((config) => describeTarget(deps, config)));
    return c.json({ targets });
  });

  app.get('/api/targets/:tenant/:environment', async (c) => {
    const config = await resolveTarget(c, deps);
    return c.json({ target: await describeTarget(deps, config) });
  });

  app.get('/api/targets/:tenant/:environment/history', async (c) => {
    const config = await resolveTarget(c, deps);
    // API.md writes unset filters as empty parameters (`?cursor=&service=`): empty means absent.
    const params = Object.fromEntries(Object.entries(c.req.query()).filter(([, value]) => value !== ''));
    const query = parseOrThrow(historyQuerySchema, params);
    const page = await readHistoryPage(deps.revisions, config, query, await rolledBackIndex(config));
    await versionReaderFor(deps.revisions).annotate(config, page.revisions);
    return c.json(page);
  });
}
