/**
 * One error type per HTTP status of API.md. Business code throws these; the API layer turns them into
 * `{ error: { code, message } }` with the status, so both backends answer identically.
 */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'EXECUTION_FAILED'
  | 'INTERNAL'
  | 'UNAVAILABLE';

export const ERROR_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  EXECUTION_FAILED: 500,
  INTERNAL: 500,
  /** A dependency (the database) cannot be reached now: nothing was done; retry shortly. */
  UNAVAILABLE: 503,
};

/** Messages that API.md fixes word for word; clients and tests may rely on them. */
export const MESSAGES = {
  targetShaRequired: 'targetSha is required',
  notPendingApproval: 'rollback request is not pending approval',
  emptyFieldSelection: 'selected fields cannot be empty for field mode',
  selfReview: 'cannot approve/reject your own rollback request',
  alreadyReviewed: 'you have already reviewed this rollback request',
  executionFailed: 'approval saved but rollback execution failed',
} as const;

export class RewindError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'RewindError';
    this.code = code;
    this.status = ERROR_STATUS[code];
  }
}

export const badRequest = (message: string) => new RewindError('BAD_REQUEST', message);
export const unavailable = (message: string) => new RewindError('UNAVAILABLE', message);
export const unauthenticated = (message = 'authentication required') =>
  new RewindError('UNAUTHENTICATED', message);
export const forbidden = (message: string) => new RewindError('FORBIDDEN', message);
export const notFound = (message: string) => new RewindError('NOT_FOUND', message);
export const conflict = (message: string) => new RewindError('CONFLICT', message);
export const payloadTooLarge = (message = 'request body is too large') =>
  new RewindError('PAYLOAD_TOO_LARGE', message);
export const unsupportedMediaType = (message = 'writes require Content-Type: application/json') =>
  new RewindError('UNSUPPORTED_MEDIA_TYPE', message);
