/** The Flux adapter against a fake Kubernetes API: Ready condition, revisions, reconcile, faults. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '#core/basic-adapters.ts';
import { defaultLayout, type TargetConfig } from '#core/target-config.ts';
import { AgentClusterStatus } from '#server/cluster/agent-cluster-status.ts';
import { FluxClient } from '#server/cluster/flux.ts';
import { ObjectPoller } from '#server/cluster/object-poller.ts';
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
  fake.patches.length = 0;
  fake.fault = null;
});

function flux() {
  const client = new FluxClient({ apiServer: fake.url, token: fake.token, timeoutMs: 300, kind: 'Kustomization', namespace: 'flux-system', clock });
  const poller = new ObjectPoller({ client, clock, intervalMs: 60_000 });
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
    ['an unknown Kustomization', () => fake.objects.clear(), /there is no Kustomization flux-system\/production-apps \(404\)/],
  ];
  it.each(faults)('%s → unknown with the reason', T, async (_, setUp, reason) => {
    fake.objects.set('production-apps', { applied: A, ready: 'True' });
    setUp();
    const status = await flux().status(target);
    expect(status).toMatchObject({ health: 'unknown', sync: 'unknown', liveRevision: null });
    expect(status.reason).toMatch(reason);
    fake.fault = null;
  });
});
