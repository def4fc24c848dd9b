/**
 * Issue 14: PostgreSQL stopped for 10 s while a replica serves a load of reads, new requests and
 * approvals that execute rollbacks. Meanwhile every API call answers within its timeout: a 503 saying
 * the database cannot be reached (never a 500, never a hang); `/readyz` fails naming `database`;
 * `/healthz` stays 200. When the database is back, without restarting Rewind, requests succeed and
 * `/readyz` is 200 again. Nothing is half-written: every request that exists has its `requested` event
 * and its reviews their `reviewed` events, and every rollback that was executing across the outage ends
 * executed once (one commit, one `executed` event) or is reconciled (`failed`, then executed again).
 *
 * The server runs in this process (reconciling every 2 s instead of every minute, so the test need not
 * wait for the periodic pass): `pg_ctl stop` blocks the event loop for the moment it takes to stop.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import { rollbackListResponseSchema, rollbackRequestResponseSchema, type RollbackRequest } from '#core/schemas.ts';
import { tempDirs } from '#server/git/test-repos.ts';
import { createRewindServer, type RunningServer } from '#server/node/rewind-server.ts';
import { findPostgresBin, startThrowawayPostgres, type ThrowawayPostgres } from '../../scripts/postgres-test-server.mjs';
import { APPROVERS, as, auditOf, commitsByRequest, readRequest, REQUESTER, sleep, writeFleetConfig, writeFleetRemote, type Fleet } from './fault-fleet.ts';

// A real database stopped and started on a loaded machine: generous, explicit limits (decision 024).
vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

const OUTAGE_MS = 10_000;
/** No API call may take longer than this, outage or not. */
const CALL_TIMEOUT_MS = 20_000;
const APPROVED = 10;
const TARGETS = 30;
const bin = findPostgresBin();
const dirs = tempDirs('rewind-db-outage-');
afterAll(() => dirs.cleanup());

interface Call {
  what: string;
  at: number;
  ms: number;
  status: number | 'timeout' | 'error';
  text: string;
}

