/**
 * A rollback preview of a 1 MB deeply nested manifest parses YAML in the worker, so the server keeps
 * answering meanwhile (issue 11: one such preview made every request wait 9 s). Asserted by order:
 * `/api/me` answers while the preview is still running.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorBodySchema, rollbackPreviewSchema } from '#core/schemas.ts';
import { createRepo } from '#server/git/demo-repo.ts';
import { tempDirs } from '#server/git/test-repos.ts';
import { nestedManifest } from './nested-manifest.ts';
import { createRewindServer, type RunningServer } from './rewind-server.ts';

const dirs = tempDirs('rewind-preview-loop-');
const VALUES = 'tenants/acme/production/services/api/values.yaml';
const author = { name: 'CI', email: 'ci@example.com' };

describe('a large YAML preview does not hold the event loop', () => {
  let server: RunningServer;
  let shas: string[];
  /** What happened, in order: the worker starting (logged by the server), `/api/me` answers, the preview. */
  const order: string[] = [];
  beforeAll(async () => {
    const repoDir = dirs.make('repo-');
    ({ shas } = await createRepo(repoDir, [
      { timestamp: '2026-11-01T10:00:00Z', author, message: 'bootstrap', changes: { [VALUES]: nestedManifest(1_000_000, 80, 'v1') } },
      { timestamp: '2026-11-02T10:00:00Z', author, message: 'release v2', changes: { [VALUES]: nestedManifest(1_000_000, 80, 'v2') } },
      { timestamp: '2026-11-03T10:00:00Z', author, message: 'bomb', changes: { [VALUES]: `a: ${'['.repeat(500_000)}${']'.repeat(500_000)}\n` } },
    ]));
    const config = join(dirs.make('config-'), 'rewind.config.yaml');
    writeFileSync(config, [`repo: { path: ${JSON.stringify(repoDir)} }`, 'targets:', '  pattern: { services: "tenants/{tenant}/{environment}/services/{service}/" }', ''].join('\n'));
    vi.spyOn(console, 'log').mockImplementation(() => {});
    server = await createRewindServer({ configFile: config, dataDir: dirs.make('data-'), host: '127.0.0.1', port: 0, log: (entry) => {
      if (entry.msg === 'field-diff worker started') order.push('worker');
    } });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    dirs.cleanup();
  });

  const preview = (targetSha: string) =>
    fetch(new URL('api/targets/acme/production/rollback-preview', server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ mode: 'service', service: 'api', targetSha }),
    });

  it('answers /api/me while a 1 MB nested manifest preview runs in the worker, then answers the preview', { timeout: 300_000 }, async () => {
    let previewDone = false;
    // From the bomb at the head back to the 1 MB release: the release is parsed for the field changes.
    const running = preview(shas[1]!).then(async (response) => {
      previewDone = true;
      order.push('preview');
      return response;
    });
    while (!previewDone) {
      const me = await fetch(new URL('api/me', server.url));
      expect(me.status).toBe(200);
      if (!previewDone) order.push('me');
    }
    const response = await running;
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const result = rollbackPreviewSchema.parse(JSON.parse(text));
    expect(result.files.map((f) => f.path)).toEqual([VALUES]);
    // The bomb side is refused by the depth budget, so the file has no field changes and says why.
    expect(result.files[0]!.fieldDiff).toBe('too-large');
    // The YAML went to the worker (started for this preview), and the server answered while it worked.
    const worker = order.indexOf('worker');
    expect(worker, order.join(' ')).toBeGreaterThanOrEqual(0);
    expect(order.slice(worker, order.indexOf('preview')), order.join(' ')).toContain('me');
  });

  it('refuses a field edit of a file over the parse budget with a 422 naming it', { timeout: 120_000 }, async () => {
    const refused = await fetch(new URL('api/targets/acme/production/rollback-preview', server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ mode: 'field', service: 'api', targetSha: shas[1], fields: [{ file: VALUES, path: ['key-0-0'] }] }),
    });
    expect(refused.status).toBe(422);
    expect(errorBodySchema.parse(await refused.json()).error).toMatchObject({ code: 'UNPROCESSABLE', file: VALUES, rule: 'parse-budget', field: 'fields' });
  });
});
