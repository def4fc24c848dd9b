/**
 * `rewind serve` on PostgreSQL (decisions 026-028): two replicas on one database and one repo, quorum
 * races spread over both, and the database going away and coming back without a restart.
 *
 * Both replicas here commit to the same local (bare) repo; replicas with their own mirrors of a shared
 * remote (`repo.url`) are in replicas-mirrors.postgres.test.ts.
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
import { findPostgresBin, startThrowawayPostgres } from '../../scripts/postgres-test-server.mjs';
import { usePostgres, type TestDatabase } from '../support/postgres.ts';

const run = promisify(execFile);
const pg = usePostgres();
const dirs = tempDirs('rewind-replicas-');
afterAll(() => dirs.cleanup());

const TARGETS = ['acme/production', 'acme/staging', 'globex/production', 'globex/staging', 'initech/production'];
const as = (email: string) => ({ 'Content-Type': 'application/json', 'X-Forwarded-Email': email });

describe.skipIf(!pg.available)('replicas on PostgreSQL', { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let repo: string;
  let replicas: RunningServer[] = [];

  const configFile = (url: string) => {
    const file = join(dirs.make('config-'), 'rewind.config.yaml');
    writeFileSync(
      file,
      [
        `repo: { path: ${JSON.stringify(repo)} }`,
        `database: { url: ${JSON.stringify(url)}, passwordEnv: REWIND_TEST_DB_PASSWORD }`,
        // The test acts as each user through X-Forwarded-Email: demo identity, asked for explicitly.
        'identity: { mode: demo }',
        'users:',
        '  - { email: sam@example.com, name: Sam, roles: [requester] }',
        '  - { email: dana@example.com, name: Dana, roles: [approver] }',
        '  - { email: priya@example.com, name: Priya, roles: [approver] }',
        'targets:',
        "  pattern: { services: 'tenants/{tenant}/{environment}/services/{service}/' }",
        '',
      ].join('\n'),
    );
    return file;
  };

  const serve = async (url: string) => {
    const server = await createRewindServer({ configFile: configFile(url), dataDir: dirs.make('data-'), host: '127.0.0.1', port: 0, log: () => {}, reconcileIntervalMs: 3_600_000 });
    replicas.push(server);
    return server;
  };
  const api = (server: RunningServer, path: string, init?: RequestInit) => fetch(new URL(path.replace(/^\//, ''), server.url), init);

  /** A full rollback request on every target, alternating replicas, to its revision before the newest. */
  const requestEverywhere = async (both: RunningServer[], why: string) => {
    const ids: string[] = [];
    for (const [i, target] of TARGETS.entries()) {
      const [tenant, environment] = target.split('/');
      const server = both[i % 2]!;
      const historyResponse = await api(server, `/api/targets/${tenant}/${environment}/history?limit=2`);
      expect(historyResponse.status, await historyResponse.clone().text()).toBe(200);
      const history = historyResponseSchema.parse(await historyResponse.json());
      const created = await api(server, '/api/rollbacks', {
        method: 'POST',
        headers: as('sam@example.com'),
        body: JSON.stringify({ tenant, environment, mode: 'full', targetSha: history.revisions[1]!.sha, justification: `${why} ${target}` }),
      });
      expect(created.status, await created.clone().text()).toBe(201);
      ids.push(rollbackRequestResponseSchema.parse(await created.json()).request.id);
    }
    return ids;
  };

  beforeAll(async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    process.env.REWIND_TEST_DB_PASSWORD = 'unused-with-trust-auth';
    repo = join(dirs.make('repo-'), 'infra');
    await writeDemoRepo(repo, { size: 'default' });
    database = await pg.createDatabase();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    replicas = [];
    await database?.drop();
  }, 60_000);

  it('reviews racing over two replicas: one commit per request, one executed event each, counts exact', async () => {
    const [a, b] = [await serve(database.url), await serve(database.url)];
    const both = [a!, b!];
    const ids = await requestEverywhere(both, 'undo');
    // Every request gets two approvals at once, one through each replica: the quorum is 1.
    const reviews = ids.flatMap((id, i) =>
      (['dana@example.com', 'priya@example.com'] as const).map((who, j) =>
        api(both[(i + j) % 2]!, `/api/rollbacks/${id}/reviews`, { method: 'POST', headers: as(who), body: JSON.stringify({ decision: 'approve' }) }).then((r) => r.status),
      ),
    );
    const statuses = await Promise.all(reviews);
    expect(statuses.filter((s) => s === 200)).toHaveLength(TARGETS.length);
    expect(statuses.every((s) => s === 200 || s === 400 || s === 409)).toBe(true);

    for (const id of ids) {
      const seen = await Promise.all(both.map(async (server) => rollbackRequestResponseSchema.parse(await (await api(server, `/api/rollbacks/${id}`)).json()).request));
      expect(seen.map((r) => r.state)).toEqual(['completed', 'completed']);
      const { stdout } = await run('git', ['-C', repo, 'log', '--format=%H', '--fixed-strings', `--grep=Rollback Request ID: ${id}`, 'refs/heads/main']);
      expect(stdout.split('\n').filter(Boolean)).toEqual([seen[0]!.commitSha]);
      const audit = (await (await api(both[1]!, `/api/audit?requestId=${id}&limit=100`)).json()) as { events: { type: string }[] };
      expect(audit.events.filter((e) => e.type === 'rollback.executed')).toHaveLength(1);
    }
    const executed = await Promise.all(
      both.map(async (server) => {
        const text = await (await api(server, '/metrics')).text();
        return Number(/rewind_rollbacks_total\{mode="full",outcome="completed"\} (\d+)/.exec(text)?.[1] ?? 0);
      }),
    );
    expect(executed[0]! + executed[1]!).toBe(TARGETS.length);
  });

  it('with Prefer: respond-async, racing approvals over two replicas: one 202 executing per request, each completed once (decision 052)', async () => {
    const [a, b] = [await serve(database.url), await serve(database.url)];
    const both = [a!, b!];
    const ids = await requestEverywhere(both, 'undo again');
    // Both approvals reach for the quorum of 1 at once: each claims in its own review transaction
    // under the execution lease if it gets the lease first, or goes the plain way.
    const answers = await Promise.all(
      ids.flatMap((id, i) =>
        (['dana@example.com', 'priya@example.com'] as const).map(async (who, j) => {
          const response = await api(both[(i + j) % 2]!, `/api/rollbacks/${id}/reviews`, {
            method: 'POST',
            headers: { ...as(who), Prefer: 'respond-async' },
            body: JSON.stringify({ decision: 'approve' }),
          });
          const body = (await response.json()) as { request?: { state: string } };
          return { id, status: response.status, state: body.request?.state };
        }),
      ),
    );
    for (const id of ids) {
      const mine = answers.filter((answer) => answer.id === id);
      expect(mine.filter((answer) => answer.status === 202).map((answer) => answer.state), id).toEqual(['executing']);
      expect(mine.every((answer) => answer.status === 202 || answer.status === 400 || answer.status === 409), JSON.stringify(mine)).toBe(true);
    }
    for (const id of ids) {
      let state = '';
      for (let waited = 0; waited < 30_000 && state !== 'completed'; waited += 200) {
        state = rollbackRequestResponseSchema.parse(await (await api(both[1]!, `/api/rollbacks/${id}`)).json()).request.state;
        if (state !== 'completed') await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(state, id).toBe('completed');
      const { stdout } = await run('git', ['-C', repo, 'log', '--format=%H', '--fixed-strings', `--grep=Rollback Request ID: ${id}`, 'refs/heads/main']);
      expect(stdout.split('\n').filter(Boolean), id).toHaveLength(1);
      const audit = (await (await api(both[0]!, `/api/audit?requestId=${id}&limit=100`)).json()) as { events: { type: string; details: Record<string, unknown> }[] };
      expect(audit.events.filter((e) => e.type === 'rollback.executed')).toHaveLength(1);
      expect(audit.events.filter((e) => e.type === 'rollback.reviewed' && e.details['quorumReached'] === true)).toHaveLength(1);
    }
  });

  it('a browser connected to replica A hears of an approval made through replica B', async () => {
    const [a, b] = replicas.length >= 2 ? replicas : [await serve(database.url), await serve(database.url)];
    const history = historyResponseSchema.parse(await (await api(a!, '/api/targets/acme/production/history?limit=2')).json());
    const created = await api(a!, '/api/rollbacks', {
      method: 'POST',
      headers: as('sam@example.com'),
      body: JSON.stringify({ tenant: 'acme', environment: 'production', mode: 'full', targetSha: history.revisions[1]!.sha, justification: 'live update test' }),
    });
    const { id } = rollbackRequestResponseSchema.parse(await created.json()).request;
    const controller = new AbortController();
    const stream = await api(a!, '/api/events', { signal: controller.signal });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const heard = (async () => {
      let text = '';
      while (!text.includes(id)) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`the stream ended before ${id}: ${text}`);
        text += value;
      }
      return text;
    })();
    // The stream is open (its response arrived) before B approves.
    const approved = await api(b!, `/api/rollbacks/${id}/reviews`, { method: 'POST', headers: as('dana@example.com'), body: JSON.stringify({ decision: 'approve' }) });
    expect(approved.status, await approved.clone().text()).toBe(200);
    expect(await heard).toMatch(/request\.updated/);
    controller.abort();
    await reader.cancel().catch(() => {});
  });

  // A server of its own, whatever REWIND_TEST_DATABASE_URL says: this test stops it.
  it.skipIf(!findPostgresBin())('the database stopped: /readyz and the API answer 503 saying so; back without a restart', async () => {
    const own = await startThrowawayPostgres();
    let server: RunningServer | null = null;
    try {
      server = await serve(own.url);
      expect((await api(server, '/readyz')).status).toBe(200);
      own.pause();
      try {
        const ready = await api(server, '/readyz');
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({ status: 'unready', failed: ['database'] });
        const list = await api(server, '/api/rollbacks');
        expect(list.status).toBe(503);
        expect(await list.json()).toMatchObject({ error: { code: 'UNAVAILABLE', message: expect.stringMatching(/^the database cannot be reached/) } });
      } finally {
        own.resume();
      }
      const back = await api(server, '/readyz');
      expect(back.status).toBe(200);
      expect((await api(server, '/api/rollbacks')).status).toBe(200);
    } finally {
      if (server) {
        replicas = replicas.filter((r) => r !== server);
        await server.close();
      }
      await own.stop();
    }
  });

  it('a database password from an unset environment variable stops the start with a clear message', async () => {
    delete process.env.REWIND_TEST_DB_PASSWORD;
    try {
      await expect(serve(database.url)).rejects.toThrow('database.passwordEnv names REWIND_TEST_DB_PASSWORD, which is not set');
    } finally {
      process.env.REWIND_TEST_DB_PASSWORD = 'unused-with-trust-auth';
    }
  });
});
