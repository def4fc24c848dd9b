/**
 * `cluster.argocd.caFile`: an Argo CD whose certificate a private CA signed is read only with that CA
 * configured; without it the status is unknown with the TLS reason, never healthy (issue 10).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '#core/basic-adapters.ts';
import { EventBus } from '#core/events.ts';
import { defaultLayout, type TargetConfig } from '#core/target-config.ts';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';
import { clusterConfigSchema } from '#server/cluster/cluster-config.ts';
import { createCluster, type ClusterRuntime } from '#server/cluster/create-cluster.ts';
import { FakeArgoCd } from '../fakes/fake-argocd.ts';

const target: TargetConfig = {
  tenant: 'acme',
  environment: 'production',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 0, blockSelfApproval: true, requesters: ['admin'], approvers: ['admin'], breakGlass: ['admin'] },
  layout: defaultLayout('acme', 'production', ['api']),
};
const LIVE = 'c'.repeat(40);
const dir = mkdtempSync(join(tmpdir(), 'rewind-argocd-tls-'));
let fake: FakeArgoCd;
let runtime: ClusterRuntime | null = null;

beforeAll(async () => {
  // A private CA and a server certificate for 127.0.0.1 signed by it.
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore', timeout: 30_000 });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Rewind test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  fake = new FakeArgoCd({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) });
  await fake.start();
  fake.apps.set('acme-production', { live: LIVE });
}, 60_000);
afterEach(async () => {
  await runtime?.close();
  runtime = null;
});
afterAll(async () => {
  await fake?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function start(caFile?: string) {
  const config = clusterConfigSchema.parse({ argocd: { url: fake.url, tokenEnv: 'T', timeout: '2s', ...(caFile ? { caFile } : {}) } });
  runtime = createCluster({ config, targets: [target], events: new EventBus(), clock: systemClock, revisions: new InMemoryRevisionStore(), requests: new InMemoryRequestStore(), log: () => {}, env: { T: fake.token }, baseDir: dir });
  return runtime.cluster;
}

describe('Argo CD behind a private CA', () => {
  it('is read with caFile (relative to the config file), and unknown with the TLS reason without it', { timeout: 30_000 }, async () => {
    const trusted = await start('ca.pem').status(target, LIVE);
    expect(trusted).toMatchObject({ source: 'argocd', health: 'healthy', sync: 'synced', liveRevision: LIVE, reason: null });
    await runtime!.close();

    const untrusted = await start().status(target, LIVE);
    expect(untrusted).toMatchObject({ health: 'unknown', sync: 'unknown', liveRevision: null });
    expect(untrusted.reason).toMatch(/^Argo CD Application acme-production: unreachable: its TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*\); set caFile to the CA that signed it$/);
  });

  it('refuses to start when the caFile does not exist, naming the key', () => {
    expect(() => start('missing.pem')).toThrow(`cluster.argocd.caFile: the file ${dir}/missing.pem does not exist`);
  });
});
