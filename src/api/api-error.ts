/**
 * The one error type the UI sees from the backend. The server's `{ error: { code, message } }` body
 * becomes `code`/`message`; the client adds its own codes for failures that never reached a body.
 */
export type ClientErrorCode = 'INVALID_RESPONSE' | 'NETWORK' | 'HTTP_ERROR';

export class ApiError extends Error {
  readonly status: number;
  /** A server code of API.md (`NOT_FOUND`, `FORBIDDEN`, ...) or a ClientErrorCode. */
  readonly code: string;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

export function isNotFound(error: unknown): boolean {
  return isApiError(error) && error.status === 404;
}
