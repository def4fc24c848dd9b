/**
 * Request parsing shared by every route: URL names, query parameters, JSON bodies and revision
 * names. Each failure is a 400 (or a 404 for something well-formed that does not exist) naming the
 * parameter.
 */
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { badRequest, notFound } from '#core/errors.ts';
import { targetHead } from '#core/history.ts';
import { isValidName, SHA_INPUT_PATTERN } from '#core/names.ts';
import { checkRepoPath } from '#core/repo-path.ts';
import type { RevisionStore, TargetCatalog } from '#core/ports.ts';
import { matchesAny, type TargetConfig } from '#core/target-config.ts';
import { describeZodError, zodField } from './http-errors.ts';

const WHOLE_NUMBER_INPUT = /^\d{1,7}$/;

type SafeParser<T> = { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } };

function parseOrThrow<T>(schema: SafeParser<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(describeZodError(result.error), { field: zodField(result.error) });
  return result.data;
}

/** The query parameters; API.md writes unset filters as empty parameters (`?cursor=&service=`), so empty means absent. */
export function queryParams(c: Context): Record<string, string> {
  return Object.fromEntries(Object.entries(c.req.query()).filter(([, value]) => value !== ''));
}

/** The query parameters parsed by `schema`. */
export function parseQuery<T>(c: Context, schema: SafeParser<T>): T {
  return parseOrThrow(schema, queryParams(c));
}

/** The JSON body of a write parsed by `schema` (the app already required `Content-Type: application/json`). */
export async function parseJsonBody<T>(c: Context, schema: SafeParser<T>): Promise<T> {
  const text = await c.req.text();
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
  return parseOrThrow(schema, body);
}

/** The target named by `:tenant/:environment`; the names are validated before anything is read, as they become repo paths. */
export async function resolveTarget(c: Context, catalog: TargetCatalog): Promise<TargetConfig> {
  const tenant = c.req.param('tenant') ?? '';
  const environment = c.req.param('environment') ?? '';
  if (!isValidName(tenant)) throw badRequest('invalid tenant name: use lowercase letters, digits and hyphens (at most 63)');
  if (!isValidName(environment)) throw badRequest('invalid environment name: use lowercase letters, digits and hyphens (at most 63)');
  const target = await catalog.get(tenant, environment);
  if (!target) throw notFound(`unknown target ${tenant}/${environment}`, { field: 'target' });
  return target;
}

/** The full id a revision parameter names (any commit of the branch, or `head`): 400 when malformed, 404 when there is none. */
export async function resolveRevision(revisions: RevisionStore, target: TargetConfig, name: string, input: string): Promise<string> {
  const ref = input.trim().toLowerCase();
  if (ref === 'head') {
    const head = await targetHead(revisions, target);
    if (!head) throw notFound('unknown revision head');
    return head.sha;
  }
  if (!SHA_INPUT_PATTERN.test(ref)) throw badRequest(`${name} must be a commit id (4 to 40 hex digits) or head`);
  const sha = await revisions.resolveCommit(ref);
  if (!sha) throw notFound(`unknown revision ${ref}`);
  return sha;
}

/** `from` (required) and `to` (default `head`) as full ids. */
export async function resolveRevisionPair(c: Context, revisions: RevisionStore, target: TargetConfig): Promise<[string, string]> {
  const { from, to = 'head' } = queryParams(c);
  if (from === undefined) throw badRequest('from is required');
  return Promise.all([resolveRevision(revisions, target, 'from', from), resolveRevision(revisions, target, 'to', to)]);
}

/** An optional whole number from 0 to `max`. */
export function parseWholeNumber(c: Context, name: string, max: number, unit: string): number | undefined {
  const input = queryParams(c)[name];
  if (input === undefined) return undefined;
  const value = WHOLE_NUMBER_INPUT.test(input) ? Number(input) : NaN;
  if (!(value <= max)) throw badRequest(`${name} must be a whole number of ${unit} from 0 to ${max}`);
  return value;
}

/** An optional path parameter that must name a file of the target (one repo-path rule: core/repo-path.ts). */
export function parseTargetFile(c: Context, name: string, target: TargetConfig): string | undefined {
  const input = queryParams(c)[name];
  if (input === undefined) return undefined;
  checkRepoPath(input, name);
  if (!matchesAny(target.layout.paths, input)) {
    throw badRequest(`${name} ${JSON.stringify(input)} is not part of ${target.tenant}/${target.environment}`, { field: name });
  }
  return input;
}
