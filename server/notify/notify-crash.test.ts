/**
 * The outbox across a real SIGKILL (decision 038): `rewind serve` runs with its sender paused
 * (REWIND_TEST_NOTIFICATIONS_PAUSED=1), a rollback request is created (its state change and outbox
 * messages committed), the process is killed with SIGKILL before anything is sent, and a restart on
 * the same data delivers each message exactly once. A channel naming an unset variable stops the start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { notificationsResponseSchema } from '#core/notification-schemas.ts';
import { verifySignature } from '#core/notification-signing.ts';
import { historyResponseSchema, rollbackRequestResponseSchema } from '#core/schemas.ts';
import { tempDirs } from '#server/git/test-repos.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../tests/support/webhook-receiver.ts';

// Real work (server processes killed and restarted) on a busy machine: generous limits (decision 024).
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const dirs = tempDirs('rewind-notify-crash-');
const ROOT = resolve(import.meta.dirname, '../..');
const children = new Set<ChildProcess>();
let receiver: WebhookReceiver | null = null;

afterEach(async () => {
  await receiver?.close();
  receiver = null;
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  dirs.cleanup();
});

const CONFIG = `identity:
  mode: demo
users:
  - { email: sam@example.com, name: Sam, roles: [requester] }
  - { email: dana@example.com, name: Dana, roles: [approver] }
targets:
  pattern:
    services: "tenants/{tenant}/{environment}/services/{service}/"
notifications:
  baseUrl: https://rewind.example.com
  channels:
    - name: ops
      type: webhook
      urlEnv: REWIND_TEST_HOOK_URL
      secretEnv: REWIND_TEST_HOOK_SECRET
`;

function serve(dataDir: string, env: Record<string, string>) {
  const config = join(dataDir, 'rewind.config.yaml');
  writeFileSync(config, CONFIG);
  const child = spawn(process.execPath, ['bin/rewind.mjs', 'serve', '--config', config, '--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0', '--static', dataDir], {
    cwd: ROOT,
    env: { ...process.env, REWIND_TEST_HOOK_URL: '', REWIND_TEST_HOOK_SECRET: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = new Promise<string>((resolveUrl, reject) => {
    const timer = setInterval(() => {
      const match = out.match(/Rewind is serving (http:\/\/\S+\/)/);
      if (match) {
        clearInterval(timer);
        resolveUrl(match[1]!);
      }
    }, 50);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`rewind serve exited (${child.exitCode ?? child.signalCode}):\n${out}`));
    });
  });
  return { child, url, exited, output: () => out };
}

const as = (email: string) => ({ 'Content-Type': 'application/json', 'X-Forwarded-Email': email });

describe('notifications across a SIGKILL', () => {
  it('a message committed with its state change and not yet sent is delivered exactly once after the restart', async () => {
    receiver = await startWebhookReceiver(() => ({ status: 200, delayMs: 50 }));
    const env = { REWIND_TEST_HOOK_URL: receiver.url, REWIND_TEST_HOOK_SECRET: 'whsec-crash' };
    const dataDir = dirs.make('data-');
    const first = serve(dataDir, { ...env, REWIND_TEST_NOTIFICATIONS_PAUSED: '1' });
    const base = await first.url;
    // The URL is a secret: the start-up lines show its origin only. They follow the "serving" line,
    // possibly in a later chunk of the child's output.
    await vi.waitFor(() => expect(first.output()).toContain('notifications: webhook ops (http://127.0.0.1:'), { timeout: 10_000 });
    expect(first.output()).not.toContain('SECRET-TOKEN');
    const history = historyResponseSchema.parse(await (await fetch(new URL('api/targets/acme/production/history?limit=2', base))).json());
    const created = await fetch(new URL('api/rollbacks', base), {
      method: 'POST',
      headers: as('sam@example.com'),
      body: JSON.stringify({ tenant: 'acme', environment: 'production', mode: 'full', targetSha: history.revisions[1]!.sha, justification: 'undo the last release' }),
    });
    expect(created.status).toBe(201);
    const { request } = rollbackRequestResponseSchema.parse(await created.json());
    const before = notificationsResponseSchema.parse(await (await fetch(new URL(`api/rollbacks/${request.id}/notifications`, base))).json());
    expect(before.notifications.map((n) => [n.kind, n.channel, n.status])).toEqual([['requested', 'ops', 'pending']]);

    first.child.kill('SIGKILL');
    await first.exited;
    expect(receiver.attempts).toHaveLength(0);

    const second = serve(dataDir, env);
    try {
      const again = await second.url;
      await receiver.waitFor(1, 60_000);
      await vi.waitFor(
        async () => {
          const after = notificationsResponseSchema.parse(await (await fetch(new URL(`api/rollbacks/${request.id}/notifications`, again))).json());
          expect(after.notifications.map((n) => [n.kind, n.status, n.attempts])).toEqual([['requested', 'delivered', 1]]);
        },
        { timeout: 30_000, interval: 200 },
      );
      // Exactly once: one attempt in all, signed, naming the approver who may review it.
      await new Promise((r) => setTimeout(r, 1500));
      expect(receiver.attempts).toHaveLength(1);
      const [attempt] = receiver.attempts;
      expect(await verifySignature('whsec-crash', attempt!.body, String(attempt!.headers['x-rewind-signature']), new Date())).toEqual({ ok: true });
      expect(JSON.parse(attempt!.body)).toMatchObject({ kind: 'requested', approvers: ['dana@example.com'], request: { id: request.id } });
      expect(second.output()).not.toContain('SECRET-TOKEN');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('refuses to start when a channel names an environment variable that is not set', async () => {
    const started = serve(dirs.make('data-'), {});
    await expect(started.url).rejects.toThrow(/notifications channel ops: urlEnv names REWIND_TEST_HOOK_URL, which is not set/);
    expect(started.child.exitCode).not.toBe(0);
  });
});
