/**
 * Crash safety with a real SIGKILL (docs/decisions/012-approvals.md): `rewind serve` runs as a child
 * process with REWIND_TEST_CRASH_AFTER_COMMIT=1, which makes a rollback pause right after its commit
 * landed and before the database records it. The test kills the process there (kill -9), restarts it on
 * the same data directory and repo, and checks the reconciliation at start: the request completed with
 * that commit, one commit and one `rollback.executed` event for it; a request interrupted before its
 * commit is failed and executes again.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { auditResponseSchema, historyResponseSchema, rollbackDetailResponseSchema, rollbackRequestResponseSchema } from '#core/schemas.ts';
import { tempDirs } from '#server/git/test-repos.ts';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';

// Real work (server processes killed and restarted) on a busy machine: generous limits, never vitest's 5 s (decision 024).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const run = promisify(execFile);
const dirs = tempDirs('rewind-crash-');
const ROOT = resolve(import.meta.dirname, '../..');
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  dirs.cleanup();
});

interface Served {
  child: ChildProcess;
  url: string;
  /** Resolves with the first stdout line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  output(): string;
  exited: Promise<void>;
}

async function serve(dataDir: string, env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, ['bin/rewind.mjs', 'serve', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0', '--static', dataDir], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = out.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    check();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const waitFor = (pattern: RegExp, timeoutMs = 90_000) =>
    new Promise<RegExpMatchArray>((resolvePattern, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} in:\n${out}`)), timeoutMs);
      const settle = (m: RegExpMatchArray) => {
        clearTimeout(timer);
        resolvePattern(m);
      };
      waiters.push({ pattern, resolve: settle });
      check();
      void exited.then(() => reject(new Error(`rewind serve exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${out}`)));
    });
  const [, url] = (await waitFor(/Rewind is serving (http:\/\/\S+\/)/)) as unknown as [string, string];
  return { child, url, waitFor, output: () => out, exited };
}

const json = { 'Content-Type': 'application/json' };
const as = (email: string) => ({ ...json, 'X-Forwarded-Email': email });

describe('a server killed between the rollback commit and the database update', () => {
  it('reconciles at start: completed with that commit, one commit, one executed event; the interrupted-before-commit request failed and retryable', async () => {
    const dataDir = dirs.make('data-');
    const repo = join(dataDir, 'repo');
    const first = await serve(dataDir, { REWIND_TEST_CRASH_AFTER_COMMIT: '1' });
    const api = (path: string, init?: RequestInit) => fetch(new URL(path.replace(/^\//, ''), first.url), init);

    const history = historyResponseSchema.parse(await (await api('/api/targets/acme/production/history?limit=2')).json());
    const created = await api('/api/rollbacks', {
      method: 'POST',
      headers: as('sam@example.com'),
      body: JSON.stringify({ tenant: 'acme', environment: 'production', mode: 'full', targetSha: history.revisions[1]!.sha, justification: 'undo the last release' }),
    });
    expect(created.status).toBe(201);
    const { request } = rollbackRequestResponseSchema.parse(await created.json());
    expect(request.state).toBe('pending');
    // A second request, on another target, that the crash will catch before its commit.
    const globex = historyResponseSchema.parse(await (await api('/api/targets/globex/production/history?limit=2')).json());
    const other = rollbackRequestResponseSchema.parse(
      await (
        await api('/api/rollbacks', {
          method: 'POST',
          headers: as('sam@example.com'),
          body: JSON.stringify({ tenant: 'globex', environment: 'production', mode: 'full', targetSha: globex.revisions[1]!.sha, justification: 'undo globex' }),
        })
      ).json(),
    ).request;

    // Dana's approval reaches the quorum: the rollback commits, then the server pauses before recording it.
    const approving = api(`/api/rollbacks/${request.id}/reviews`, { method: 'POST', headers: as('dana@example.com'), body: JSON.stringify({ decision: 'approve' }) }).catch(
      (error: unknown) => error,
    );
    const [, pausedId, commitSha] = (await first.waitFor(/REWIND_TEST_PAUSED_AFTER_COMMIT (\S+) ([0-9a-f]{40})/)) as unknown as [string, string, string];
    expect(pausedId).toBe(request.id);
    const { stdout: head } = await run('git', ['-C', repo, 'rev-parse', 'refs/heads/main']);
    expect(head.trim()).toBe(commitSha);
    // Reads still answer while the execution hangs: the database says `executing`.
    expect(rollbackDetailResponseSchema.parse(await (await api(`/api/rollbacks/${request.id}`)).json()).request.state).toBe('executing');

    first.child.kill('SIGKILL');
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(await approving).toBeInstanceOf(Error);

    // The other request was claimed when the process died, before it committed anything.
    const store = await SqlRequestStore.open(join(dataDir, 'rewind.db'));
    try {
      await store.transaction((tx) => tx.updateRequest({ ...other, state: 'executing' }));
    } finally {
      await store.close();
    }

    const second = await serve(dataDir);
    try {
      const again = (path: string, init?: RequestInit) => fetch(new URL(path.replace(/^\//, ''), second.url), init);
      await second.waitFor(new RegExp(`reconciled: ${request.id} completed \\(commit ${commitSha.slice(0, 7)} was on the branch\\)`));
      await second.waitFor(new RegExp(`reconciled: ${other.id} failed`));

      const done = rollbackDetailResponseSchema.parse(await (await again(`/api/rollbacks/${request.id}`)).json());
      expect(done.request).toMatchObject({ state: 'completed', commitSha, reviews: [{ by: 'dana@example.com', decision: 'approve', stale: false }] });
      expect(done.verification).toMatchObject({ commitOnBranch: true, drift: false });

      const named = async (id: string) =>
        (await run('git', ['-C', repo, 'log', '--format=%H', '--fixed-strings', `--grep=Rollback Request ID: ${id}`, 'refs/heads/main'])).stdout.split('\n').filter(Boolean);
      expect(await named(request.id)).toEqual([commitSha]);

      const audit = auditResponseSchema.parse(await (await again('/api/audit?tenant=acme&environment=production&limit=500')).json());
      const mine = audit.events.filter((e) => e.requestId === request.id).reverse();
      expect(mine.map((e) => [e.type, e.actor])).toEqual([
        ['rollback.requested', 'sam@example.com'],
        ['rollback.reviewed', 'dana@example.com'],
        ['rollback.executed', 'system'],
      ]);
      expect(mine[2]!.details).toMatchObject({ commitSha, reconciled: true, approval: 'Approved by dana@example.com (quorum: 1/1)' });

      // Executing it again commits nothing.
      const repeat = await again(`/api/rollbacks/${request.id}/execute`, { method: 'POST', headers: as('sam@example.com'), body: '{}' });
      expect(repeat.status).toBe(409);
      expect(await named(request.id)).toEqual([commitSha]);

      // The one interrupted before its commit is failed, saying why, and executes again.
      const interrupted = rollbackDetailResponseSchema.parse(await (await again(`/api/rollbacks/${other.id}`)).json()).request;
      expect(interrupted.state).toBe('failed');
      expect(interrupted.error).toMatch(/^the server stopped during execution/);
      expect(await named(other.id)).toEqual([]);
      const retried = await again(`/api/rollbacks/${other.id}/execute`, { method: 'POST', headers: as('sam@example.com'), body: '{}' });
      expect(retried.status, await retried.clone().text()).toBe(200);
      const retriedRequest = rollbackRequestResponseSchema.parse(await retried.json()).request;
      expect(retriedRequest.state).toBe('completed');
      expect(await named(other.id)).toEqual([retriedRequest.commitSha]);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 180_000);
});
