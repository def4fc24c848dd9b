/**
 * `rewind serve` with an agent configured, over real HTTP (decisions 019, 037): `/readyz` reports the
 * cluster without turning 503, failed agent reads are counted by reason class, and the signed outcome
 * webhooks work end to end, with their replay memory surviving a restart.
 */
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { tempDirs } from '#server/git/test-repos.ts';
import { FakeArgoCd } from '../../tests/fakes/fake-argocd.ts';
import { createRewindServer, type RunningServer } from './rewind-server.ts';

const SECRET = 'hook-secret-for-tests';
const TOKEN = 'argocd-token-for-tests';
const HOOK_TOKEN = '5f0c3a9e'.repeat(8);
const dirs = tempDirs('rewind-cluster-server-');
const fake = new FakeArgoCd();
fake.token = TOKEN;
let liveSha = '';

beforeAll(async () => {
  await fake.start();
  fake.fallback = () => (liveSha ? { live: liveSha } : null);
  vi.stubEnv('TEST_ARGOCD_TOKEN', TOKEN);
  vi.stubEnv('TEST_HOOK_SECRET', SECRET);
  vi.stubEnv('TEST_ARGOCD_HOOK_TOKEN', HOOK_TOKEN);
  vi.stubEnv('TEST_SHORT_HOOK_TOKEN', 'short');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await fake.stop();
  dirs.cleanup();
});
afterEach(() => {
  fake.fault = null;
});

function configIn(dir: string, webhooks = ['    secretEnv: TEST_HOOK_SECRET']): string {
  const file = join(dir, 'rewind.config.yaml');
  writeFileSync(
    file,
    [
      'targets:',
      '  pattern:',
      '    services: "tenants/{tenant}/{environment}/services/{service}/"',
      'users:',
      '  - { email: olu@example.com, name: Olu, roles: [admin] }',
      'identity: { mode: demo, defaultUser: olu@example.com }',
      'cluster:',
      '  argocd:',
      `    url: ${fake.url}`,
      '    tokenEnv: TEST_ARGOCD_TOKEN',
      '    pollInterval: 200ms',
      '    timeout: 300ms',
      '  webhooks:',
      ...webhooks,
      '',
    ].join('\n'),
  );
  return file;
}

async function start(dir: string, webhooks?: string[]): Promise<{ server: RunningServer; api: (path: string, init?: RequestInit) => Promise<Response> }> {
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const server = await createRewindServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), configFile: configIn(dir, webhooks), log: () => {} });
  const api = (path: string, init?: RequestInit) => fetch(new URL(path.replace(/^\//, ''), server.url), init);
  return { server, api };
}

const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
const hook = (api: (path: string, init?: RequestInit) => Promise<Response>, body: string, signature?: string) =>
  api('/api/hooks/argocd', { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'x-signature': signature } : {}) }, body });

interface TargetBody {
  target: { head: { sha: string } | null; cluster: { outcomes: { sha: string; outcome: string }[] } };
}

