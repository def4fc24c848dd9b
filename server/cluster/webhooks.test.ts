import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { createWebhookApp, MAX_HOOK_BYTES, REPLAY_WINDOW_MS, verifyBearer, type HookOutcome, type WebhookOptions } from './webhooks.ts';

const SECRET = 'hook-secret';
const A = 'a'.repeat(40);
const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const TOKEN = 't'.repeat(40);

function setUp(now = new Date('2025-11-20T10:00:00Z'), ledger = new InMemoryRequestStore(), secrets: Pick<WebhookOptions, 'secret' | 'argocdToken'> = { secret: SECRET }) {
  const recorded: HookOutcome[] = [];
  const app = createWebhookApp({ ...secrets, record: (o) => recorded.push(o), now: () => now, ledger });
  const post = (path: string, body: string, signature?: string, authorization?: string) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { 'x-signature': signature } : {}), ...(authorization ? { authorization } : {}) },
      body,
    });
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

/** Argo CD Notifications sends static headers only (decision 046): a bearer token, never an HMAC. */
describe('the Argo CD hook with a bearer token', () => {
  const argoEvent = (phase: string, finishedAt: string | null = '2025-11-20T09:58:30Z') =>
    JSON.stringify({ app: 'acme-production', revision: A, phase, ...(finishedAt === null ? {} : { finishedAt }) });
  const tokenOnly = () => setUp(undefined, undefined, { argocdToken: TOKEN });

  it('records a delivery with the right token, at the time the operation finished', async () => {
    const { recorded, post } = tokenOnly();
    const response = await post('/api/hooks/argocd', argoEvent('Failed'), undefined, `Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ recorded: true, object: 'acme-production', sha: A, outcome: 'failed' });
    expect(recorded).toEqual([{ object: 'acme-production', outcome: { sha: A, outcome: 'failed', at: '2025-11-20T09:58:30Z' } }]);
  });

  it('answers 401 and records nothing without the token, with a wrong one, or another scheme', async () => {
    const { recorded, post } = tokenOnly();
    const missing = await post('/api/hooks/argocd', argoEvent('Succeeded'));
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'missing Authorization: Bearer <token>' } });
    for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`, 'Bearer', `${TOKEN}`]) {
      expect((await post('/api/hooks/argocd', argoEvent('Succeeded'), undefined, authorization)).status).toBe(401);
    }
    expect(recorded).toEqual([]);
  });

  it('refuses the same delivery again with 409 (same body: the same operation), and accepts the next operation', async () => {
    const { recorded, post } = tokenOnly();
    expect((await post('/api/hooks/argocd', argoEvent('Failed'), undefined, `Bearer ${TOKEN}`)).status).toBe(200);
    const replay = await post('/api/hooks/argocd', argoEvent('Failed'), undefined, `Bearer ${TOKEN}`);
    expect(replay.status).toBe(409);
    expect(await replay.json()).toEqual({ error: { code: 'CONFLICT', message: 'this delivery was received before (same body): ignored' } });
    expect((await post('/api/hooks/argocd', argoEvent('Succeeded', '2025-11-20T09:59:40Z'), undefined, `Bearer ${TOKEN}`)).status).toBe(200);
    expect(recorded.map((r) => r.outcome.outcome)).toEqual(['failed', 'success']);
  });

  it('requires finishedAt for an outcome (it bounds the replay window), and refuses one older than the window', async () => {
    const { recorded, post } = tokenOnly();
    const bare = await post('/api/hooks/argocd', argoEvent('Failed', null), undefined, `Bearer ${TOKEN}`);
    expect(bare.status).toBe(400);
    expect(((await bare.json()) as { error: { message: string } }).error.message).toContain('{{.app.status.operationState.finishedAt}}');
    expect((await post('/api/hooks/argocd', argoEvent('Failed', 'yesterday'), undefined, `Bearer ${TOKEN}`)).status).toBe(400);
    const old = new Date(Date.parse('2025-11-20T10:00:00Z') - REPLAY_WINDOW_MS - 60_000).toISOString();
    expect((await post('/api/hooks/argocd', argoEvent('Failed', old), undefined, `Bearer ${TOKEN}`)).status).toBe(409);
    // A running operation has no outcome yet: acknowledged, nothing recorded, no finishedAt needed.
    expect((await post('/api/hooks/argocd', argoEvent('Running', null), undefined, `Bearer ${TOKEN}`)).status).toBe(202);
    expect(recorded).toEqual([]);
  });

  it('is for the Argo CD hook only: Flux must sign, and without an HMAC secret its hook does not exist', async () => {
    const { recorded, post } = tokenOnly();
    const flux = await post('/api/hooks/flux', fluxEvent, undefined, `Bearer ${TOKEN}`);
    expect(flux.status).toBe(404);
    expect(await flux.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'the Flux webhook is not configured (cluster.webhooks)' } });
    const both = setUp(undefined, undefined, { secret: SECRET, argocdToken: TOKEN });
    expect((await both.post('/api/hooks/flux', fluxEvent, undefined, `Bearer ${TOKEN}`)).status).toBe(401);
    expect(recorded).toEqual([]);
    expect(both.recorded).toEqual([]);
  });

  it('accepts a signed delivery (a signing relay) beside the token, and a wrong signature is not rescued by the token', async () => {
    const { recorded, post } = setUp(undefined, undefined, { secret: SECRET, argocdToken: TOKEN });
    const body = argoEvent('Succeeded');
    expect((await post('/api/hooks/argocd', body, sign(body, 'other'), `Bearer ${TOKEN}`)).status).toBe(401);
    expect((await post('/api/hooks/argocd', body, sign(body))).status).toBe(200);
    expect(recorded).toHaveLength(1);
  });

  it('compares tokens of any length without throwing', () => {
    expect(verifyBearer(TOKEN, `Bearer ${TOKEN}`)).toBe(true);
    expect(verifyBearer(TOKEN, `bearer   ${TOKEN}  `)).toBe(true);
    expect(verifyBearer(TOKEN, undefined)).toBe(false);
    expect(verifyBearer(TOKEN, 'Bearer x')).toBe(false);
    expect(verifyBearer(TOKEN, `Bearer ${'y'.repeat(5000)}`)).toBe(false);
  });
});
