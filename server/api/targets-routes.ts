import type { Hono } from 'hono';
import { DeploymentGaps, targetCluster } from '#core/deployment-gap.ts';
import { agentOutcomesOf, readHistoryPage, targetHead } from '#core/history.ts';
import { buildRolledBackIndex, type RolledBackIndex } from '#core/rolled-back-index.ts';
import { versionReaderFor } from '#core/revision-versions.ts';
import { historyQuerySchema, type Target } from '#core/schemas.ts';
import { targetKey, type TargetConfig } from '#core/target-config.ts';
import type { ApiEnv, RouteDeps } from './api-context.ts';
import { parseQuery, resolveTarget } from './request-params.ts';

async function describeTarget(deps: RouteDeps, gaps: DeploymentGaps, config: TargetConfig): Promise<Target> {
  const head = await targetHead(deps.revisions, config);
  const status = await deps.cluster.status(config, head?.sha ?? null);
  const deployment = await gaps.gap(config, head?.sha ?? null, status);
  return {
    tenant: config.tenant,
    environment: config.environment,
    plan: config.plan,
    features: config.features,
    policy: {
      requiredApprovals: config.policy.requiredApprovals,
      blockSelfApproval: config.policy.blockSelfApproval,
      requesters: [...config.policy.requesters],
      approvers: [...config.policy.approvers],
      breakGlass: [...config.policy.breakGlass],
    },
    head: head ? { sha: head.sha, timestamp: head.timestamp } : null,
    health: status.health,
    sync: status.sync,
    services: status.services,
    cluster: targetCluster(status, deployment),
    ...(head ? { versions: await versionReaderFor(deps.revisions).versionsAt(config, head.sha) } : {}),
  };
}

export function registerTargetRoutes(app: Hono<ApiEnv>, deps: RouteDeps): void {
  const gaps = new DeploymentGaps(deps.revisions);
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
    const targets = await Promise.all(configs.map((config) => describeTarget(deps, gaps, config)));
    return c.json({ targets });
  });

  app.get('/api/targets/:tenant/:environment', async (c) => {
    const config = await resolveTarget(c, deps.catalog);
    return c.json({ target: await describeTarget(deps, gaps, config) });
  });

  app.get('/api/targets/:tenant/:environment/history', async (c) => {
    const config = await resolveTarget(c, deps.catalog);
    const query = parseQuery(c, historyQuerySchema);
    // What the agent reported about a commit outranks its git note (decision 037); the status read is the poller's cache.
    const head = await targetHead(deps.revisions, config);
    const agent = agentOutcomesOf(await deps.cluster.status(config, head?.sha ?? null));
    const page = await readHistoryPage(deps.revisions, config, query, await rolledBackIndex(config), agent);
    await versionReaderFor(deps.revisions).annotate(config, page.revisions);
    return c.json(page);
  });
}
