/**
 * Inbound outcome webhooks (decisions 019, 037, 046): `POST /api/hooks/argocd` (Argo CD Notifications)
 * and `POST /api/hooks/flux` (Flux notification-controller's `generic-hmac` provider).
 *
 * Flux signs: `X-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with `cluster.webhooks.secret*`.
 * Argo CD Notifications cannot compute an HMAC (its webhook service sends static headers only), so
 * its hook also accepts `Authorization: Bearer <cluster.webhooks.argocdToken*>`, compared in constant
 * time; such a delivery must carry the operation's `finishedAt`, and its identity is the body's digest
 * (app, revision, phase, finishedAt name one operation), so a replay is 409 for 7 days and an event
 * older than that is refused as stale. A signed call works on the Argo CD hook too (a signing relay).
 *
 * Anything unauthenticated is 401 and records nothing; a delivery seen before (remembered in the
 * request store's database, so a restart does not reopen the window) is 409; a body over 64 KiB is
 * 413. A valid one records the outcome at once and has the object read again.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
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
  /** The HMAC secret (`X-Signature`) of both hooks; without it `/api/hooks/flux` answers 404. */
  secret?: string | undefined;
  /** The static token Argo CD Notifications sends as `Authorization: Bearer <token>` (decision 046). */
  argocdToken?: string | undefined;
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

/** The operation's end as Argo CD wrote it (RFC 3339), or null. */
function finishedAtOf(body: Record<string, unknown>): string | null {
  const value = body.finishedAt;
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && Number.isFinite(Date.parse(value)) ? value : null;
}

/**
 * Argo CD Notifications template body (docs/configuration.md):
 * `{ "app": "{{.app.metadata.name}}", "revision": "{{.app.status.operationState.syncResult.revision}}",
 *    "phase": "{{.app.status.operationState.phase}}", "finishedAt": "{{.app.status.operationState.finishedAt}}" }`.
 */
function argoOutcome(body: Record<string, unknown>, now: Date): HookOutcome | null {
  const { sha } = commitOf(typeof body.revision === 'string' ? body.revision : null);
  if (typeof body.app !== 'string' || !sha || typeof body.phase !== 'string') return null;
  const outcome = body.phase === 'Succeeded' ? 'success' : body.phase === 'Failed' || body.phase === 'Error' ? 'failed' : null;
  if (!outcome) return null;
  return { object: body.app, outcome: { sha, outcome, at: finishedAtOf(body) ?? now.toISOString() } };
}

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
export function verifyBearer(token: string, header: string | undefined): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header?.trim() ?? '');
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(match?.[1] ?? ''), digest(token)) && Boolean(match);
}

type Caller = { via: 'signature'; key: string } | { via: 'token'; key: string };

const error = (c: Context, status: 400 | 401 | 404 | 409 | 413, code: string, message: string) => c.json({ error: { code, message } }, status);

export function createWebhookApp(options: WebhookOptions): Hono {
  const app = new Hono();
  const { secret, argocdToken } = options;
  /** Who is calling, or the 401/404 to answer. */
  const authenticate = (c: Context, body: Buffer, agent: 'argocd' | 'flux'): Caller | Response => {
    const signature = c.req.header('x-signature');
    if (signature !== undefined && secret) {
      return verifySignature(secret, body, signature)
        ? { via: 'signature', key: `hook:${signature.trim().toLowerCase()}` }
        : error(c, 401, 'UNAUTHORIZED', 'wrong X-Signature (sha256=<HMAC-SHA256 of the body>)');
    }
    if (agent === 'argocd' && argocdToken && c.req.header('authorization') !== undefined) {
      return verifyBearer(argocdToken, c.req.header('authorization'))
        ? { via: 'token', key: `hook:argocd-body:${createHash('sha256').update(body).digest('hex')}` }
        : error(c, 401, 'UNAUTHORIZED', 'wrong Authorization (Bearer <cluster.webhooks.argocdToken>)');
    }
    if (!secret && !(agent === 'argocd' && argocdToken)) {
      return error(c, 404, 'NOT_FOUND', `the ${agent === 'flux' ? 'Flux' : 'Argo CD'} webhook is not configured (cluster.webhooks)`);
    }
    const accepted = [secret ? 'X-Signature: sha256=<HMAC-SHA256 of the body>' : null, agent === 'argocd' && argocdToken ? 'Authorization: Bearer <token>' : null].filter(Boolean);
    return error(c, 401, 'UNAUTHORIZED', `missing ${accepted.join(' or ')}`);
  };
  const handler = (agent: 'argocd' | 'flux', parse: (body: Record<string, unknown>, now: Date) => HookOutcome | null) =>
    async (c: Context) => {
      const declared = Number(c.req.header('content-length') ?? '0');
      if (declared > MAX_HOOK_BYTES) return error(c, 413, 'PAYLOAD_TOO_LARGE', `webhook body is over ${MAX_HOOK_BYTES} bytes`);
      const body = Buffer.from(await c.req.arrayBuffer());
      if (body.length > MAX_HOOK_BYTES) return error(c, 413, 'PAYLOAD_TOO_LARGE', `webhook body is over ${MAX_HOOK_BYTES} bytes`);
      const caller = authenticate(c, body, agent);
      if (caller instanceof Response) return caller;
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return error(c, 400, 'BAD_REQUEST', 'the webhook body is not valid JSON');
      }
      const now = options.now();
      const fields = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
      const outcome = parse(fields, now);
      // A bare token proves nothing about freshness: the operation's own end time must bound the replay window.
      if (caller.via === 'token' && outcome && !finishedAtOf(fields)) {
        return error(c, 400, 'BAD_REQUEST', 'finishedAt is missing or not a time: add "finishedAt": "{{.app.status.operationState.finishedAt}}" to the template body');
      }
      const at = outcome?.outcome.at ? Date.parse(outcome.outcome.at) : Number.NaN;
      if (now.getTime() - at > REPLAY_WINDOW_MS) {
        return error(c, 409, 'CONFLICT', `the event is from ${outcome!.outcome.at}, older than the replay window of ${REPLAY_WINDOW_MS / 86_400_000} days`);
      }
      if (!(await options.ledger.claimDelivery(caller.key, now, new Date(now.getTime() + REPLAY_WINDOW_MS)))) {
        return error(c, 409, 'CONFLICT', caller.via === 'signature' ? 'this delivery was received before (same signature): ignored' : 'this delivery was received before (same body): ignored');
      }
      if (!outcome) return c.json({ recorded: false, message: 'no object, commit and outcome in this event' }, 202);
      options.record(outcome);
      return c.json({ recorded: true, object: outcome.object, sha: outcome.outcome.sha, outcome: outcome.outcome.outcome });
    };
  app.post('/api/hooks/flux', handler('flux', fluxOutcome));
  app.post('/api/hooks/argocd', handler('argocd', argoOutcome));
  return app;
}
