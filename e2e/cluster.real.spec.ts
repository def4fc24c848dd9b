// Real server only: a `rewind serve` of its own over the demo repo with `cluster.argocd` pointing at a
// fake Argo CD that this spec controls, so the request page can be shown to follow the agent's word.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeArgoCd } from '../tests/fakes/fake-argocd.ts';
import { requestRollbackViaWizard } from './approval-helpers.ts';
import { expect, test } from './fixtures.ts';

const REAL_PORT = Number(process.env.E2E_REAL_PORT ?? 4181);
const PORT = REAL_PORT + 1;
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = 'e2e-argocd-token';

const fake = new FakeArgoCd();
fake.token = TOKEN;
let server: ChildProcess | null = null;
let dir = '';
let branchHead = '';

test.beforeAll(async () => {
  test.setTimeout(180_000);
  await fake.start();
  dir = mkdtempSync(join(tmpdir(), 'rewind-e2e-cluster-'));
  const config = join(dir, 'rewind.config.yaml');
  writeFileSync(
    config,
    [
      'targets:',
      '  pattern:',
      '    services: "tenants/{tenant}/{environment}/services/{service}/"',
      'defaults: { policy: { requiredApprovals: 0 } }',
      'users:',
      '  - { email: olu@example.com, name: Olu, roles: [admin] }',
      'identity: { mode: demo, defaultUser: olu@example.com }',
      'cluster:',
      '  argocd:',
      `    url: ${fake.url}`,
      '    tokenEnv: E2E_ARGOCD_TOKEN',
      '    application: "{tenant}-{environment}"',
      '    syncAfterRollback: true',
      '    confirmWithin: 8s',
      '    pollInterval: 300ms',
      '    timeout: 500ms',
      '',
    ].join('\n'),
  );
  server = spawn(
    process.execPath,
    ['bin/rewind.mjs', 'serve', '--data-dir', join(dir, 'data'), '--config', config, '--static', `dist-e2e-real-${REAL_PORT}`, '--host', '127.0.0.1', '--port', String(PORT)],
    { env: { ...process.env, E2E_ARGOCD_TOKEN: TOKEN }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await expect(async () => expect((await fetch(`${BASE}/api/me`)).status).toBe(200)).toPass({ timeout: 120_000 });
  // Argo CD reports the repo commit it synced: the whole branch's head, here every target's.
  branchHead = execFileSync('git', ['-C', join(dir, 'data', 'repo'), 'rev-parse', 'refs/heads/main'], { encoding: 'utf8' }).trim();
  fake.fallback = () => ({ live: branchHead });
});

test.afterAll(async () => {
  server?.kill('SIGTERM');
  await fake.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a rollback is committed, syncing, then healthy only when Argo CD says so; unreachable, it cannot be confirmed until it is back', async ({ browser, checkA11y }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ baseURL: BASE });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });

  await page.goto('/targets/acme/staging');
  await expect(page.getByTestId('live-revision').locator('code')).toHaveAttribute('title', branchHead);
  await expect(page.getByTestId('cluster-source')).toContainText('Argo CD, reported');
  await expect(page.getByTestId('service-status').first()).toContainText('Argo CD');
  // The agent's last operation, as it reported it (the fake's recorded successful sync of the head).
  await expect(page.getByTestId('last-operation')).toHaveAttribute('data-phase', 'succeeded');
  await expect(page.getByTestId('last-operation')).toContainText(`Succeeded on ${branchHead.slice(0, 7)}`);
  await checkA11y(page);

  const id = await requestRollbackViaWizard(page, 'acme/staging', 'bad release: back to the previous one');
  await expect(page.getByTestId('request-state')).toHaveText('Completed', { timeout: 20_000 });
  const commitSha = (await page.getByTestId('commit-sha').getAttribute('title'))!;
  const rollout = page.getByTestId('rollout');
  await expect(rollout).toHaveAttribute('data-state', 'committed');
  await expect(rollout).toContainText('waiting for Argo CD to apply');
  // syncAfterRollback: Argo CD was asked to sync the rollback commit.
  await expect(() => expect(fake.calls.some((c) => c.method === 'POST' && c.path === '/api/v1/applications/acme-staging/sync' && (c.body as { revision?: string }).revision === commitSha)).toBe(true)).toPass({ timeout: 10_000 });

  fake.apps.set('acme-staging', { live: branchHead, compared: commitSha, sync: 'OutOfSync', health: 'Progressing', operation: { phase: 'Running', revision: commitSha } });
  await expect(rollout).toHaveAttribute('data-state', 'syncing', { timeout: 15_000 });
  await expect(rollout.getByTestId('last-operation')).toHaveAttribute('data-phase', 'running');
  await expect(rollout.getByTestId('last-operation')).toContainText(`Running on ${commitSha.slice(0, 7)}`);
  fake.apps.set('acme-staging', { live: commitSha, health: 'Progressing' });
  await expect(rollout).toContainText('health progressing', { timeout: 15_000 });
  await expect(rollout).toHaveAttribute('data-state', 'syncing');
  fake.apps.set('acme-staging', { live: commitSha, health: 'Healthy' });
  await expect(rollout).toHaveAttribute('data-state', 'healthy', { timeout: 15_000 });
  await expect(rollout).toContainText(`Argo CD reports ${commitSha.slice(0, 7)} live, healthy and synced`);
  await checkA11y(page);

  await fake.stop();
  await expect(rollout).toHaveAttribute('data-state', 'unconfirmed', { timeout: 30_000 });
  await expect(rollout).toContainText('The git commit succeeded, but cluster sync cannot be confirmed');
  await expect(rollout).toContainText('unreachable');
  await expect(rollout).toContainText('Rewind keeps watching');
  await fake.start();
  await expect(rollout).toHaveAttribute('data-state', 'healthy', { timeout: 60_000 });

  expect(errors).toEqual([]);
  expect(id).toMatch(/^rbk-/);
  await context.close();
});
