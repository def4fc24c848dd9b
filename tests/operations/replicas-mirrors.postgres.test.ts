/**
 * Issue 14 over issue 11's `repo.url` (decision 035): two `rewind serve` replicas on one PostgreSQL
 * database, each with its own bare mirror of one shared bare remote. Rollbacks of different targets
 * executed at once through both replicas all land on the remote; none undoes or loses another's.
 *
 * The replicas fetch for reads only once an hour here, so each one's reads are stale: only the fetch
 * under the commit lock (and the push that never forces) keep the other replica's commits.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { historyResponseSchema, rollbackRequestResponseSchema } from '#core/schemas.ts';
import { writeDemoRepo } from '#server/git/demo-repo.ts';
import { tempDirs } from '#server/git/test-repos.ts';
import { createRewindServer, type RunningServer } from '#server/node/rewind-server.ts';
import { usePostgres, type TestDatabase } from '../support/postgres.ts';

const run = promisify(execFile);
const pg = usePostgres();
const dirs = tempDirs('rewind-mirrors-');
afterAll(() => dirs.cleanup());

const TARGETS = ['acme/production', 'acme/staging', 'globex/production', 'globex/staging', 'initech/production'];
const SAM = { 'Content-Type': 'application/json', 'X-Forwarded-Email': 'sam@example.com' };

describe.skipIf(!pg.available)('replicas with their own mirrors of one remote, on PostgreSQL', { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let remote: string;
  const replicas: RunningServer[] = [];

  const serve = async () => {
    const file = join(dirs.make('config-'), 'rewind.config.yaml');
    writeFileSync(
      file,
      [
        `repo: { url: ${JSON.stringify(`file://${remote}`)}, fetchIntervalSeconds: 3600 }`,
        `database: { url: ${JSON.stringify(database.url)}, passwordEnv: REWIND_TEST_DB_PASSWORD }`,
        'identity: { mode: demo }',
        'users:',
        '  - { email: sam@example.com, name: Sam, roles: [requester] }',
        // No approval step: each request executes when it is made, so the commits race.
        'defaults: { policy: { requiredApprovals: 0 } }',
        'targets:',
        "  pattern: { services: 'tenants/{tenant}/{environment}/services/{service}/' }",
        '',
      ].join('\n'),
    );
    const server = await createRewindServer({ configFile: file, dataDir: dirs.make('data-'), host: '127.0.0.1', port: 0, log: () => {}, reconcileIntervalMs: 3_600_000 });
    replicas.push(server);
    return server;
  };
  const api = (server: RunningServer, path: string, init?: RequestInit) => fetch(new URL(path.replace(/^\//, ''), server.url), init);

  beforeAll(async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    process.env.REWIND_TEST_DB_PASSWORD = 'unused-with-trust-auth';
    remote = join(dirs.make('remote-'), 'infra.git');
    await writeDemoRepo(remote, { size: 'default', bare: true });
    database = await pg.createDatabase();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.close()));
    await database?.drop();
  }, 60_000);

  it('concurrent rollbacks of different targets on different replicas never lose each other\'s commits', async () => {
    const both = [await serve(), await serve()] as const;
    expect(both[0].repoPath).not.toBe(both[1].repoPath);
    const before = (await run('git', ['--git-dir', remote, 'rev-parse', 'refs/heads/main'])).stdout.trim();

    // Each request is planned on its replica's (stale) mirror, then all execute at once.
    const bodies = await Promise.all(
      TARGETS.map(async (target, i) => {
        const [tenant, environment] = target.split('/');
        const history = historyResponseSchema.parse(await (await api(both[i % 2]!, `/api/targets/${tenant}/${environment}/history?limit=2`)).json());
        return { tenant, environment, mode: 'full', targetSha: history.revisions[1]!.sha, justification: `undo ${target}` };
      }),
    );
    const started = performance.now();
    const responses = await Promise.all(
      bodies.map((body, i) => api(both[i % 2]!, '/api/rollbacks', { method: 'POST', headers: SAM, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, text: await r.text() }))),
    );
    const seconds = (performance.now() - started) / 1000;
    for (const response of responses) expect(response.status, response.text).toBe(201);
    const requests = responses.map((r) => rollbackRequestResponseSchema.parse(JSON.parse(r.text)).request);
    expect(requests.map((r) => r.state)).toEqual(TARGETS.map(() => 'completed'));

    // Every commit is on the remote's branch, one after the other, none forced away.
    const { stdout } = await run('git', ['--git-dir', remote, 'rev-list', '--first-parent', `${before}..refs/heads/main`]);
    const landed = stdout.split('\n').filter(Boolean);
    expect(landed).toHaveLength(TARGETS.length);
    expect(new Set(landed)).toEqual(new Set(requests.map((r) => r.commitSha)));
    console.info(`[mirrors] ${TARGETS.length} concurrent rollbacks over 2 replicas committed and pushed in ${seconds.toFixed(2)} s`);
  });
});
