import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { createWebhookApp, MAX_HOOK_BYTES, REPLAY_WINDOW_MS, type HookOutcome } from './webhooks.ts';

const SECRET = 'hook-secret';
const A = 'a'.repeat(40);
const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function setUp(now = new Date('2025-11-20T10:00:00Z'), ledger = new InMemoryRequestStore()) {
  const recorded: HookOutcome[] = [];
  const app = createWebhookApp({ secret: SECRET, record: (o) => recorded.push(o), now: () => now, ledger });
  const post = (path: string, body: string, signature?: string) =>
    app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'x-signature': signature } : {}) }, body });
  return { recorded, post };
}

const fluxEvent = JSON.stringify({
  involvedObject: { kind: 'Kustomization', namespace: 'flux-system', name: 'production-apps' },
  severity: 'error',
  timestamp: '2025-11-20T09:59:00Z',
  message: 'Health check failed',
  reason: 'HealthCheckFailed',
  metadata: { revision: `main@sha1:${A}` },
  reportingController: 'kustomize-controller',
});

describe('outcome webhooks', () => {
  it('records a signed Flux event at once', async () => {
    const { recorded, post } = setUp();
    const response = await post('/api/hooks/flux', fluxEvent, sign(fluxEvent));
    expect(response.status).toBe(200);
    expect(recorded).toEqual([{ object: 'production-apps', outcome: { sha: A, outcome: 'failed', at: '2025-11-20T09:59:00Z' } }]);
  });

  it('records a signed Argo CD notification', async () => {
    const { recorded, post } = setUp();
    const body = JSON.stringify({ app: 'acme-production', revision: A, phase: 'Succeeded' });
    expect((await post('/api/hooks/argocd', body, sign(body))).status).toBe(200);
    expect(recorded).toEqual([{ object: 'acme-production', outcome: { sha: A, outcome: 'success', at: '2025-11-20T10:00:00.000Z' } }]);
  });

  it('answers 401 and records nothing when unsigned or wrongly signed', async () => {
    const { recorded, post } = setUp();
    expect((await post('/api/hooks/flux', fluxEvent)).status).toBe(401);
    expect((await post('/api/hooks/flux', fluxEvent, sign(fluxEvent, 'other'))).status).toBe(401);
    expect((await post('/api/hooks/flux', fluxEvent, sign(`${fluxEvent} `))).status).toBe(401);
    expect((await post('/api/hooks/flux', fluxEvent, 'sha256=zz')).status).toBe(401);
    expect(recorded).toEqual([]);
  });

  it('refuses a replayed delivery with 409 without recording it twice', async () => {
    const { recorded, post } = setUp();
    await post('/api/hooks/flux', fluxEvent, sign(fluxEvent));
    const replay = await post('/api/hooks/flux', fluxEvent, sign(fluxEvent));
    expect(replay.status).toBe(409);
    expect(await replay.json()).toEqual({ error: { code: 'CONFLICT', message: 'this delivery was received before (same signature): ignored' } });
    expect(recorded).toHaveLength(1);
  });

  it('remembers deliveries in the ledger it is given (a new app over the same store still refuses)', async () => {
    const ledger = new InMemoryRequestStore();
    await setUp(undefined, ledger).post('/api/hooks/flux', fluxEvent, sign(fluxEvent));
    const again = setUp(undefined, ledger);
    expect((await again.post('/api/hooks/flux', fluxEvent, sign(fluxEvent))).status).toBe(409);
    expect(again.recorded).toEqual([]);
  });

  it('refuses a Flux event older than the replay window, which the ledger has forgotten', async () => {
    const late = new Date(Date.parse('2025-11-20T09:59:00Z') + REPLAY_WINDOW_MS + 60_000);
    const { recorded, post } = setUp(late);
    const response = await post('/api/hooks/flux', fluxEvent, sign(fluxEvent));
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/older than the replay window of 7 days/);
    expect(recorded).toEqual([]);
  });

  it('refuses an oversized body with 413, signed or not', async () => {
    const { recorded, post } = setUp();
    const big = JSON.stringify({ padding: 'x'.repeat(MAX_HOOK_BYTES) });
    expect((await post('/api/hooks/flux', big, sign(big))).status).toBe(413);
    expect(recorded).toEqual([]);
  });

  it('accepts a signed event it cannot use without recording anything', async () => {
    const { recorded, post } = setUp();
    const body = JSON.stringify({ involvedObject: { name: 'x' }, severity: 'info', metadata: { revision: 'v1.2.3' } });
    expect((await post('/api/hooks/flux', body, sign(body))).status).toBe(202);
    expect((await post('/api/hooks/flux', 'not json', sign('not json'))).status).toBe(400);
    expect(recorded).toEqual([]);
  });
});
