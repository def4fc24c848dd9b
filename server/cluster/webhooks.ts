/**
 * Inbound outcome webhooks (decision 019): `POST /api/hooks/argocd` (an Argo CD Notifications webhook)
 * and `POST /api/hooks/flux` (Flux notification-controller's `generic-hmac` provider). Both carry
 * `X-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with the configured secret; anything else is
 * 401 and records nothing. A delivery seen before (same signature, remembered for 7 days in the request
 * store's database, so a restart does not reopen the window) is 409 and records nothing, as is a Flux
 * event older than that window; a body over 64 KiB is 413. A valid one records the outcome at once and
 * has the object read again (decisions 019, 037).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { RevisionOutcome } from '#core/cluster-schemas.ts';
import type { DeliveryLedger } from '#core/ports.ts';
import { commitOf } from './agent.ts';

export const MAX_HOOK_BYTES = 64 * 1024;
/** How long an accepted delivery is remembered; a Flux event older than this is refused as stale. */
export const REPLAY_WINDOW_MS = 7 * 24 * 3_600_000;

export interface HookOutcome {
  object: string;
  outcome: RevisionOutcome;
}

export interface WebhookOptions {
  secret: string;
  /** Records a verified outcome (and has the object polled again). */
  record: (outcome: HookOutcome) => void;
  now: () => Date;
  /** Where accepted deliveries are remembered (the request store). */
  ledger: DeliveryLedger;
}

/** Verifies `sha256=<hex>` against the body, in constant time. */
export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(match[1]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Flux event: `involvedObject.name`, `severity` (`info` | `error`), `metadata.revision`. */
function fluxOutcome(body: Record<string, unknown>, now: Date): HookOutcome | null {
  const involved = body.involvedObject as { name?: unknown } | undefined;
  const metadata = body.metadata as { revision?: unknown } | undefined;
  const { sha } = commitOf(typeof metadata?.revision === 'string' ? metadata.revision : null);
  if (typeof involved?.name !== 'string' || !sha) return null;
  return { object: involved.name, outcome: { sha, outcome: body.severity === 'error' ? 'failed' : 'success', at: typeof body.timestamp === 'string' ? body.timestamp : now.toISOString() } };
}

/**
 * Argo CD Notifications template body (docs/configuration.md):
 * `{ "app": "{{.app.metadata.name}}", "revision": "{{.app.status.operationState.syncResult.revision}}",
 *    "phase": "{{.app.status.operationState.phase}}" }`.
 */
function argoOutcome(body: Record<string, unknown>, now: Date): HookOutcome | null {
  const { sha } = commitOf(typeof body.revision === 'string' ? body.revision : null);
  if (typeof body.app !== 'string' || !sha || typeof body.phase !== 'string') return null;
  const outcome = body.phase === 'Succeeded' ? 'success' : body.phase === 'Failed' || body.phase === 'Error' ? 'failed' : null;
  if (!outcome) return null;
  return { object: body.app, outcome: { sha, outcome, at: now.toISOString() } };
}

export function createWebhookApp(options: WebhookOptions): Hono {
  const app = new Hono();
  const handler = (parse: (body: Record<string, unknown>, now: Date) => HookOutcome | null) =>
    async (c: Context) => {
      const declared = Number(c.req.header('content-length') ?? '0');
      if (declared > MAX_HOOK_BYTES) return c.json({ error: { code: 'PAYLOAD_TOO_LARGE', message: `webhook body is over ${MAX_HOOK_BYTES} bytes` } }, 413);
      const body = Buffer.from(await c.req.arrayBuffer());
      if (body.length > MAX_HOOK_BYTES) return c.json({ error: { code: 'PAYLOAD_TOO_LARGE', message: `webhook body is over ${MAX_HOOK_BYTES} bytes` } }, 413);
      const signature = c.req.header('x-signature');
      if (!verifySignature(options.secret, body, signature)) {
        return c.json({ error: { code: 'UNAUTHORIZED', message: 'missing or wrong X-Signature (sha256=<HMAC-SHA256 of the body>)' } }, 401);
      }
      const key = signature!.trim().toLowerCase();
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return c.json({ error: { code: 'BAD_REQUEST', message: 'the webhook body is not valid JSON' } }, 400);
      }
      const now = options.now();
      const outcome = parsed && typeof parsed === 'object' ? parse(parsed as Record<string, unknown>, now) : null;
      const at = outcome?.outcome.at ? Date.parse(outcome.outcome.at) : Number.NaN;
      if (now.getTime() - at > REPLAY_WINDOW_MS) {
        return c.json({ error: { code: 'CONFLICT', message: `the event is from ${outcome!.outcome.at}, older than the replay window of ${REPLAY_WINDOW_MS / 86_400_000} days` } }, 409);
      }
      if (!(await options.ledger.claimDelivery(`hook:${key}`, now, new Date(now.getTime() + REPLAY_WINDOW_MS)))) {
        return c.json({ error: { code: 'CONFLICT', message: 'this delivery was received before (same signature): ignored' } }, 409);
      }
      if (!outcome) return c.json({ recorded: false, message: 'no object, commit and outcome in this event' }, 202);
      options.record(outcome);
      return c.json({ recorded: true, object: outcome.object, sha: outcome.outcome.sha, outcome: outcome.outcome.outcome });
    };
  app.post('/api/hooks/flux', handler(fluxOutcome));
  app.post('/api/hooks/argocd', handler(argoOutcome));
  return app;
}
