/** The Flux adapter against a fake Kubernetes API: Ready condition, revisions, reconcile, faults. */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '#core/events.ts';
import { FixedClock } from '#core/basic-adapters.ts';
import { defaultLayout, type TargetConfig } from '#core/target-config.ts';
import { AgentClusterStatus } from '#server/cluster/agent-cluster-status.ts';
import { FluxClient } from '#server/cluster/flux.ts';
import { ObjectPoller } from '#server/cluster/object-poller.ts';
import { createCluster } from '#server/cluster/create-cluster.ts';
import { clusterConfigSchema } from '#server/cluster/cluster-config.ts';
import { inClusterApiServer } from '#server/cluster/in-cluster.ts';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';
import { FakeKubernetes } from '../fakes/fake-kubernetes.ts';

const T = { timeout: 30_000 };
const target: TargetConfig = {
  tenant: 'fleet',
  environment: 'production',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 0, blockSelfApproval: true, requesters: ['admin'], approvers: ['admin'], breakGlass: ['admin'] },
  layout: defaultLayout('fleet', 'production', ['podinfo']),
};
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const clock = new FixedClock(new Date('2025-11-20T10:10:00Z'));
const fake = new FakeKubernetes();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => {
  fake.objects.clear();
  fake.helmReleases.clear();
  fake.token = 'sa-token';
  fake.tokens.length = 0;
  fake.patches.length = 0;
  fake.fault = null;
});

function flux(apiServer = fake.url, log?: (entry: Record<string, unknown>) => void) {
  const client = new FluxClient({ apiServer, token: fake.token, timeoutMs: 300, kind: 'Kustomization', namespace: 'flux-system', clock });
  const poller = new ObjectPoller({ client, clock, intervalMs: 60_000, ...(log ? { log } : {}) });
  return new AgentClusterStatus({ client, poller, naming: '{environment}-apps', namingKey: 'cluster.flux.kustomization', serviceResource: '{service}', confirmWithinMs: 60_000 });
}

