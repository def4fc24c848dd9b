/**
 * The Argo CD adapter against a fake Argo CD (a real HTTP server answering with recorded shapes):
 * what the API shows, the sync request, faults, and that calls to the agent do not grow with callers.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { StaticTargetCatalog, StaticUserDirectory, SequentialIds, systemClock } from '#core/basic-adapters.ts';
import type { TargetCluster } from '#core/cluster-schemas.ts';
import { EventBus, type LiveEvent } from '#core/events.ts';
import type { ClusterStatus } from '#core/ports.ts';
import type { RollbackDetail, Target } from '#core/schemas.ts';
import { defaultLayout, type TargetConfig } from '#core/target-config.ts';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';
import { createApiApp } from '#server/api/app.ts';
import { AgentClusterStatus } from '#server/cluster/agent-cluster-status.ts';
import { ArgoCdClient } from '#server/cluster/argocd.ts';
import { clusterConfigSchema } from '#server/cluster/cluster-config.ts';
import { createCluster, type ClusterRuntime } from '#server/cluster/create-cluster.ts';
import { ObjectPoller } from '#server/cluster/object-poller.ts';
import { FakeArgoCd } from '../fakes/fake-argocd.ts';

const T = { timeout: 30_000 };
const target: TargetConfig = {
  tenant: 'acme',
  environment: 'production',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 0, blockSelfApproval: true, requesters: ['admin'], approvers: ['admin'], breakGlass: ['admin'] },
  layout: defaultLayout('acme', 'production', ['api-gateway', 'payments', 'web']),
};
const author = { name: 'CI', email: 'ci@example.com' };
const path = (service: string) => `tenants/acme/production/services/${service}/values.yaml`;

function repo() {
  const revisions = new InMemoryRevisionStore();
  const at = (m: number) => new Date(Date.UTC(2025, 10, 20, 10, m)).toISOString();
  const c0 = revisions.append({ timestamp: at(0), author, message: 'release 1', changes: { [path('api-gateway')]: 'tag: v1\n', [path('payments')]: 'tag: v1\n', [path('web')]: 'tag: v1\n' } });
  const c1 = revisions.append({ timestamp: at(4), author, message: 'release 2', changes: { [path('payments')]: 'tag: v2\n' } });
  const c2 = revisions.append({ timestamp: at(8), author, message: 'release 3', changes: { [path('payments')]: 'tag: v3\n' } });
  return { revisions, c0, c1, c2 };
}

const fake = new FakeArgoCd();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => {
  fake.apps.clear();
  fake.fault = null;
  fake.calls.length = 0;
});

function adapter(options: { url?: string; timeoutMs?: number; intervalMs?: number; log?: (entry: Record<string, unknown>) => void; onChange?: (name: string) => void; naming?: string | Record<string, string> } = {}) {
  const client = new ArgoCdClient({ url: options.url ?? fake.url, token: fake.token, timeoutMs: options.timeoutMs ?? 300 });
  const poller = new ObjectPoller({ client, clock: systemClock, intervalMs: options.intervalMs ?? 60_000, log: options.log, onChange: options.onChange });
  const cluster = new AgentClusterStatus({ client, poller, naming: options.naming ?? '{tenant}-{environment}', namingKey: 'cluster.argocd.application', serviceResource: '{service}', confirmWithinMs: 60_000 });
  return { client, poller, cluster };
}

function api(revisions: InMemoryRevisionStore, cluster: ClusterStatus, events = new EventBus()) {
  return createApiApp({
    revisions,
    requests: new InMemoryRequestStore(),
    catalog: new StaticTargetCatalog([target]),
    cluster,
    users: new StaticUserDirectory([{ email: 'olu@example.com', name: 'Olu', roles: ['admin'] }]),
    clock: systemClock,
    ids: new SequentialIds(),
    events,
    identity: { mode: 'demo', defaultUser: 'olu@example.com' },
  });
}

async function getTarget(app: ReturnType<typeof api>): Promise<Target> {
  const response = await app.request('/api/targets/acme/production');
  expect(response.status).toBe(200);
  return ((await response.json()) as { target: Target }).target;
}

describe('Argo CD: what the agent reports', () => {
  it('shows the live revision, sync, health, per-service status from resources, and outcomes', T, async () => {
    const { revisions, c0, c1, c2 } = repo();
    fake.apps.set('acme-production', { live: c1, previous: c0, sync: 'OutOfSync', health: 'Healthy' });
    const { cluster } = adapter();
    const t = await getTarget(api(revisions, cluster));
    expect(t.health).toBe('healthy');
    expect(t.sync).toBe('out-of-sync');
    expect(t.cluster).toMatchObject<Partial<TargetCluster>>({ source: 'argocd', liveRevision: c1, reason: null });
    expect(t.cluster.observedAt).not.toBeNull();
    expect(t.cluster.operation).toMatchObject({ phase: 'succeeded', agentPhase: 'Succeeded', revision: c1, message: 'successfully synced (all tasks run)' });
    expect(t.cluster.outcomes).toEqual([
      { sha: c1, outcome: 'success', at: '2025-11-20T10:02:12.000Z' },
      { sha: c0, outcome: 'success', at: '2025-11-20T09:58:41.000Z' },
    ]);
    expect(t.cluster.deployment).toMatchObject({ state: 'behind', notDeployed: [c2], notDeployedCount: 1, since: '2025-11-20T10:08:00.000Z' });
    expect(t.services).toEqual([
      { name: 'api-gateway', health: 'healthy', sync: 'synced', liveRevision: c1 },
      { name: 'payments', health: 'healthy', sync: 'synced', liveRevision: c1 },
      { name: 'web', health: 'unknown', sync: 'unknown', reason: 'no resource named web in Application acme-production' },
    ]);
  });

  it('reports a failed sync as failed to deploy, and degraded health as it is', T, async () => {
    const { revisions, c1, c2 } = repo();
    fake.apps.set('acme-production', { live: c1, health: 'Degraded', sync: 'OutOfSync', compared: c2, operation: { phase: 'Failed', revision: c2, message: 'one or more objects failed to apply' } });
    const t = await getTarget(api(revisions, adapter().cluster));
    expect(t.health).toBe('degraded');
    expect(t.cluster.liveRevision).toBe(c1);
    expect(t.cluster.outcomes[0]).toEqual({ sha: c2, outcome: 'failed', at: '2025-11-20T10:02:12.000Z' });
    expect(t.cluster.deployment).toMatchObject({ state: 'behind', notDeployed: [c2], failedToDeploy: [c2] });
  });

  it('with one Application per service ({service}-{environment}), each service is its own Application and the target the worst of them', T, async () => {
    const { revisions, c1, c2 } = repo();
    fake.apps.set('api-gateway-production', { live: c2 });
    fake.apps.set('payments-production', { live: c1, health: 'Degraded', sync: 'OutOfSync', compared: c2, operation: { phase: 'Failed', revision: c2, message: 'ImagePullBackOff' } });
    // No Application for web: unknown with the reason, never healthy.
    const t = await getTarget(api(revisions, adapter({ naming: '{service}-{environment}' }).cluster));
    expect(t.services).toEqual([
      { name: 'api-gateway', health: 'healthy', sync: 'synced', liveRevision: c2 },
      { name: 'payments', health: 'degraded', sync: 'out-of-sync', liveRevision: c1 },
      { name: 'web', health: 'unknown', sync: 'unknown', reason: expect.stringMatching(/Application web-production: .*has no Application web-production \(404\)/) },
    ]);
    expect(t.health).not.toBe('healthy');
    expect(t.cluster.operation).toMatchObject({ phase: 'failed', message: 'ImagePullBackOff', revision: c2 });
    expect(fake.calls.filter((c) => c.method === 'GET').map((c) => c.path).sort()).toEqual([
      '/api/v1/applications/api-gateway-production',
      '/api/v1/applications/payments-production',
      '/api/v1/applications/web-production',
    ]);
  });

  it('maps targets and services to Applications by an explicit map', T, async () => {
    const { revisions, c2 } = repo();
    fake.apps.set('acme-prod', { live: c2 });
    const t = await getTarget(api(revisions, adapter({ naming: { 'acme/production': 'acme-prod' } }).cluster));
    expect(t).toMatchObject({ health: 'healthy', sync: 'synced', cluster: { liveRevision: c2, reason: null } });
    expect(fake.calls.map((c) => c.path)).toEqual(['/api/v1/applications/acme-prod']);
  });

  it('sends a sync request with the rollback commit as revision and the token', T, async () => {
    const { c2 } = repo();
    fake.apps.set('acme-production', { live: c2 });
    const result = await adapter().cluster.requestSync(target, c2);
    expect(result.accepted).toBe(true);
    const sync = fake.calls.find((c) => c.method === 'POST');
    expect(sync).toMatchObject({ path: '/api/v1/applications/acme-production/sync', authorization: `Bearer ${fake.token}`, body: { name: 'acme-production', revision: c2, prune: false } });
  });
});

describe('Argo CD faults: unknown with the reason, nothing healthy, the server answers', () => {
  const cases: [string, () => void, RegExp][] = [
    ['connection refused', () => {}, /Argo CD Application acme-production: unreachable: ECONNREFUSED/],
    ['401', () => (fake.fault = 401), /refused the token \(401\): invalid session/],
    ['403', () => (fake.fault = 403), /denied access to Application acme-production \(403/],
    ['500', () => (fake.fault = 500), /answered 500: rpc error/],
    ['a hang', () => (fake.fault = 'hang'), /no answer within 300 ms/],
    ['malformed JSON', () => (fake.fault = 'malformed'), /answered 200 with malformed JSON/],
    ['an unknown application', () => fake.apps.clear(), /has no Application acme-production \(404\)/],
  ];
  it.each(cases)('%s', T, async (name, setUp, reason) => {
    const { revisions, c2 } = repo();
    fake.apps.set('acme-production', { live: c2 });
    setUp();
    // Port 9 (discard) on localhost refuses connections.
    const { cluster } = adapter(name === 'connection refused' ? { url: 'http://127.0.0.1:9' } : {});
    const app = api(revisions, cluster);
    // A hang never ends by itself: this answers only because the adapter's timeout (300 ms) fires.
    const t = await getTarget(app);
    expect(t.health).toBe('unknown');
    expect(t.sync).toBe('unknown');
    expect(t.cluster.liveRevision).toBeNull();
    expect(t.cluster.reason).toMatch(reason);
    expect(t.cluster.deployment.state).toBe('unknown');
    expect(t.services.every((s) => s.health === 'unknown' && s.sync === 'unknown')).toBe(true);
    expect(JSON.stringify(t)).not.toContain('"healthy"');
    // Other endpoints keep answering, and the next reads of the status come from the poller's cache.
    expect((await app.request('/api/targets/acme/production/history')).status).toBe(200);
    const reads = fake.calls.length;
    await Promise.all([getTarget(app), getTarget(app), getTarget(app)]);
    expect(fake.calls.length).toBe(reads);
    fake.fault = null;
  });

  it('logs an answer of the wrong shape once per object, and shows unknown', T, async () => {
    const { revisions } = repo();
    fake.apps.set('acme-production', { live: 'a'.repeat(40) });
    fake.fault = 'shape';
    const log = vi.fn();
    const { cluster, poller } = adapter({ intervalMs: 200, log });
    poller.start();
    const t = await getTarget(api(revisions, cluster));
    expect(t.cluster.reason).toMatch(/unexpected shape for Application acme-production \(status\.sync\.status: /);
    await vi.waitFor(() => expect(fake.reads('acme-production')).toBeGreaterThanOrEqual(3), { timeout: 20_000, interval: 100 });
    await poller.stop();
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![0]).toMatchObject({ level: 'warn', agent: 'Argo CD', object: 'acme-production' });
  });

  it('recovers when the agent answers again, and publishes the change', T, async () => {
    const { revisions, c2 } = repo();
    fake.apps.set('acme-production', { live: c2 });
    fake.fault = 500;
    const events = new EventBus();
    const seen: LiveEvent[] = [];
    events.subscribe((e) => seen.push(e));
    const { cluster, poller } = adapter({ intervalMs: 200, onChange: () => events.publish({ type: 'cluster.changed', tenant: 'acme', environment: 'production' }) });
    const app = api(revisions, cluster, events);
    expect((await getTarget(app)).health).toBe('unknown');
    poller.start();
    fake.fault = null;
    await vi.waitFor(async () => expect((await getTarget(app)).health).toBe('healthy'), { timeout: 20_000, interval: 100 });
    await poller.stop();
    expect(seen).toContainEqual({ type: 'cluster.changed', tenant: 'acme', environment: 'production' });
    expect((await getTarget(app)).cluster.liveRevision).toBe(c2);
  });
});

describe('one poller per Application', () => {
  it('answers many callers from one read', T, async () => {
    const { revisions, c2 } = repo();
    fake.apps.set('acme-production', { live: c2 });
    const app = api(revisions, adapter().cluster);
    await Promise.all(Array.from({ length: 50 }, () => getTarget(app)));
    await Promise.all(Array.from({ length: 50 }, () => getTarget(app)));
    expect(fake.reads('acme-production')).toBe(1);
  });
});

describe('a rollback followed in the cluster (createCluster from config, sync after rollback)', () => {
  let runtime: ClusterRuntime | null = null;
  afterEach(async () => {
    await runtime?.close();
    runtime = null;
  });

  it('goes committed → syncing → healthy only as the fake reports it, after asking for a sync', T, async () => {
    const { revisions, c0, c2 } = repo();
    fake.apps.set('acme-production', { live: c2 });
    const config = clusterConfigSchema.parse({ argocd: { url: fake.url, tokenEnv: 'TEST_ARGOCD_TOKEN', syncAfterRollback: true, confirmWithin: '5m', pollInterval: '200ms', timeout: '300ms' } });
    const events = new EventBus();
    const requests = new InMemoryRequestStore();
    runtime = createCluster({ config, targets: [target], events, clock: systemClock, revisions, requests, log: () => {}, env: { TEST_ARGOCD_TOKEN: fake.token } });
    const app = createApiApp({
      revisions,
      requests,
      catalog: new StaticTargetCatalog([target]),
      cluster: runtime.cluster,
      users: new StaticUserDirectory([{ email: 'olu@example.com', name: 'Olu', roles: ['admin'] }]),
      clock: systemClock,
      ids: new SequentialIds(),
      events,
      identity: { mode: 'demo', defaultUser: 'olu@example.com' },
    });
    const created = await app.request('/api/rollbacks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'acme', environment: 'production', mode: 'full', targetSha: c0, justification: 'payments v3 fails' }),
    });
    expect(created.status).toBe(201);
    const { request } = (await created.json()) as { request: { id: string; state: string; commitSha: string } };
    expect(request.state).toBe('completed');
    const rollout = async () => ((await (await app.request(`/api/rollbacks/${request.id}`)).json()) as RollbackDetail).verification!.rollout;

    expect(await rollout()).toMatchObject({ state: 'committed', source: 'argocd', liveRevision: c2 });
    await vi.waitFor(() => expect(fake.calls.some((c) => c.method === 'POST' && (c.body as { revision?: string }).revision === request.commitSha)).toBe(true), { timeout: 10_000 });

    fake.apps.set('acme-production', { live: c2, operation: { phase: 'Running', revision: request.commitSha }, health: 'Progressing', sync: 'OutOfSync', compared: request.commitSha });
    await vi.waitFor(async () => expect((await rollout()).state).toBe('syncing'), { timeout: 10_000, interval: 100 });
    fake.apps.set('acme-production', { live: request.commitSha, health: 'Progressing' });
    await vi.waitFor(async () => expect(await rollout()).toMatchObject({ state: 'syncing', liveRevision: request.commitSha, health: 'progressing' }), { timeout: 10_000, interval: 100 });
    fake.apps.set('acme-production', { live: request.commitSha, health: 'Healthy' });
    await vi.waitFor(async () => expect(await rollout()).toMatchObject({ state: 'healthy', liveRevision: request.commitSha, reason: null }), { timeout: 10_000, interval: 100 });
  });

  it('refuses to start an agent without its token', () => {
    const config = clusterConfigSchema.parse({ argocd: { url: fake.url, tokenEnv: 'TEST_MISSING_TOKEN' } });
    const start = () => createCluster({ config, targets: [target], events: new EventBus(), clock: systemClock, revisions: new InMemoryRevisionStore(), requests: new InMemoryRequestStore(), log: () => {}, env: {} });
    expect(start).toThrow('cluster.argocd.tokenEnv/tokenFile: the environment variable TEST_MISSING_TOKEN is not set or empty');
  });
});
