/**
 * No absolute server path leaves the real server (issue 11): a git failure that names the repo's
 * files (here: a stale ref lock) reaches clients with the path redacted, in the request and the error.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { historyResponseSchema, rollbackRequestResponseSchema } from '#core/schemas.ts';
import { tempDirs } from '#server/git/test-repos.ts';
import { createRewindServer, type RunningServer } from './rewind-server.ts';

const dirs = tempDirs('rewind-paths-');
const run = promisify(execFile);

describe('absolute server paths in answers', () => {
  let server: RunningServer;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = dirs.make('data-');
    vi.spyOn(console, 'log').mockImplementation(() => {});
    server = await createRewindServer({ dataDir, host: '127.0.0.1', port: 0, log: () => {} });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    dirs.cleanup();
  });

  const post = (path: string, body: unknown) =>
    fetch(new URL(path.slice(1), server.url), { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-Email': 'sam@example.com' }, body: JSON.stringify(body) });

  it('redacts the repo path from a failed request and from the execution error', { timeout: 60_000 }, async () => {
    const history = historyResponseSchema.parse(await (await fetch(new URL('api/targets/acme/staging/history?limit=2', server.url))).json());
    const gitDir = resolve(server.repoPath, (await run('git', ['-C', server.repoPath, 'rev-parse', '--git-dir'])).stdout.trim());
    // A lock another git process left behind: update-ref fails naming the lock file's absolute path.
    writeFileSync(join(gitDir, 'refs', 'heads', 'main.lock'), '');
    const created = await post('/api/rollbacks', { tenant: 'acme', environment: 'staging', mode: 'full', targetSha: history.revisions[1]!.sha, justification: 'undo' });
    const text = await created.text();
    expect(created.status, text).toBe(201);
    const { request } = rollbackRequestResponseSchema.parse(JSON.parse(text));
    expect(request.state).toBe('failed');
    expect(request.error).toContain('<server path>');
    for (const secret of [gitDir, dataDir, server.repoPath]) expect(text).not.toContain(secret);

    const retry = await post(`/api/rollbacks/${request.id}/execute`, {});
    const retryText = await retry.text();
    expect(retry.status).toBe(500);
    expect(retryText).toContain('<server path>');
    expect(retryText).not.toContain(dataDir);
    const audit = await (await fetch(new URL('api/audit?environment=staging', server.url))).text();
    expect(audit).not.toContain(dataDir);
  });
});