describe.skipIf(!bin)('the database stopped for 10 s under load', () => {
  let own: ThrowawayPostgres;
  let fleet: Fleet;
  let server: RunningServer;
  const logs: Record<string, unknown>[] = [];
  let outage!: () => void;
  const stopped = new Promise<void>((resolve) => (outage = resolve));
  const held = {
    request: null as { id: string; commitSha: string } | null,
    afterCommit(requestId: string, commitSha: string): Promise<void> {
      if (this.request) return Promise.resolve();
      this.request = { id: requestId, commitSha };
      return stopped;
    },
  };

  beforeAll(async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    own = await startThrowawayPostgres(bin);
    fleet = await writeFleetRemote(join(dirs.make('remote-'), 'infra.git'), TARGETS);
    const configFile = writeFleetConfig(dirs.make('config-'), { remote: fleet.remote, databaseUrl: own.url, quorum: 1 });
    server = await createRewindServer({
      configFile,
      dataDir: dirs.make('data-'),
      host: '127.0.0.1',
      port: 0,
      log: (entry) => logs.push(entry),
      reconcileIntervalMs: 2_000,
      // The first rollback to commit waits, between its commit and its record, for the database to stop.
      rollbackHooks: { afterCommit: ({ requestId, commitSha }) => held.afterCommit(requestId, commitSha) },
    });
  });
  afterAll(async () => {
    await server?.close();
    await own?.stop();
  });

  it('503 saying so while it is away, never 500 nor a hang; back without a restart; nothing half-written', async () => {
    onTestFailed(() => console.info(`[db-outage] server log (last 60):\n${logs.filter((l) => l.msg !== "request" || l.status === 500).slice(-60).map((l) => JSON.stringify(l)).join('\n')}`));
    const calls: Call[] = [];
    const t0 = performance.now();
    const call = async (what: string, path: string, init: RequestInit = {}): Promise<Call> => {
      const at = performance.now() - t0;
      let result: Call;
      try {
        const response = await fetch(new URL(path.replace(/^\//, ''), server.url), { ...init, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
        result = { what, at, ms: performance.now() - t0 - at, status: response.status, text: await response.text() };
      } catch (error) {
        const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
        result = { what, at, ms: performance.now() - t0 - at, status: timedOut ? 'timeout' : 'error', text: String(error) };
      }
      calls.push(result);
      return result;
    };
    const create = (target: { tenant: string; environment: string }) =>
      call(`create ${target.tenant}`, '/api/rollbacks', {
        method: 'POST',
        headers: as(REQUESTER),
        body: JSON.stringify({ ...target, mode: 'full', targetSha: fleet.baseSha, justification: `undo the ${target.tenant} release` }),
      });
    const approve = (id: string) => call(`approve ${id}`, `/api/rollbacks/${id}/reviews`, { method: 'POST', headers: as(APPROVERS[0]), body: JSON.stringify({ decision: 'approve' }) });

    // Requests to approve during the load; the other targets get their requests during it.
    const pending = await Promise.all(fleet.targets.slice(0, APPROVED).map(async (t) => rollbackRequestResponseSchema.parse(JSON.parse((await create(t)).text)).request.id));

    let stop = false;
    const loop = async (every: number, work: (i: number) => Promise<unknown>, count = Infinity) => {
      for (let i = 0; i < count && !stop; i++) {
        await work(i);
        await sleep(every);
      }
    };
    const load = Promise.all([
      loop(250, () => call('list', '/api/rollbacks?limit=50')),
      loop(400, () => call('audit', '/api/audit?limit=20')),
      loop(500, () => Promise.all([call('healthz', '/healthz'), call('readyz', '/readyz')])),
      loop(1_300, (i) => approve(pending[i]!), APPROVED),
      loop(700, (i) => create(fleet.targets[APPROVED + i]!), TARGETS - APPROVED),
    ]);

    await sleep(2_500);
    expect(held.request, 'a rollback committed before the outage, not yet recorded').not.toBeNull();
    own.pause();
    const down = performance.now() - t0;
    outage();
    await sleep(OUTAGE_MS);
    own.resume();
    const up = performance.now() - t0;
    // Back without a restart: ready again, and the API answers.
    let ready: Call | null = null;
    for (let i = 0; i < 60 && ready?.status !== 200; i++) {
      ready = await call('readyz after', '/readyz');
      if (ready.status !== 200) await sleep(500);
    }
    expect(ready?.status, ready?.text).toBe(200);
    expect((await call('list after', '/api/rollbacks')).status).toBe(200);
    await sleep(2_000);
    stop = true;
    await load;

    // Every call answered in time; none was a 500; what the outage refused, it refused saying why.
    expect(calls.filter((c) => typeof c.status !== 'number'), 'calls without an answer').toEqual([]);
    expect(calls.filter((c) => c.status === 500), 'internal errors').toEqual([]);
    const during = calls.filter((c) => c.at > down + 1_000 && c.at + c.ms < up);
    const api = during.filter((c) => !/^(healthz|readyz)/.test(c.what));
    expect(api.length, 'API calls during the outage').toBeGreaterThan(5);
    for (const c of api) {
      expect(c.status, `${c.what} during the outage: ${c.text}`).toBe(503);
      expect(JSON.parse(c.text), c.what).toMatchObject({ error: { code: 'UNAVAILABLE', message: expect.stringMatching(/^the database cannot be reached/) } });
    }
    for (const c of calls.filter((x) => x.status === 503 && !/^readyz/.test(x.what))) {
      expect(JSON.parse(c.text), `${c.what} at ${Math.round(c.at)} ms`).toMatchObject({ error: { code: 'UNAVAILABLE' } });
    }
    const probes = during.filter((c) => /^(healthz|readyz)/.test(c.what));
    expect(probes.filter((c) => c.what === 'healthz').every((c) => c.status === 200), 'healthz during the outage').toBe(true);
    const readyDuring = probes.filter((c) => c.what === 'readyz');
    expect(readyDuring.length).toBeGreaterThan(3);
    for (const c of readyDuring) {
      expect(c.status).toBe(503);
      expect(JSON.parse(c.text)).toMatchObject({ status: 'unready', failed: ['database'] });
    }

    // The rollback held across the outage: its approver heard that it is committed and will be recorded.
    const across = calls.find((c) => c.what === `approve ${held.request!.id}`)!;
    expect(across.status, across.text).toBe(503);
    expect(JSON.parse(across.text).error.message).toMatch(
      new RegExp(`^the database cannot be reached to record rollback request ${held.request!.id}: its commit ${held.request!.commitSha.slice(0, 7)} is on the branch`),
    );

    // What a person does afterwards: send again what was refused (a request made twice would be a second request).
    const all = async (): Promise<RollbackRequest[]> => {
      const response = await call('list all', '/api/rollbacks?limit=100');
      return rollbackListResponseSchema.parse(JSON.parse(response.text)).requests;
    };
    const byTenant = new Map((await all()).map((r) => [r.tenant, r]));
    for (const target of fleet.targets.slice(APPROVED)) {
      if (byTenant.has(target.tenant)) continue;
      const again = await create(target);
      expect(again.status, again.text).toBe(201);
    }
    for (let round = 0; round < 60; round++) {
      const states = await Promise.all(pending.map((id) => readRequest((p, i) => fetch(new URL(p.replace(/^\//, ''), server.url), i), id)));
      const open = states.filter((r) => r.state !== 'completed');
      if (open.length === 0) break;
      for (const r of open) {
        if (r.state === 'pending') await approve(r.id);
        else if (r.state === 'failed' || r.state === 'approved') await call(`execute ${r.id}`, `/api/rollbacks/${r.id}/execute`, { method: 'POST', headers: as(REQUESTER), body: '{}' });
      }
      await sleep(1_000);
    }

    // Nothing half-written, everything once.
    const serverApi = (p: string, i?: RequestInit) => fetch(new URL(p.replace(/^\//, ''), server.url), i);
    const requests = await all();
    expect(requests.map((r) => r.tenant).sort()).toEqual(fleet.targets.map((t) => t.tenant).sort());
    const commits = await commitsByRequest(fleet.remote);
    for (const request of requests) {
      const events = await auditOf(serverApi, request.id);
      expect(events.filter((e) => e.type === 'rollback.requested'), `requested events of ${request.id}`).toHaveLength(1);
      expect(events.filter((e) => e.type === 'rollback.reviewed').map((e) => e.actor), `reviewed events of ${request.id}`).toEqual(request.reviews.map((r) => r.by));
      if (pending.includes(request.id)) {
        expect(request.state, `${request.tenant}: ${request.error ?? ''}`).toBe('completed');
        expect(commits.get(request.id), `commits naming ${request.id}`).toEqual([request.commitSha]);
        expect(events.filter((e) => e.type === 'rollback.executed'), `executed events of ${request.id}`).toHaveLength(1);
      } else {
        expect(request.state).toBe('pending');
        expect(commits.has(request.id)).toBe(false);
      }
    }
    expect([...commits.keys()].sort()).toEqual([...pending].sort());
    // Recorded by reconciliation with the commit it made, not executed a second time.
    const reconciled = (await auditOf(serverApi, held.request!.id)).find((e) => e.type === 'rollback.executed')!;
    expect(reconciled).toMatchObject({ actor: 'system', details: { commitSha: held.request!.commitSha, reconciled: true } });

    const refused = calls.filter((c) => c.status === 503 && !/^readyz/.test(c.what)).length;
    const slowest = Math.max(...calls.filter((c) => c.at > down && c.at < up).map((c) => c.ms));
    console.info(
      `[db-outage] ${calls.length} calls, database down ${((up - down) / 1000).toFixed(1)} s: ${refused} answered 503, slowest answer during the outage ${Math.round(slowest)} ms; ` +
        `readyz 200 again ${Math.round((ready!.at + ready!.ms - up))} ms after the start`,
    );
  });
});
