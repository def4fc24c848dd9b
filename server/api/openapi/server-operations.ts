/**
 * The registry of what the Node server serves besides the API app (decision 034): health, readiness
 * and metrics for the platform (server/node/operations.ts, decision 028), and the agents' signed
 * outcome webhooks (server/cluster/webhooks.ts, decision 019). The in-browser mock has none of them.
 */
import { z } from 'zod';
import type { ApiOperation } from './operation.ts';

const readinessSchema = z.object({
  status: z.enum(['ready', 'unready']),
  failed: z.array(z.string()).meta({ description: 'The names of the checks that failed (they make the answer 503).' }),
  degraded: z
    .array(z.string())
    .meta({ description: 'Checks that failed without making Rewind unready: the GitOps agent (decision 037).' }),
  checks: z.record(
    z.string(),
    z.union([z.object({ ok: z.literal(true), detail: z.string().optional() }), z.object({ ok: z.literal(false), error: z.string() })]),
  ),
});

const hookBodySchema = z
  .record(z.string(), z.unknown())
  .meta({ description: 'Argo CD Notifications: `{ "app", "revision", "phase", "finishedAt" }`; Flux notification-controller: its `generic-hmac` event.' });

const hookResultSchema = z.object({ recorded: z.literal(true), object: z.string(), sha: z.string(), outcome: z.string() });

function webhook(agent: 'argocd' | 'flux', name: string): ApiOperation {
  const argo = agent === 'argocd';
  return {
    method: 'post', path: `/api/hooks/${agent}`, operationId: `${agent}Webhook`, tag: 'operations', servedBy: 'server', security: argo ? 'signature-or-token' : 'signature',
    summary: `${name}'s deployment outcome webhook (decisions 019, 046)`, body: hookBodySchema,
    description: argo
      ? 'Not behind the identity proxy. Authenticated by `Authorization: Bearer <token>` (what Argo CD Notifications can send; the body must then carry `finishedAt`) or by an HMAC `X-Signature` (a signing relay). A delivery seen before (same body with the token, same signature), or an event older than the replay window, is refused with 409 and not recorded.'
      : 'Not behind the identity proxy: the signature is the authentication. A delivery seen before (same signature), or an event older than the replay window, is refused with 409 and not recorded.',
    responses: {
      200: { description: 'Recorded', json: hookResultSchema },
      202: { description: 'Valid, but no object, commit and outcome in this event', json: z.object({ recorded: z.literal(false), message: z.string() }) },
    },
    errors: {
      400: argo ? 'BAD_REQUEST: the body is not JSON, or a token-authenticated outcome has no `finishedAt`' : 'BAD_REQUEST: the body is not JSON',
      401: argo ? 'UNAUTHORIZED: missing or wrong token or X-Signature' : 'UNAUTHORIZED: missing or wrong X-Signature',
      404: argo ? 'NOT_FOUND: no webhook secret or token is configured' : 'NOT_FOUND: no webhook HMAC secret is configured (cluster.webhooks.secretEnv / secretFile)',
      409: 'CONFLICT: a replayed delivery, or an event older than the replay window',
      413: 'PAYLOAD_TOO_LARGE: over 64 KiB',
    },
  };
}

export const SERVER_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'get', path: '/healthz', operationId: 'healthz', tag: 'operations', servedBy: 'server', security: 'none',
    summary: 'Liveness: the process answers',
    responses: { 200: { description: 'Alive', json: z.object({ status: z.literal('alive') }) } },
  },
  {
    method: 'get', path: '/readyz', operationId: 'readyz', tag: 'operations', servedBy: 'server', security: 'none',
    summary: 'Readiness: the database, the repo and the cluster agent answer, and the server is not shutting down',
    responses: {
      200: { description: 'Ready', json: readinessSchema },
      503: { description: 'Not ready: which checks failed and why', json: readinessSchema },
    },
  },
  {
    method: 'get', path: '/metrics', operationId: 'metrics', tag: 'operations', servedBy: 'server', security: 'none',
    summary: 'Prometheus metrics',
    responses: { 200: { description: 'The Prometheus text format', text: 'text/plain' } },
  },
  webhook('argocd', 'Argo CD'),
  webhook('flux', 'Flux'),
];