describe('rewind serve with Argo CD', { timeout: 120_000 }, () => {
  it('readyz reports the cluster (200 while the agent fails, naming what failed) and agent read errors are counted', async () => {
    const dir = dirs.make('ready-');
    const { server, api } = await start(dir);
    try {
      liveSha = ((await (await api('/api/targets/acme/production')).json()) as TargetBody).target.head!.sha;
      await expect
        .poll(async () => (await (await api('/readyz')).json()) as unknown, { timeout: 20_000 })
        .toMatchObject({ status: 'ready', failed: [], degraded: [], checks: { cluster: { ok: true, detail: expect.stringMatching(/^Argo CD: (\d+) of \1 Applications read$/) } } });

      fake.fault = 500;
      await expect
        .poll(async () => {
          const ready = await api('/readyz');
          return { status: ready.status, body: (await ready.json()) as unknown };
        }, { timeout: 20_000 })
        .toMatchObject({
          status: 200,
          body: { status: 'ready', failed: [], degraded: ['cluster'], checks: { database: { ok: true }, cluster: { ok: false, error: expect.stringMatching(/^Argo CD: \d+ of \d+ Applications could not be read \(acme-production: Argo CD answered 500: rpc error/) } } },
        });
      const metrics = await (await api('/metrics')).text();
      expect(metrics).toMatch(/rewind_agent_poll_errors_total\{agent="argocd",reason="server-error"\} [1-9]/);
      // Object names never become labels.
      expect(metrics).not.toMatch(/rewind_agent_poll_errors_total\{[^}]*acme/);
    } finally {
      await server.close();
    }
  });

  it('outcome webhooks over HTTP: signed is recorded and shown, unsigned is 401, a replay is 409 even after a restart, oversized is 413', async () => {
    const dir = dirs.make('hooks-');
    let { server, api } = await start(dir);
    try {
      const head = ((await (await api('/api/targets/acme/production')).json()) as TargetBody).target.head!.sha;
      liveSha = head;
      const outcomes = async () => ((await (await api('/api/targets/acme/production')).json()) as TargetBody).target.cluster.outcomes;
      const body = JSON.stringify({ app: 'acme-production', revision: head, phase: 'Failed' });

      expect((await hook(api, body)).status).toBe(401);
      expect((await hook(api, body, sign(`${body} `))).status).toBe(401);
      expect(await outcomes()).not.toContainEqual(expect.objectContaining({ sha: head, outcome: 'failed' }));

      const accepted = await hook(api, body, sign(body));
      expect(accepted.status).toBe(200);
      expect(await accepted.json()).toEqual({ recorded: true, object: 'acme-production', sha: head, outcome: 'failed' });
      expect(await outcomes()).toContainEqual(expect.objectContaining({ sha: head, outcome: 'failed' }));
      // The history row of that commit says failed, and who said it (decision 037).
      const history = (await (await api('/api/targets/acme/production/history?limit=1')).json()) as { revisions: { sha: string; status: string; statusSource: string }[] };
      expect(history.revisions[0]).toMatchObject({ sha: head, status: 'failed', statusSource: 'argocd' });
      const detail = (await (await api(`/api/targets/acme/production/revisions/${head}`)).json()) as { deployment: { outcome: string; source: string } };
      expect(detail.deployment).toEqual({ outcome: 'failed', source: 'Argo CD (its sync history and last operation)' });

      expect((await hook(api, body, sign(body))).status).toBe(409);
      const big = JSON.stringify({ app: 'acme-production', padding: 'x'.repeat(70 * 1024) });
      expect((await hook(api, big, sign(big))).status).toBe(413);

      await server.close();
      ({ server, api } = await start(dir));
      const replay = await hook(api, body, sign(body));
      expect(replay.status).toBe(409);
      // After the restart the pushed outcome is gone from memory and the replay did not bring it back.
      expect(await outcomes()).not.toContainEqual(expect.objectContaining({ sha: head, outcome: 'failed' }));
    } finally {
      await server.close();
    }
  });

  it('Argo CD Notifications as documented (static bearer token): the example ConfigMap\'s request is recorded, a wrong or missing token is 401, the same operation again is 409', async () => {
    // Render docs/examples/argocd-notifications-rewind.yaml the way Argo CD would: secret reference, path and body template.
    const [secret, configMap] = parseAllDocuments(readFileSync('docs/examples/argocd-notifications-rewind.yaml', 'utf8')).map((d) => d.toJS() as { stringData?: Record<string, string>; data?: Record<string, string> });
    expect(Object.keys(secret!.stringData!)).toEqual(['rewind-hook-token']);
    const service = parseYaml(configMap!.data!['service.webhook.rewind']!) as { url: string; headers: { name: string; value: string }[] };
    const template = (parseYaml(configMap!.data!['template.rewind-outcome']!) as { webhook: { rewind: { method: string; path: string; body: string } } }).webhook.rewind;
    expect(configMap!.data!['trigger.on-rewind-outcome']).toContain('send: [rewind-outcome]');
    const headers = Object.fromEntries(service.headers.map((h) => [h.name, h.value.replace('$rewind-hook-token', HOOK_TOKEN)]));
    const render = (app: unknown) =>
      template.body.replace(/\{\{\s*\.app((?:\.[A-Za-z]+)+)\s*\}\}/g, (_m, path: string) => String(path.slice(1).split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], app)));

    const dir = dirs.make('argo-token-');
    const { server, api } = await start(dir, ['    argocdTokenEnv: TEST_ARGOCD_HOOK_TOKEN']);
    try {
      const head = ((await (await api('/api/targets/acme/production')).json()) as TargetBody).target.head!.sha;
      liveSha = head;
      const app = { metadata: { name: 'acme-production' }, status: { operationState: { phase: 'Failed', finishedAt: new Date(Date.now() - 5_000).toISOString().replace(/\.\d+Z$/, 'Z'), syncResult: { revision: head } } } };
      const body = render(app);
      const send = (extra: Record<string, string>, text = body) => api(template.path, { method: template.method, headers: { ...headers, ...extra }, body: text });
      const outcomes = async () => ((await (await api('/api/targets/acme/production')).json()) as TargetBody).target.cluster.outcomes;

      expect((await send({ Authorization: `Bearer ${HOOK_TOKEN.slice(0, -1)}0` })).status).toBe(401);
      const { Authorization: _dropped, ...withoutToken } = headers;
      expect((await api(template.path, { method: 'POST', headers: withoutToken, body })).status).toBe(401);
      expect(await outcomes()).not.toContainEqual(expect.objectContaining({ sha: head, outcome: 'failed' }));

      const accepted = await send({});
      expect(accepted.status).toBe(200);
      expect(await accepted.json()).toEqual({ recorded: true, object: 'acme-production', sha: head, outcome: 'failed' });
      expect(await outcomes()).toContainEqual(expect.objectContaining({ sha: head, outcome: 'failed', at: app.status.operationState.finishedAt }));
      expect((await send({})).status).toBe(409);
      // Flux must sign: with only an Argo CD token configured, its hook does not exist.
      expect((await api('/api/hooks/flux', { method: 'POST', headers, body })).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('refuses to start with an Argo CD hook token shorter than 32 characters, naming the key', async () => {
    const dir = dirs.make('short-token-');
    await expect(start(dir, ['    argocdTokenEnv: TEST_SHORT_HOOK_TOKEN'])).rejects.toThrow(
      'cluster.webhooks.argocdTokenEnv/argocdTokenFile: the token must be at least 32 characters without spaces (it is 5); make one with: openssl rand -hex 32',
    );
  });
});
