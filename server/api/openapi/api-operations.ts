/**
 * The registry of the API app's operations (decision 034): each route of `server/api/*-routes.ts` and
 * `app.ts`, its parameters and body, and its responses per status, with the core zod schemas. Served
 * alike by the real server and the in-browser mock.
 */
import { z } from 'zod';
import { BREAK_GLASS_MAX_MINUTES } from '#core/break-glass-service.ts';
import { MAX_CONTEXT_LINES } from '#core/compare-fields.ts';
import {
  auditResponseSchema,
  breakGlassSchema,
  compareFieldsSchema,
  createRollbackBodySchema,
  diffSchema,
  historyQuerySchema,
  historyResponseSchema,
  incidentReportResponseSchema,
  meResponseSchema,
  notificationsResponseSchema,
  nameSchema,
  noteBodySchema,
  previewBodySchema,
  reviewBodySchema,
  revisionDetailSchema,
  rollbackDetailResponseSchema,
  rollbackListResponseSchema,
  rollbackPreviewSchema,
  rollbackRequestResponseSchema,
  targetResponseSchema,
  targetsResponseSchema,
  usersResponseSchema,
  peopleResponseSchema,
  withdrawBodySchema,
} from '#core/schemas.ts';
import { USER_TEXT_MAX_LENGTH } from '#core/user-text.ts';
import { querySchema as incidentReportQuerySchema } from '../incident-routes.ts';
import { auditQuerySchema } from '../oversight-routes.ts';
import { listQuerySchema as rollbackListQuerySchema } from '../rollback-routes.ts';
import type { ApiOperation } from './operation.ts';

const targetParams = z.object({
  tenant: nameSchema.meta({ description: 'The tenant, e.g. `acme`.' }),
  environment: nameSchema.meta({ description: 'The environment, e.g. `production`.' }),
});
const revisionName = z.string().meta({ description: 'A commit of the branch: its full or abbreviated id (4 to 40 hex digits), or `head`, the newest revision of the target.' });
const requestParams = z.object({ id: z.string().meta({ description: 'A rollback request id, e.g. `rbk-1a2b3c`.' }) });

/** The compare's query, parsed by hand in compare-routes.ts (request-params.ts); documented here. */
const compareQuerySchema = z.object({
  from: revisionName,
  to: revisionName.optional().meta({ description: 'Defaults to `head`.' }),
  file: z.string().optional().meta({ description: 'Narrows the compare to this file of the target (decision 014).' }),
  context: z.number().int().min(0).max(MAX_CONTEXT_LINES).optional().meta({ description: 'Lines of context around each change (decision 014).' }),
});
const compareFieldsQuerySchema = compareQuerySchema.pick({ from: true, to: true });

/** `POST /api/break-glass`'s body; core/break-glass-service.ts checks it and says which field is wrong. */
const reviewHeadersSchema = z.object({
  Prefer: z.string().optional().meta({ description: '`respond-async`: answer the approval that reaches the quorum 202 `executing`, before its commit (RFC 7240)', example: 'respond-async' }),
});

const breakGlassBodySchema = z.object({
  justification: z.string().max(USER_TEXT_MAX_LENGTH),
  minutes: z.number().int().min(1).max(BREAK_GLASS_MAX_MINUTES).optional().meta({ description: 'Defaults to 30.' }),
});

/** What `/api/events` sends as `data:` of each unnamed event (core/events.ts `LiveEvent`). */
export const liveEventSchema = z
  .object({
    type: z.enum(['revision.created', 'request.updated', 'break-glass.changed', 'cluster.changed']),
    tenant: z.string().optional(),
    environment: z.string().optional(),
    requestId: z.string().optional(),
  })
  .meta({ id: 'LiveEvent' });

const idempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .optional()
    .meta({ description: '1 to 200 visible ASCII characters, per user. The same key and body again (a retried submit) answers 200 with the first request as it is now and creates nothing; the same key with another body is 409.' }),
});

const ROLLBACK_ERRORS = {
  403: 'FORBIDDEN: the role, plan or feature flag does not allow it',
  404: 'NOT_FOUND: unknown target, revision or request',
  409: 'CONFLICT: the branch moved, or the approved diff no longer matches',
  422: 'UNPROCESSABLE: a refused plan (a foreign revision, a destructive plan without allowDestructive, a file over the parse budget)',
};

