/**
 * The one error type the UI sees from the backend. The server's `{ error: { code, message, field?, rule?,
 * file? } }` body becomes those properties; the client adds its own codes for failures that never reached a body.
 */
export type ClientErrorCode = 'INVALID_RESPONSE' | 'NETWORK' | 'HTTP_ERROR';

/** The structured parts of a server error body (core/errors.ts ErrorDetails). */
export interface ApiErrorDetails {
  field?: string | undefined;
  rule?: string | undefined;
  file?: string | undefined;
}

export class ApiError extends Error {
  readonly status: number;
  /** A server code of API.md (`NOT_FOUND`, `FORBIDDEN`, ...) or a ClientErrorCode. */
  readonly code: string;
  /** The input field the server refused, when it named one: what the UI acts on, never the message. */
  readonly field: string | undefined;
  /** The rule that refused (`foreign-revision`, `destructive-plan`, ...), when the server named one. */
  readonly rule: string | undefined;
  readonly file: string | undefined;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown } & ApiErrorDetails) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = options?.field;
    this.rule = options?.rule;
    this.file = options?.file;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

export function isNotFound(error: unknown): boolean {
  return isApiError(error) && error.status === 404;
}
