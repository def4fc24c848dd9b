/**
 * What both RequestStore adapters share, so they order, page and compare identically: sort keys,
 * opaque cursors, email keys and the canonical shape of a stored request. No Node imports: the
 * in-memory adapter (mocks/, in the browser) uses this module too.
 */
import { badRequest } from './errors.ts';
import type { RollbackRequest } from './schemas.ts';

const ORDER_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_CURSOR_LENGTH = 512;

/**
 * The sort key of a timestamp: the instant in UTC at millisecond precision, so `+02:00` offsets and
 * `Z` times order by instant, and string order is time order.
 */
export function orderKey(timestamp: string): string {
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) throw new Error(`not a timestamp: ${timestamp}`);
  return new Date(ms).toISOString();
}

/** Emails compare case-insensitively: identity proxies do not agree on case. */
export function emailKey(email: string): string {
  return email.toLowerCase();
}

export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw badRequest('invalid limit');
  return limit;
}

/** Position of a request in the list order (createdAt desc, id desc). */
export interface RequestPosition {
  createdKey: string;
  id: string;
}

/** True when `a` comes after `b` in the list order (is older). */
export function isAfter(a: RequestPosition, b: RequestPosition): boolean {
  return a.createdKey < b.createdKey || (a.createdKey === b.createdKey && a.id < b.id);
}

/** Newest first: the comparator of the list order. */
export function compareRequestPositions(a: RequestPosition, b: RequestPosition): number {
  if (a.createdKey !== b.createdKey) return a.createdKey < b.createdKey ? 1 : -1;
  if (a.id !== b.id) return a.id < b.id ? 1 : -1;
  return 0;
}

export function encodeRequestCursor(position: RequestPosition): string {
  return `r1.${toBase64Url(JSON.stringify([position.createdKey, position.id]))}`;
}

export function decodeRequestCursor(cursor: string): RequestPosition {
  const invalid = () => badRequest('invalid cursor');
  if (cursor.length > MAX_CURSOR_LENGTH || !cursor.startsWith('r1.')) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(fromBase64Url(cursor.slice(3)));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw invalid();
  const [createdKey, id] = decoded as unknown[];
  if (typeof createdKey !== 'string' || typeof id !== 'string' || !id) throw invalid();
  if (!ORDER_KEY.test(createdKey) || Number.isNaN(Date.parse(createdKey))) throw invalid();
  return { createdKey, id };
}

/** Audit cursors name the internal append sequence number of the last event of a page. */
export function encodeAuditCursor(seq: number): string {
  return `a1.${seq}`;
}

export function decodeAuditCursor(cursor: string): number {
  const match = /^a1\.([1-9][0-9]{0,14})$/.exec(cursor);
  if (!match) throw badRequest('invalid cursor');
  return Number(match[1]);
}

/** The fields `updateRequest` changes; everything else of a request is fixed once inserted. */
export type MutableRequestFields = Pick<
  RollbackRequest,
  'state' | 'baseSha' | 'diffHash' | 'commitSha' | 'error' | 'requiredApprovals' | 'breakGlass' | 'affectedServices' | 'closedReason' | 'supersededBy'
>;

/**
 * A request as the stores keep it: exactly the schema's fields, absent optionals omitted (never
 * `undefined`), deep-copied so callers cannot change what is stored.
 */
export function canonicalRequest(r: RollbackRequest): RollbackRequest {
  const out: RollbackRequest = {
    id: r.id,
    tenant: r.tenant,
    environment: r.environment,
    mode: r.mode,
    targetSha: r.targetSha,
    baseSha: r.baseSha,
    justification: r.justification,
    requestedBy: r.requestedBy,
    createdAt: r.createdAt,
    state: r.state,
    requiredApprovals: r.requiredApprovals,
    reviews: r.reviews.map((v) => ({ by: v.by, decision: v.decision, comment: v.comment, at: v.at, stale: v.stale })),
    breakGlass: r.breakGlass,
    affectedServices: [...r.affectedServices],
    diffHash: r.diffHash,
    notes: r.notes.map((n) => ({ by: n.by, text: n.text, at: n.at })),
  };
  if (r.service !== undefined) out.service = r.service;
  if (r.fields !== undefined) out.fields = r.fields.map((f) => ({ file: f.file, path: [...f.path] }));
  if (r.commitSha !== undefined) out.commitSha = r.commitSha;
  if (r.error !== undefined) out.error = r.error;
  if (r.hints !== undefined) out.hints = r.hints.map((h) => ({ ...h }));
  if (r.versions !== undefined) out.versions = r.versions.map((v) => ({ service: v.service, from: { ...v.from }, to: { ...v.to } }));
  if (r.incident !== undefined) out.incident = { ...r.incident };
  if (r.closedReason !== undefined) out.closedReason = r.closedReason;
  if (r.supersedes !== undefined) out.supersedes = [...r.supersedes];
  if (r.supersededBy !== undefined) out.supersededBy = r.supersededBy;
  return out;
}

function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(encoded: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw new Error('not base64url');
  const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
