/**
 * The OpenAPI 3.1 document of Rewind's HTTP API, generated from the registry (api-operations.ts,
 * server-operations.ts) and the core zod schemas by zod-openapi (decision 034). Served at
 * `GET /api/openapi.json`, checked in as docs/openapi.json (`npm run openapi`).
 */
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import type { z } from 'zod';
import {
  auditEventSchema,
  breakGlassSchema,
  diffSchema,
  errorBodySchema,
  fieldChangeSchema,
  fileDiffSchema,
  revisionDetailSchema,
  revisionSchema,
  rollbackRequestSchema,
  targetSchema,
  userSchema,
  verificationSchema,
} from '#core/schemas.ts';
import { API_OPERATIONS, liveEventSchema } from './api-operations.ts';
import type { ApiOperation, ResponseSpec } from './operation.ts';
import { SERVER_OPERATIONS } from './server-operations.ts';

export const OPERATIONS: readonly ApiOperation[] = [...API_OPERATIONS, ...SERVER_OPERATIONS];

/** The errors every operation of the API app may answer, whatever the route. */
export const COMMON_ERRORS: Record<number, string> = {
  400: 'BAD_REQUEST: invalid input (the message says what; `field` names it), or a malformed or repeated X-Forwarded-Email',
  401: 'UNAUTHENTICATED: no identity in proxy mode, or the request did not come through the trusted proxy',
  500: 'INTERNAL: the server could not complete the request (see its log)',
  503: 'UNAVAILABLE: a dependency (the database) cannot be reached now; nothing was done, retry shortly',
};
/** And those of every write (POST, PUT, PATCH). */
export const WRITE_ERRORS: Record<number, string> = {
  413: 'PAYLOAD_TOO_LARGE: the body is over the limit (64 KiB by default)',
  415: 'UNSUPPORTED_MEDIA_TYPE: writes require Content-Type: application/json',
};

/** Every error's body; the described copy is the one every error response refers to. */
const errorSchema = errorBodySchema.meta({
  description:
    'Act on `code` (BAD_REQUEST, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, ' +
    'UNPROCESSABLE, EXECUTION_FAILED, INTERNAL, UNAVAILABLE) and on `field`, `rule`, `file` when present; `message` is for people.',
});

/** Response shapes named in components.schemas, so clients generate readable types. */
const NAMED_SCHEMAS: Record<string, z.ZodType> = {
  Error: errorSchema,
  Target: targetSchema,
  Revision: revisionSchema,
  RevisionDetail: revisionDetailSchema,
  Diff: diffSchema,
  FileDiff: fileDiffSchema,
  FieldChange: fieldChangeSchema,
  RollbackRequest: rollbackRequestSchema,
  Verification: verificationSchema,
  AuditEvent: auditEventSchema,
  User: userSchema,
  BreakGlass: breakGlassSchema,
  LiveEvent: liveEventSchema,
};

/** `/api/targets/:tenant/:environment` (Hono) → `/api/targets/{tenant}/{environment}` (OpenAPI). */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function content(spec: ResponseSpec) {
  if ('json' in spec) return { content: { 'application/json': { schema: spec.json } } };
  if ('eventStream' in spec) return { content: { 'text/event-stream': { schema: { type: 'string' as const } } } };
  if ('text' in spec) return { content: { [spec.text]: { schema: { type: 'string' as const } } } };
  return {};
}

function errorsOf(operation: ApiOperation): Record<number, string> {
  if (operation.servedBy === 'server') return { ...operation.errors };
  const writes = ['post', 'put', 'patch'].includes(operation.method) ? WRITE_ERRORS : {};
  return { ...COMMON_ERRORS, ...writes, ...operation.errors };
}

function responsesOf(operation: ApiOperation): ZodOpenApiResponsesObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, description] of Object.entries(errorsOf(operation))) {
    responses[status as `${1 | 2 | 3 | 4 | 5}${string}`] = { description, content: { 'application/json': { schema: errorSchema } } };
  }
  for (const [status, spec] of Object.entries(operation.responses)) {
    responses[status as `${1 | 2 | 3 | 4 | 5}${string}`] = { description: spec.description, ...content(spec) };
  }
  return responses;
}

