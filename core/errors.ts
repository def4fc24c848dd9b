/**
 * One error type per HTTP status of API.md. Business code throws these; the API layer turns them into
 * `{ error: { code, message, field?, rule?, file? } }` with the status, so both backends answer
 * identically. The structured parts are what clients act on (the wizard maps `field` to its step);
 * the message is for people and may change.
 */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNPROCESSABLE'
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
  UNPROCESSABLE: 422,
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

/**
 * What an error concerns, for clients to act on without reading the message:
 * - `field`: the input field at fault (`justification`, `targetSha`, `service`, `fields`, `mode`,
 *   `file`, `text`, `comment`, `minutes`, `allowDestructive`).
 * - `rule`: the rule that refused (`foreign-revision`, `destructive-plan`, `parse-budget`).
 * - `file`: the repo file the refusal is about.
 */
export interface ErrorDetails {
  field?: string | undefined;
  rule?: string | undefined;
  file?: string | undefined;
}

export class RewindError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field?: string;
  readonly rule?: string;
  readonly file?: string;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'RewindError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    if (details.field !== undefined) this.field = details.field;
    if (details.rule !== undefined) this.rule = details.rule;
    if (details.file !== undefined) this.file = details.file;
  }

  /** The structured parts that are set, as they appear in the error body. */
  get details(): ErrorDetails {
    return {
      ...(this.field !== undefined ? { field: this.field } : {}),
      ...(this.rule !== undefined ? { rule: this.rule } : {}),
      ...(this.file !== undefined ? { file: this.file } : {}),
    };
  }
}

export const badRequest = (message: string, details?: ErrorDetails) => new RewindError('BAD_REQUEST', message, details);
export const unprocessable = (message: string, details?: ErrorDetails) => new RewindError('UNPROCESSABLE', message, details);
export const unavailable = (message: string) => new RewindError('UNAVAILABLE', message);
export const unauthenticated = (message = 'authentication required') =>
  new RewindError('UNAUTHENTICATED', message);
export const forbidden = (message: string, details?: ErrorDetails) => new RewindError('FORBIDDEN', message, details);
export const notFound = (message: string, details?: ErrorDetails) => new RewindError('NOT_FOUND', message, details);
export const conflict = (message: string, details?: ErrorDetails) => new RewindError('CONFLICT', message, details);
export const payloadTooLarge = (message = 'request body is too large') =>
  new RewindError('PAYLOAD_TOO_LARGE', message);
export const unsupportedMediaType = (message = 'writes require Content-Type: application/json') =>
  new RewindError('UNSUPPORTED_MEDIA_TYPE', message);

/**
 * Absolute filesystem paths: POSIX (`/srv/rewind/repo/objects`, at least two segments, not an API path
 * like `/api/...`), Windows (`C:\data\repo`) and `file://` URLs.
 */
const SERVER_PATH = /(?<![\w.~/-])(?:file:\/\/[^\s'"`<>]*|[A-Za-z]:\\[^\s'"`<>]*|\/(?!api\/)[\w.@+~-]+(?:\/[\w.@+~-]*)+)/g;

/**
 * Error text as clients may see it: absolute server paths (the repo, the data directory, temporary
 * files, as git and the OS put them into their messages) are replaced by `<server path>`. Applied where
 * an error leaves the server: API error bodies, and the `error` a failed request keeps.
 */
export function redactServerPaths(text: string): string {
  return text.replace(SERVER_PATH, '<server path>');
}