export const API_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'get', path: '/api/me', operationId: 'getMe', tag: 'identity', servedBy: 'api', security: 'identity',
    summary: 'Who is calling, their open break-glass session, and how the server identifies callers',
    responses: { 200: { description: 'The caller', json: meResponseSchema } },
  },
  {
    method: 'get', path: '/api/users', operationId: 'listUsers', tag: 'identity', servedBy: 'api', security: 'identity',
    summary: "The demo's users, for the user switcher (demo mode only)",
    responses: { 200: { description: 'The users', json: usersResponseSchema } },
    errors: { 404: 'NOT_FOUND: the server is not in demo mode' },
  },
  {
    method: 'get', path: '/api/people', operationId: 'listPeople', tag: 'identity', servedBy: 'api', security: 'identity',
    summary: "Names for the emails requests and reviews carry: the user directory's names and emails (every identity mode)",
    responses: { 200: { description: 'Everyone the directory knows', json: peopleResponseSchema } },
  },
  {
    method: 'get', path: '/api/openapi.json', operationId: 'getOpenApiDocument', tag: 'meta', servedBy: 'api', security: 'identity',
    summary: 'This document',
    responses: { 200: { description: 'The OpenAPI 3.1 document of this API', json: z.record(z.string(), z.unknown()) } },
  },
  {
    method: 'get', path: '/api/targets', operationId: 'listTargets', tag: 'targets', servedBy: 'api', security: 'identity',
    summary: 'Every target with its head, health, sync and what the GitOps agent reports',
    responses: { 200: { description: 'The targets', json: targetsResponseSchema } },
  },
  {
    method: 'get', path: '/api/targets/{tenant}/{environment}', operationId: 'getTarget', tag: 'targets', servedBy: 'api', security: 'identity',
    summary: 'One target', params: targetParams,
    responses: { 200: { description: 'The target', json: targetResponseSchema } },
    errors: { 404: 'NOT_FOUND: unknown target' },
  },
  {
    method: 'get', path: '/api/targets/{tenant}/{environment}/history', operationId: 'getHistory', tag: 'history', servedBy: 'api', security: 'identity',
    summary: "A page of the target's revisions, newest first (cursor paging)", params: targetParams, query: historyQuerySchema,
    responses: { 200: { description: 'A page of revisions', json: historyResponseSchema } },
    errors: { 404: 'NOT_FOUND: unknown target' },
  },
  {
    method: 'get', path: '/api/targets/{tenant}/{environment}/compare', operationId: 'compareRevisions', tag: 'compare', servedBy: 'api', security: 'identity',
    summary: 'The diff and field changes between two revisions', params: targetParams, query: compareQuerySchema,
    description: 'On a large change the files say `fieldDiff: "deferred"` and the field changes come from `GET .../compare/fields` (decision 014).',
    responses: { 200: { description: 'The compare', json: diffSchema } },
    errors: { 404: 'NOT_FOUND: unknown target or revision', 422: 'UNPROCESSABLE: a file over the parse budget' },
  },
  {
    method: 'get', path: '/api/targets/{tenant}/{environment}/compare/fields', operationId: 'compareFields', tag: 'compare', servedBy: 'api', security: 'identity',
    summary: 'The field changes a large compare deferred (decision 014)', params: targetParams, query: compareFieldsQuerySchema,
    responses: { 200: { description: 'Every field change of the compare', json: compareFieldsSchema } },
    errors: { 404: 'NOT_FOUND: unknown target or revision', 422: 'UNPROCESSABLE: a file over the parse budget' },
  },
  {
    method: 'get', path: '/api/targets/{tenant}/{environment}/revisions/{sha}', operationId: 'getRevision', tag: 'history', servedBy: 'api', security: 'identity',
    summary: 'One revision in full: message, trailers, outcome, the rollback that made or undid it (decision 031)',
    params: targetParams.extend({ sha: revisionName }),
    responses: { 200: { description: 'The revision', json: revisionDetailSchema } },
    errors: { 404: 'NOT_FOUND: unknown target or revision' },
  },
  {
    method: 'post', path: '/api/targets/{tenant}/{environment}/rollback-preview', operationId: 'previewRollback', tag: 'rollbacks', servedBy: 'api', security: 'identity',
    summary: 'Exactly the change a rollback would commit now, with its impact, versions and roll-forward hints',
    params: targetParams, body: previewBodySchema,
    responses: { 200: { description: 'The preview', json: rollbackPreviewSchema } },
    errors: ROLLBACK_ERRORS,
  },
  {
    method: 'post', path: '/api/rollbacks', operationId: 'createRollback', tag: 'rollbacks', servedBy: 'api', security: 'identity',
    summary: 'Request a rollback: it executes at once or waits for approvals, as the policy says',
    headers: idempotencyHeaders, body: createRollbackBodySchema,
    responses: {
      201: { description: 'The request, created', json: rollbackRequestResponseSchema },
      200: { description: 'A replayed submit (same Idempotency-Key and body): the first request; nothing created', json: rollbackRequestResponseSchema },
    },
    errors: { ...ROLLBACK_ERRORS, 500: 'EXECUTION_FAILED: the request was saved but its commit failed (retry with execute); INTERNAL otherwise' },
  },
  {
    method: 'get', path: '/api/rollbacks', operationId: 'listRollbacks', tag: 'rollbacks', servedBy: 'api', security: 'identity',
    summary: 'Rollback requests, newest first (cursor paging), filtered by state, target or incident', query: rollbackListQuerySchema,
    description: 'A pending or approved request whose plan changed since its requester confirmed it carries `planChange` (decision 043): it awaits their confirmation. Computed once per request and branch head.',
    responses: { 200: { description: 'A page of requests', json: rollbackListResponseSchema } },
    errors: { 404: 'NOT_FOUND: this backend keeps no rollback requests' },
  },
  {
    method: 'get', path: '/api/rollbacks/{id}', operationId: 'getRollback', tag: 'rollbacks', servedBy: 'api', security: 'identity',
    summary: "A request, its diff, and for a completed one the rollout's verification", params: requestParams,
    responses: { 200: { description: 'The request', json: rollbackDetailResponseSchema } },
    errors: { 404: 'NOT_FOUND: unknown request' },
  },
  {
    method: 'post', path: '/api/rollbacks/{id}/reviews', operationId: 'reviewRollback', tag: 'approvals', servedBy: 'api', security: 'identity',
    summary: 'Approve or reject a pending request; the approval that reaches the quorum commits it', params: requestParams, body: reviewBodySchema,
    headers: reviewHeadersSchema,
    description:
      'The approval that reaches the quorum executes the rollback. Without `Prefer: respond-async` the answer waits for the commit ' +
      '(`completed`, or the errors below). With it, the answer is 202 with the request `executing` and `Preference-Applied: respond-async`; ' +
      'the outcome (`completed`, `failed` with its error, or `pending` with approvals dismissed) is recorded on the request and announced ' +
      'as a `request.updated` live update (decision 049).',
    responses: {
      200: { description: 'The request after the review', json: rollbackRequestResponseSchema },
      202: { description: 'With `Prefer: respond-async`: the quorum is reached and the request is executing', json: rollbackRequestResponseSchema },
    },
    errors: { ...ROLLBACK_ERRORS, 500: 'EXECUTION_FAILED: approval saved but rollback execution failed (retry with execute); INTERNAL otherwise' },
  },
  {
    method: 'post', path: '/api/rollbacks/{id}/notes', operationId: 'addRollbackNote', tag: 'approvals', servedBy: 'api', security: 'identity',
    summary: "Add a note to a request's timeline", params: requestParams, body: noteBodySchema,
    responses: { 200: { description: 'The request with the note', json: rollbackRequestResponseSchema } },
    errors: { 403: 'FORBIDDEN: not allowed by role', 404: 'NOT_FOUND: unknown request' },
  },
  {
    method: 'post', path: '/api/rollbacks/{id}/execute', operationId: 'executeRollback', tag: 'rollbacks', servedBy: 'api', security: 'identity',
    summary: 'Execute an approved request, or retry a failed one', params: requestParams,
    description: 'Send `Content-Type: application/json` (every write needs it); the body is ignored.',
    responses: { 200: { description: 'The request after execution', json: rollbackRequestResponseSchema } },
    errors: { ...ROLLBACK_ERRORS, 400: 'BAD_REQUEST: the request is not approved or failed', 500: 'EXECUTION_FAILED: the commit failed; INTERNAL otherwise' },
  },
  {
    method: 'post', path: '/api/rollbacks/{id}/withdraw', operationId: 'withdrawRollback', tag: 'rollbacks', servedBy: 'api', security: 'identity',
    summary: 'Withdraw a pending or approved request (the requester or an admin): it ends `withdrawn`', params: requestParams, body: withdrawBodySchema,
    responses: { 200: { description: 'The withdrawn request', json: rollbackRequestResponseSchema } },
    errors: { 403: 'FORBIDDEN: only the requester or an admin may withdraw', 404: 'NOT_FOUND: unknown request', 409: 'CONFLICT: the request is no longer pending or approved' },
  },
  {
    method: 'post', path: '/api/rollbacks/{id}/confirm-plan', operationId: 'confirmRollbackPlan', tag: 'rollbacks', servedBy: 'api', security: 'identity',
    summary: "The requester confirms the plan made on the current head (after the target moved); earlier reviews become stale",
    params: requestParams,
    description: 'Send `Content-Type: application/json` (every write needs it); the body is ignored.',
    responses: { 200: { description: 'The request with the confirmed plan', json: rollbackRequestResponseSchema } },
    errors: { 403: 'FORBIDDEN: only the requester may confirm', 404: 'NOT_FOUND: unknown request', 409: 'CONFLICT: the request is not pending, or the plan did not change' },
  },
  {
    method: 'get', path: '/api/rollbacks/{id}/notifications', operationId: 'listRollbackNotifications', tag: 'rollbacks', servedBy: 'api', security: 'identity',
    summary: "Each notification channel's delivery of the request's events (delivered, retrying and why, failed)", params: requestParams,
    responses: { 200: { description: 'Deliveries, oldest first', json: notificationsResponseSchema } },
    errors: { 404: 'NOT_FOUND: unknown request' },
  },
  {
    method: 'get', path: '/api/audit', operationId: 'listAudit', tag: 'audit', servedBy: 'api', security: 'identity',
    summary: 'The audit trail, newest first (cursor paging), filtered by target, type, actor or request', query: auditQuerySchema,
    responses: { 200: { description: 'A page of events', json: auditResponseSchema } },
    errors: { 404: 'NOT_FOUND: this backend keeps no audit trail' },
  },
  {
    method: 'post', path: '/api/break-glass', operationId: 'openBreakGlass', tag: 'break-glass', servedBy: 'api', security: 'identity',
    summary: "Open a time-limited break-glass session: the caller's rollbacks then skip approval", body: breakGlassBodySchema,
    responses: { 201: { description: 'The session', json: z.object({ breakGlass: breakGlassSchema }) } },
    errors: { 403: 'FORBIDDEN: the role may not open break-glass', 404: 'NOT_FOUND: this backend keeps no sessions' },
  },
  {
    method: 'delete', path: '/api/break-glass', operationId: 'closeBreakGlass', tag: 'break-glass', servedBy: 'api', security: 'identity',
    summary: "Close the caller's break-glass session",
    responses: { 204: { description: 'Closed (or none was open)', empty: true } },
    errors: { 404: 'NOT_FOUND: this backend keeps no sessions' },
  },
  {
    method: 'get', path: '/api/events', operationId: 'streamEvents', tag: 'live updates', servedBy: 'api', security: 'identity',
    summary: 'Live updates as server-sent events: what changed, never the data itself',
    description:
      'First an event named `ready` (data `{}`), then one unnamed event per change whose `data` is a `LiveEvent` (components.schemas.LiveEvent) as JSON, ' +
      'and a `: keep-alive` comment every 15 s. Refetch what the event names; reconnect on error.',
    responses: { 200: { description: 'The stream', eventStream: true } },
  },
  {
    method: 'get', path: '/api/incident-report', operationId: 'getIncidentReport', tag: 'incidents', servedBy: 'api', security: 'identity',
    summary: "An incident's post-incident report and its Markdown, with the cluster's sync and health where connected (decisions 033, 044)", query: incidentReportQuerySchema,
    description: 'Give either `incident` (an incident ID or link) or `request` (one request without an incident).',
    responses: { 200: { description: 'The report', json: incidentReportResponseSchema } },
    errors: { 404: 'NOT_FOUND: no request of that incident, or unknown request' },
  },
];
