import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import { RewindError, badRequest, redactServerPaths } from '#core/errors.ts';

/** `limit: Too big: expected number to be <=500; cursor: ...` — short, and says which field. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** The top-level input field of the first issue (`fields.0.path` → `fields`), for the error body. */
export function zodField(error: ZodError): string | undefined {
  const first = error.issues[0]?.path[0];
  return first === undefined ? undefined : String(first);
}

export function errorResponse(c: Context, error: RewindError): Response {
  // The error boundary: no absolute server path (the repo, the data directory) leaves in a message.
  return c.json({ error: { code: error.code, message: redactServerPaths(error.message), ...error.details } }, error.status as ContentfulStatusCode);
}

export type Logger = (entry: Record<string, unknown>) => void;

export function toRewindError(error: unknown, log: Logger): RewindError {
  if (error instanceof RewindError) return error;
  if (error instanceof ZodError) return badRequest(describeZodError(error), { field: zodField(error) });
  log({ level: 'error', msg: 'unhandled error', error: error instanceof Error ? error.stack ?? error.message : String(error) });
  return new RewindError('INTERNAL', 'internal error: the server could not complete the request (see the server log)');
}
