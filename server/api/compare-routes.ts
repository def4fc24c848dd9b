/**
 * `GET /api/targets/{tenant}/{environment}/compare?from=&to=` (API.md "Compare"). Both revisions are
 * any commits of the branch, by full or abbreviated id, or `head`: the newest revision of the target.
 * They need not be in the target's history nor in order.
 *
 * Extensions (docs/decisions/014): `file=` narrows the compare to one file of the target, `context=`
 * sets the lines of context around each change (the view's "expand context"), and
 * `GET .../compare/fields` returns the field changes a large compare deferred.
 */
import type { Context, Hono } from 'hono';
import { compareFields, compareRevisions, INLINE_FIELD_DIFF_MAX_CHARS, MAX_CONTEXT_LINES } from '#core/compare.ts';
import { checkRepoPath } from '#core/repo-path.ts';
import { badRequest, notFound } from '#core/errors.ts';
import { matchesAny, type TargetConfig } from '#core/target-config.ts';
import type { ApiDeps, ApiEnv } from './app.ts';
import { resolveTarget } from './targets-routes.ts';

const REVISION_INPUT = /^[0-9a-f]{4,40}$/;
const CONTEXT_INPUT = /^\d{1,7}$/;

/** The full id a `from`/`to` parameter names: 400 when malformed, 404 when no such revision. */
export async function resolveRevision(deps: Pick<ApiDeps, 'revisions'>, target: TargetConfig, name: string, input: string): Promise<string> {
  const ref = input.trim().toLowerCase();
  if (ref === 'head') {
    const [head] = await deps.revisions.log({ paths: target.layout.paths, limit: 1 });
    if (!head) throw notFound('unknown revision head');
    return head.sha;
  }
  if (!REVISION_INPUT.test(ref)) throw badRequest(`${name} must be a commit id (4 to 40 hex digits) or head`);
  const sha = await deps.revisions.resolveCommit(ref);
  if (!sha) throw notFound(`unknown revision ${ref}`);
  return sha;
}

/** `from` (required) and `to` (default `head`) as full ids. */
async function resolvePair(c: Context<ApiEnv>, deps: ApiDeps, target: TargetConfig): Promise<[string, string]> {
  // As elsewhere in API.md, an empty parameter is an absent one.
  const from = c.req.query('from') ?? '';
  const to = c.req.query('to') || 'head';
  if (from === '') throw badRequest('from is required');
  return Promise.all([resolveRevision(deps, target, 'from', from), resolveRevision(deps, target, 'to', to)]);
}

function parseContext(input: string | undefined): number | undefined {
  if (input === undefined || input === '') return undefined;
  const lines = CONTEXT_INPUT.test(input) ? Number(input) : NaN;
  if (!(lines <= MAX_CONTEXT_LINES)) throw badRequest(`context must be a whole number of lines from 0 to ${MAX_CONTEXT_LINES}`);
  return lines;
}

function parseFile(input: string | undefined, target: TargetConfig): string | undefined {
  if (input === undefined || input === '') return undefined;
  checkRepoPath(input, 'file');
  if (!matchesAny(target.layout.paths, input)) {
    throw badRequest(`file ${JSON.stringify(input)} is not part of ${target.tenant}/${target.environment}`, { field: 'file' });
  }
  return input;
}

export function registerCompareRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  app.get('/api/targets/:tenant/:environment/compare', async (c) => {
    const target = await resolveTarget(c, deps);
    const context = parseContext(c.req.query('context'));
    const file = parseFile(c.req.query('file'), target);
    const [fromSha, toSha] = await resolvePair(c, deps, target);
    return c.json(
      await compareRevisions(deps.revisions, target, fromSha, toSha, {
        inlineFieldChars: INLINE_FIELD_DIFF_MAX_CHARS,
        ...(deps.fieldDiffer ? { fieldDiffer: deps.fieldDiffer } : {}),
        ...(context !== undefined ? { context } : {}),
        ...(file !== undefined ? { file } : {}),
      }),
    );
  });

  app.get('/api/targets/:tenant/:environment/compare/fields', async (c) => {
    const target = await resolveTarget(c, deps);
    const [fromSha, toSha] = await resolvePair(c, deps, target);
    return c.json(await compareFields(deps.revisions, target, fromSha, toSha, deps.fieldDiffer ? { fieldDiffer: deps.fieldDiffer } : {}));
  });
}