/** Identity is optional in demo mode (the default demo user), hence the empty alternative. */
const SECURITY: Record<ApiOperation['security'], Record<string, string[]>[]> = {
  identity: [{ identity: [] }, {}],
  signature: [{ webhookSignature: [] }],
  'signature-or-token': [{ webhookSignature: [] }, { webhookToken: [] }],
  none: [],
};

function operationObject(operation: ApiOperation): ZodOpenApiOperationObject {
  const requestParams = {
    ...(operation.params ? { path: operation.params } : {}),
    ...(operation.query ? { query: operation.query } : {}),
    ...(operation.headers ? { header: operation.headers } : {}),
  };
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [operation.tag],
    security: SECURITY[operation.security],
    ...(Object.keys(requestParams).length ? { requestParams } : {}),
    ...(operation.body ? { requestBody: { required: true, content: { 'application/json': { schema: operation.body } } } } : {}),
    responses: responsesOf(operation),
    'x-rewind-served-by': operation.servedBy === 'api' ? ['server', 'mock'] : ['server'],
  };
}

type OpenApiDocument = ReturnType<typeof createDocument>;

/**
 * zod-openapi renders a named schema nested in another named one also in its request form (`Revision`
 * beside `RevisionOutput`) even when no request uses it. Responses are all that use these, so the
 * unreferenced request forms go and the response forms take the plain names.
 */
function withPlainComponentNames(document: OpenApiDocument): OpenApiDocument {
  let text = JSON.stringify(document);
  const schemas = document.components?.schemas ?? {};
  for (const name of Object.keys(schemas)) {
    const base = name.replace(/Output$/, '');
    if (base === name || !(base in schemas) || text.includes(`"#/components/schemas/${base}"`)) continue;
    const parsed = JSON.parse(text) as OpenApiDocument;
    const components = parsed.components!.schemas!;
    components[base] = components[name]!;
    delete components[name];
    text = JSON.stringify(parsed).replaceAll(`"#/components/schemas/${name}"`, `"#/components/schemas/${base}"`);
  }
  return JSON.parse(text) as OpenApiDocument;
}

export function buildOpenApiDocument(operations: readonly ApiOperation[] = OPERATIONS): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const operation of operations) {
    const item = (paths[operation.path] ??= {});
    if (item[operation.method]) throw new Error(`${operation.method.toUpperCase()} ${operation.path} is declared twice`);
    item[operation.method] = operationObject(operation);
  }
  const document = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Rewind HTTP API',
      version: '1',
      description:
        'The HTTP API of Rewind, the GitOps rollback console: deployment history, compares, rollbacks with approvals, break-glass, ' +
        'audit and live updates. Generated from the zod schemas the server validates with (docs/api.md, decision 034).',
    },
    security: SECURITY.identity,
    paths,
    components: {
      schemas: NAMED_SCHEMAS,
      securitySchemes: {
        identity: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Forwarded-Email',
          description:
            'Who is calling, set by the authenticating proxy in front of Rewind (proxy mode: required, and trusted only from the proxy). ' +
            'In demo mode it may be sent to act as a demo user, and its absence means the default demo user.',
        },
        webhookSignature: { type: 'apiKey', in: 'header', name: 'X-Signature', description: '`sha256=<hex HMAC-SHA256 of the raw body>` with the configured webhook secret.' },
        webhookToken: { type: 'http', scheme: 'bearer', description: 'The static token of `cluster.webhooks.argocdTokenEnv` / `argocdTokenFile`, which Argo CD Notifications sends as a header (decision 046).' },
      },
    },
  });
  return withPlainComponentNames(document);
}

let cached: OpenApiDocument | null = null;

/** The document, built once per process (building it walks every schema). */
export function openApiDocument(): OpenApiDocument {
  cached ??= buildOpenApiDocument();
  return cached;
}

/** The document as checked in at docs/openapi.json (`npm run openapi`). */
export function openApiJson(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