describe('Flux Kustomization', () => {
  it('reads Ready=True with lastAppliedRevision as live, healthy and synced', T, async () => {
    fake.objects.set('production-apps', { applied: A, ready: 'True' });
    const status = await flux().status(target);
    expect(status).toMatchObject({ source: 'flux', health: 'healthy', sync: 'synced', liveRevision: A, reason: null });
    expect(status.operation).toMatchObject({ phase: 'succeeded', agentPhase: 'Ready=True (ReconciliationSucceeded)', revision: A });
    expect(status.outcomes).toEqual([{ sha: A, outcome: 'success', at: '2025-11-20T10:02:12.000Z' }]);
    // A Kustomization has no per-resource health: services are unknown, and say why.
    expect(status.services[0]).toMatchObject({ name: 'podinfo', health: 'unknown', reason: 'no resource named podinfo in Kustomization production-apps' });
  });

  it('reads Ready=False on a newer attempted revision as degraded, failed, out of sync', T, async () => {
    fake.objects.set('production-apps', { applied: A, attempted: B, ready: 'False', reason: 'HealthCheckFailed', message: 'timeout waiting for: [Deployment/production/podinfo status: InProgress]' });
    const status = await flux().status(target);
    expect(status).toMatchObject({ health: 'degraded', sync: 'out-of-sync', liveRevision: A });
    expect(status.operation).toMatchObject({ phase: 'failed', revision: B, message: 'timeout waiting for: [Deployment/production/podinfo status: InProgress]' });
    expect(status.outcomes[0]).toEqual({ sha: B, outcome: 'failed', at: '2025-11-20T10:02:12.000Z' });
  });

  it('requests a reconcile by merge-patching the requestedAt annotation', T, async () => {
    fake.objects.set('production-apps', { applied: A, ready: 'True' });
    expect((await flux().requestSync(target, B)).accepted).toBe(true);
    expect(fake.patches).toEqual([
      { name: 'production-apps', contentType: 'application/merge-patch+json', body: { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': '2025-11-20T10:10:00.000Z' } } } },
    ]);
  });

  const faults: [string, () => void, RegExp][] = [
    ['401', () => (fake.fault = 401), /refused the token \(401\): Unauthorized/],
    ['403', () => (fake.fault = 403), /denied access to Kustomization flux-system\/production-apps \(403\): .*cannot get resource/],
    ['a hang', () => (fake.fault = 'hang'), /no answer within 300 ms/],
    ['malformed JSON', () => (fake.fault = 'malformed'), /malformed JSON/],
    ['500', () => (fake.fault = 500), /answered 500: .*etcdserver: request timed out/],
    ['connection refused', () => {}, /unreachable: ECONNREFUSED/],
    ['an unknown Kustomization', () => fake.objects.clear(), /there is no Kustomization flux-system\/production-apps \(404\)/],
  ];
  it.each(faults)('%s → unknown with the reason', T, async (name, setUp, reason) => {
    fake.objects.set('production-apps', { applied: A, ready: 'True' });
    setUp();
    // Port 9 (discard) on localhost refuses connections.
    const status = await flux(name === 'connection refused' ? 'http://127.0.0.1:9' : undefined).status(target);
    expect(status).toMatchObject({ health: 'unknown', sync: 'unknown', liveRevision: null });
    expect(status.reason).toMatch(reason);
    fake.fault = null;
  });
});

describe('Flux: an answer of the wrong shape', () => {
  it('is unknown with the reason, and logged once per object however often it is read again', T, async () => {
    fake.objects.set('production-apps', { applied: A, ready: 'True' });
    fake.fault = 'shape';
    const own = new FixedClock(new Date('2025-11-20T10:10:00Z'));
    const log = vi.fn();
    const client = new FluxClient({ apiServer: fake.url, token: fake.token, timeoutMs: 300, kind: 'Kustomization', namespace: 'flux-system', clock: own });
    const poller = new ObjectPoller({ client, clock: own, intervalMs: 1_000, log });
    const cluster = new AgentClusterStatus({ client, poller, naming: '{environment}-apps', namingKey: 'cluster.flux.kustomization', serviceResource: '{service}', confirmWithinMs: 60_000 });
    const status = await cluster.status(target);
    expect(status).toMatchObject({ health: 'unknown', sync: 'unknown', liveRevision: null });
    expect(status.reason).toMatch(/unexpected shape for Kustomization production-apps \(status\.conditions: /);
    for (let read = 2; read <= 4; read += 1) {
      own.advance(120_000);
      poller.pollDue();
      await vi.waitFor(() => expect(fake.tokens.length).toBe(read), { timeout: 10_000, interval: 20 });
    }
    await vi.waitFor(() => expect(poller.snapshot()[0]?.state.error).toMatch(/unexpected shape/), { timeout: 10_000 });
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![0]).toMatchObject({ level: 'warn', agent: 'Flux', object: 'production-apps' });
    await poller.stop();
  });
});

describe('Flux HelmRelease (helm.toolkit.fluxcd.io/v2)', () => {
  const helm = () => {
    const client = new FluxClient({ apiServer: fake.url, token: fake.token, timeoutMs: 300, kind: 'HelmRelease', namespace: 'flux-system', clock });
    const poller = new ObjectPoller({ client, clock, intervalMs: 60_000 });
    return new AgentClusterStatus({ client, poller, naming: '{service}', namingKey: 'cluster.flux.kustomization', serviceResource: '{service}', confirmWithinMs: 60_000 });
  };

  it('reads Ready=True and the Helm release history: healthy, and the live revision unknown with the chart it runs', T, async () => {
    fake.helmReleases.set('podinfo', { chartVersion: '6.5.4', snapshot: 'deployed', ready: 'True' });
    const status = await helm().status(target);
    expect(status.services[0]).toMatchObject({ name: 'podinfo', health: 'healthy', sync: 'unknown', liveRevision: null });
    expect(status.liveRevision).toBeNull();
    expect(status.reason).toBe('Flux HelmRelease podinfo: the HelmRelease runs chart podinfo@6.5.4 (Helm release v4, deployed), which names no git commit');
    expect(status.operation).toMatchObject({ phase: 'succeeded', agentPhase: 'Ready=True (UpgradeSucceeded)', revision: null });
  });

  it('reads Ready=False after a failed upgrade as degraded with the agent\'s message', T, async () => {
    fake.helmReleases.set('podinfo', { chartVersion: '6.5.5', snapshot: 'failed', ready: 'False', reason: 'UpgradeFailed', message: 'Helm upgrade failed for release production/podinfo with chart podinfo@6.5.5: context deadline exceeded' });
    const status = await helm().status(target);
    expect(status.services[0]).toMatchObject({ health: 'degraded' });
    expect(status.operation).toMatchObject({ phase: 'failed', agentPhase: 'Ready=False (UpgradeFailed)', message: expect.stringContaining('context deadline exceeded') });
    expect(status.reason).toMatch(/podinfo@6\.5\.5 \(Helm release v4, failed\)/);
  });

  it('requests a reconcile by merge-patching the HelmRelease\'s requestedAt annotation', T, async () => {
    fake.helmReleases.set('podinfo', { chartVersion: '6.5.4', snapshot: 'deployed', ready: 'True' });
    expect((await helm().requestSync(target, B)).accepted).toBe(true);
    expect(fake.patches).toEqual([
      { name: 'podinfo', contentType: 'application/merge-patch+json', body: { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': '2025-11-20T10:10:00.000Z' } } } },
    ]);
  });
});

describe('Flux in a pod (service account)', () => {
  const account = mkdtempSync(join(tmpdir(), 'rewind-sa-'));
  afterAll(() => rmSync(account, { recursive: true, force: true }));

  it('builds the API server address from KUBERNETES_SERVICE_HOST/PORT, and refuses to start outside a pod without apiServer', () => {
    expect(inClusterApiServer({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' })).toBe('https://10.96.0.1:443');
    expect(inClusterApiServer({ KUBERNETES_SERVICE_HOST: 'fd00::1' })).toBe('https://[fd00::1]:443');
    expect(() => inClusterApiServer({})).toThrow(/KUBERNETES_SERVICE_HOST is not \(Rewind is not running in a pod\)/);
    expect(clusterConfigSchema.safeParse({ flux: {} }).success).toBe(true);
    expect(clusterConfigSchema.safeParse({ flux: { apiServer: 'https://k8s.example.com' } }).success).toBe(false);
  });

  it('reads with the mounted token and reads it again once the kubelet rotates it', T, async () => {
    writeFileSync(join(account, 'token'), 'sa-token\n');
    fake.objects.set('production-apps', { applied: A, ready: 'True' });
    const config = clusterConfigSchema.parse({ flux: { apiServer: fake.url, inCluster: true, pollInterval: '200ms', timeout: '300ms' } });
    const runtime = createCluster({
      config,
      targets: [target],
      events: new EventBus(),
      clock,
      revisions: new InMemoryRevisionStore(),
      requests: new InMemoryRequestStore(),
      log: () => {},
      env: {},
      serviceAccountDir: account,
    });
    try {
      expect(await runtime.cluster.status(target, null)).toMatchObject({ source: 'flux', liveRevision: A, reason: null });
      // The kubelet swaps the file; the old token stops working at once.
      writeFileSync(join(account, 'token.new'), 'rotated-token\n');
      renameSync(join(account, 'token.new'), join(account, 'token'));
      fake.token = 'rotated-token';
      fake.objects.set('production-apps', { applied: B, ready: 'True' });
      runtime.poller!.pollSoon('production-apps');
      runtime.poller!.pollDue();
      await expect.poll(async () => (await runtime.cluster.status(target, null)).liveRevision, { timeout: 10_000 }).toBe(B);
      expect(fake.tokens).toContain('rotated-token');
      expect(fake.tokens.filter((t) => t !== 'sa-token' && t !== 'rotated-token')).toEqual([]);
    } finally {
      await runtime.close();
    }
  });
});
