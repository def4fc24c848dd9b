/**
 * `GET /api/targets/{tenant}/{environment}/compare?from=&to=` (API.md "Compare"). Both revisions are
 * any commits of the branch, by full or abbreviated id, or `head`: the newest revision of the target.
 * They need not be in the target's history nor in order.
 *
 * Extensions (docs/decisions/014): `file=` narrows the compare to one file of the target, `context=`
 * sets the lines of context around each change (the view's "expand context"), and
 * `GET .../compare/fields` returns the field changes a large compare deferred.
 */
import type { Hono } from 'hono';
import { compareFields, compareRevisions, INLINE_FIELD_DIFF_MAX_CHARS } from '#core/compare.ts';
import { MAX_CONTEXT_LINES } from '#core/compare-fields.ts';
import type { ApiEnv, RouteDeps } from './api-context.ts';
import { parseTargetFile, parseWholeNumber, resolveRevisionPair, resolveTarget } from './request-params.ts';

export function registerCompareRoutes(app: Hono<ApiEnv>, deps: RouteDeps): void {
  const differ = deps.fieldDiffer ? { fieldDiffer: deps.fieldDiffer } : {};

  app.get('/api/targets/:tenant/:environment/compare', async (c) => {
    const target = await resolveTarget(c, deps.catalog);
    const context = parseWholeNumber(c, 'context', MAX_CONTEXT_LINES, 'lines');
    const file = parseTargetFile(c, 'file', target);
    const [fromSha, toSha] = await resolveRevisionPair(c, deps.revisions, target);
    return c.json(
      await compareRevisions(deps.revisions, target, fromSha, toSha, {
        inlineFieldChars: INLINE_FIELD_DIFF_MAX_CHARS,
        ...differ,
        ...(context !== undefined ? { context } : {}),
        ...(file !== undefined ? { file } : {}),
      }),
    );
  });

  app.get('/api/targets/:tenant/:environment/compare/fields', async (c) => {
    const target = await resolveTarget(c, deps.catalog);
    const [fromSha, toSha] = await resolveRevisionPair(c, deps.revisions, target);
    return c.json(await compareFields(deps.revisions, target, fromSha, toSha, differ));
  });
}
