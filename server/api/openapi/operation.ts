/**
 * How the registry describes one HTTP operation (decision 034). The route files stay as they are; the
 * registry beside them says, for every route they register, what it takes and what it answers, with
 * the core zod schemas. A coverage test holds the two together: every route served is documented, and
 * every documented route is served.
 */
import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What one status answers: a JSON body (a zod schema of core), an event stream, text, or nothing. */
export type ResponseSpec =
  | { description: string; json: z.ZodType }
  | { description: string; eventStream: true }
  | { description: string; text: string }
  | { description: string; empty: true };

/**
 * Who answers the operation: `api` is the API app (`server/api/app.ts`), served alike by the real
 * server and the in-browser mock; `server` is the Node server only (operations endpoints, agent
 * webhooks), which the mock does not have.
 */
export type ServedBy = 'api' | 'server';

/**
 * How the caller is identified: `identity` is the `X-Forwarded-Email` header of the API (optional in
 * demo mode, required in proxy mode); `signature` is a webhook's HMAC `X-Signature`; `signature-or-token`
 * also accepts the static bearer token Argo CD Notifications can send (decision 046); `none` is open.
 */
export type Security = 'identity' | 'signature' | 'signature-or-token' | 'none';

export interface ApiOperation {
  method: HttpMethod;
  /** OpenAPI form: `/api/targets/{tenant}/{environment}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  servedBy: ServedBy;
  security: Security;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** The success responses, by status. */
  responses: Record<number, ResponseSpec>;
  /**
   * The error statuses this operation answers besides those of every API operation (see
   * `COMMON_ERRORS`), each with the error body, and what they mean here.
   */
  errors?: Record<number, string>;
}
