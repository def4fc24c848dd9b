/**
 * The input rules of a rollback request and preview: the selection (mode, revision, service, fields),
 * the Idempotency-Key, and whether a retried submit is the same request. Pure: no port is called.
 */
import { badRequest, MESSAGES } from './errors.ts';
import { SHA_INPUT_PATTERN } from './names.ts';
import type { CreateRollbackBody, FieldSelection, RollbackMode, RollbackRequest } from './schemas.ts';
import { checkRepoPath } from './repo-path.ts';
import { assertModeAllowed } from './rollback-gating.ts';
import { targetKey, type TargetConfig } from './target-config.ts';

/** What a rollback restores: the body of a preview, and the selection part of a request. */
export interface RollbackSelection {
  mode: RollbackMode;
  targetSha?: string | undefined;
  service?: string | undefined;
  fields?: readonly FieldSelection[] | undefined;
}

export interface ValidSelection {
  mode: RollbackMode;
  /** The input, trimmed and lower-cased: what `unknown revision <x>` names. */
  targetRef: string;
  service?: string;
  fields?: FieldSelection[];
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function checkIdempotencyKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(key)) throw badRequest('Idempotency-Key must be 1 to 200 visible ASCII characters', { field: 'Idempotency-Key' });
  return key;
}

export function validateSelection(target: TargetConfig, body: RollbackSelection): ValidSelection {
  const ref = typeof body.targetSha === 'string' ? body.targetSha.trim().toLowerCase() : '';
  if (ref === '') throw badRequest(MESSAGES.targetShaRequired, { field: 'targetSha' });
  assertModeAllowed(target, body.mode);
  if (!SHA_INPUT_PATTERN.test(ref)) throw badRequest('targetSha must be a commit id (4 to 40 hex digits)', { field: 'targetSha' });
  const selection: ValidSelection = { mode: body.mode, targetRef: ref };
  if (body.mode === 'full') {
    if (body.service !== undefined) throw badRequest('service is only used in service and field mode: a full rollback restores the whole target', { field: 'service' });
    if (body.fields !== undefined) throw badRequest('fields are only used in field mode', { field: 'fields' });
    return selection;
  }
  if (body.service === undefined || body.service === '') throw badRequest(`service is required for ${body.mode} mode`, { field: 'service' });
  if (!target.layout.services.some((s) => s.name === body.service)) {
    throw badRequest(`unknown service ${body.service} in ${targetKey(target)}`, { field: 'service' });
  }
  selection.service = body.service;
  if (body.mode === 'service') {
    if (body.fields !== undefined) throw badRequest('fields are only used in field mode', { field: 'fields' });
    return selection;
  }
  if (!body.fields || body.fields.length === 0) throw badRequest(MESSAGES.emptyFieldSelection, { field: 'fields' });
  selection.fields = body.fields.map((f) => ({ file: checkRepoPath(f.file, 'fields'), path: [...f.path] }));
  return selection;
}

/** The same selection as the stored request (targetSha compared by prefix: a short sha may have been sent). */
export function sameSubmission(request: RollbackRequest, body: CreateRollbackBody): boolean {
  const ref = (body.targetSha ?? '').trim().toLowerCase();
  const fields = (list: readonly FieldSelection[] | undefined) => JSON.stringify((list ?? []).map((f) => [f.file, f.path]));
  return (
    request.tenant === body.tenant &&
    request.environment === body.environment &&
    request.mode === body.mode &&
    ref.length >= 4 &&
    request.targetSha.startsWith(ref) &&
    (request.service ?? '') === (body.service ?? '') &&
    fields(request.fields) === fields(body.fields) &&
    request.justification === body.justification
  );
}
