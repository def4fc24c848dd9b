// Real server only: this journey stops and restarts a server of its own, on E2E_CONNECTION_PORT
// (default: the real project's port + 1), over its own data dir and the real project's build.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, historyRows, test } from './fixtures.ts';

const REAL_PORT = Number(process.env.E2E_REAL_PORT ?? 4181);
const PORT = Number(process.env.E2E_CONNECTION_PORT ?? REAL_PORT + 1);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const DIST = `dist-e2e-real-${REAL_PORT}`;

let dataDir = '';
let server: ChildProcess | null = null;

async function startServer() {
  server = spawn(process.execPath, ['bin/rewind.mjs', 'serve', '--data-dir', dataDir, '--static', DIST, '--host', '127.0.0.1', '--port', String(PORT)], {
    stdio: 'ignore',
    detached: true,
  });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${ORIGIN}/api/me`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the server on ${PORT} did not start`);
}

async function stopServer() {
  const running = server;
  server = null;
  if (!running?.pid) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  // SIGKILL: a crash or a lost host, and a graceful stop would wait for the page's open event stream.
  process.kill(-running.pid, 'SIGKILL');
  await exited;
}

test.beforeAll(async () => {
  expect(existsSync(join(DIST, 'index.html')), `${DIST} is built by the real project's web server`).toBe(true);
  dataDir = mkdtempSync(join(tmpdir(), 'rewind-e2e-connection-'));
  await startServer();
});

test.afterAll(async () => {
  await stopServer();
  rmSync(dataDir, { recursive: true, force: true });
});

test('server stopped and restarted: the page says so, greys live statuses, and recovers by itself', async ({ page, expectedConsoleErrors, checkA11y }) => {
  test.setTimeout(120_000);
  // The browser logs every refused request and the failed page chunk; that is the point of this journey.
  expectedConsoleErrors.push(/ERR_CONNECTION_REFUSED|Failed to load resource|Failed to fetch dynamically imported module|ERR_EMPTY_RESPONSE|EventSource/);

  await page.goto(`${ORIGIN}/targets/acme/production`);
  await expect(historyRows(page).first()).toBeVisible();
  const health = page.locator('.target-header .badge[class*="badge--health-"]').first();
  await expect(health).not.toHaveAttribute('data-stale');
  await expect(page.getByTestId('connection-banner')).toHaveCount(0);

  await stopServer();
  const banner = page.getByTestId('connection-banner');
  await expect(banner).toBeVisible({ timeout: 15_000 });
  // The stream notices first; the probe it starts tells the whole server is gone.
  await expect(banner).toContainText('Connection to Rewind lost, retrying.', { timeout: 15_000 });
  await expect(banner).toContainText(/Data as of \d{1,2}:\d{2}/);
  await expect(health).toHaveAttribute('data-stale', 'true');
  await expect(health).toContainText('Last known:');
  await checkA11y();

  // A page whose code was never loaded cannot arrive now: a reload prompt, not "Unable to preload CSS".
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'This page could not be loaded' })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('button', { name: 'Reload Rewind' })).toBeVisible();
  await expect(page.getByText(/preload|dynamically imported/i)).toHaveCount(0);

  await startServer();
  // Nobody clicks Retry: the probe and the event stream notice the server is back.
  await expect(banner).toHaveCount(0, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Reload Rewind' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit trail' })).toBeVisible();

  await page.goto(`${ORIGIN}/targets/acme/production`);
  await expect(historyRows(page).first()).toBeVisible();
  await stopServer();
  await expect(health).toHaveAttribute('data-stale', 'true', { timeout: 15_000 });
  await startServer();
  // Back without a reload: fresh statuses again.
  await expect(health).not.toHaveAttribute('data-stale', { timeout: 30_000 });
  await expect(banner).toHaveCount(0);
});
