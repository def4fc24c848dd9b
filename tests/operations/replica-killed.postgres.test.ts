/**
 * Issue 14: a replica killed (SIGKILL) in the middle of a load of approvals. Two `rewind serve`
 * processes share one PostgreSQL database and one bare remote (each with its own mirror). Approvals for
 * many requests (quorum 2, three approvers each) are spread over both; replica A is killed once some
 * but not all rollbacks have landed on the remote, with executions in flight. B goes on; A restarts on
 * the same data dir and database and reconciles (decision 027). In the end every request that reached
 * its quorum is executed exactly once: one commit naming it on the remote, one `rollback.executed`
 * event, nothing left `executing`, and the reviews recorded are exactly the ones answered 200.
 *
 * What a person would do after the crash is done too: a review whose connection died is sent again (a
 * load balancer retries on the live replica), and a request reconciled as `failed` (interrupted before
 * its commit) or left `approved` (the replica died between the quorum and the claim) is executed again.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import { rollbackRequestResponseSchema } from '#core/schemas.ts';
import { tempDirs } from '#server/git/test-repos.ts';
import { usePostgres, type TestDatabase } from '../support/postgres.ts';
import { startRewindProcess, type RewindProcess } from '../support/rewind-process.ts';
import { APPROVERS, as, auditOf, commitsByRequest, holdPushes, readRequest, remoteCommitCount, REQUESTER, sleep, writeFleetConfig, writeFleetRemote, type Fleet } from './fault-fleet.ts';

// Real processes killed and restarted on a loaded machine: generous, explicit limits (decision 024).
vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

const REQUESTS = 24;
const QUORUM = 2;

const pg = usePostgres();
const dirs = tempDirs('rewind-replica-killed-');
const processes: RewindProcess[] = [];
afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill('SIGKILL')));
  dirs.cleanup();
});

type Outcome = { status: number; text: string } | { lost: string };
const call = (server: RewindProcess, path: string, init: RequestInit): Promise<Outcome> =>
  server
    .api(path, { ...init, signal: AbortSignal.timeout(90_000) })
    .then(async (r) => ({ status: r.status, text: await r.text() }))
    .catch((error: unknown) => ({ lost: String(error instanceof Error ? (error.cause ?? error.message) : error) }));

describe.skipIf(!pg.available)('a replica killed (SIGKILL) while rollbacks execute', () => {
  let database: TestDatabase;
  let fleet: Fleet;
  let configFile: string;

  beforeAll(async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    fleet = await writeFleetRemote(join(dirs.make('remote-'), 'infra.git'), REQUESTS);
    database = await pg.createDatabase();
    configFile = writeFleetConfig(dirs.make('config-'), { remote: fleet.remote, databaseUrl: database.url, quorum: QUORUM });
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('every request that reached its quorum is executed exactly once, the reviews counted exactly', async () => {
    // The servers' own words (their JSON logs) say what went wrong.
    onTestFailed(() => processes.forEach((p, i) => console.info(`[replica-killed] process ${i}, last output:\n${p.output().slice(-8_000)}`)));
    const dataA = dirs.make('data-a-');
    const start = (dataDir: string) => startRewindProcess({ configFile, dataDir }).then((p) => (processes.push(p), p));
    let a = await start(dataA);
    const b = await start(dirs.make('data-b-'));
    const initialCommits = await remoteCommitCount(fleet.remote);
    // Kill A once some, not all, rollbacks are on the remote: the first push lands, later ones wait at
    // the remote until A is dead, so others are in flight then. One push may carry many rollbacks
    // (group commit, decision 049), but only the executions queued on one replica when its leader
    // began: early in the load a few, about half at most (the quorums fall on either replica).
    const killAt = initialCommits + 1;
    const gate = holdPushes(fleet.remote, killAt);

    // One request per target, made through either replica.
    const ids = await Promise.all(
      fleet.targets.map(async ({ tenant, environment }, i) => {
        const body = { tenant, environment, mode: 'full', targetSha: fleet.baseSha, justification: `undo the ${tenant} release` };
        const created = await call(i % 2 ? b : a, '/api/rollbacks', { method: 'POST', headers: as(REQUESTER), body: JSON.stringify(body) });
        if (!('status' in created) || created.status !== 201) throw new Error(`create ${tenant}: ${JSON.stringify(created)}`);
        return rollbackRequestResponseSchema.parse(JSON.parse(created.text)).request.id;
      }),
    );

    // Three approvers per request, all at once, alternating replicas: the second approval executes.
    const reviews = ids.flatMap((id, i) =>
      APPROVERS.map((by, j) => {
        const via = (i + j) % 2 ? b : a;
        return { id, by, via, outcome: call(via, `/api/rollbacks/${id}/reviews`, { method: 'POST', headers: as(by), body: JSON.stringify({ decision: 'approve' }) }) };
      }),
    );

    const deadline = Date.now() + 120_000;
    let landed = initialCommits;
    while ((landed = await remoteCommitCount(fleet.remote)) < killAt && Date.now() < deadline) await sleep(50);
    expect(landed, 'rollbacks landed before the kill').toBeGreaterThanOrEqual(killAt);
    expect(landed, 'rollbacks landed before the kill').toBeLessThan(initialCommits + REQUESTS);
    await a.kill('SIGKILL');
    expect(a.child.signalCode).toBe('SIGKILL');
    const landedAtKill = (await remoteCommitCount(fleet.remote)) - initialCommits;
    gate.release();

    // Reviews whose connection died with A are sent again through B, once every answer is in.
    const outcomes = await Promise.all(reviews.map(async (r) => ({ ...r, outcome: await r.outcome })));
    const lost = outcomes.filter((r) => 'lost' in r.outcome);
    expect(lost.every((r) => r.via === a), 'only calls to the killed replica are lost').toBe(true);
    for (const r of outcomes) {
      if ('status' in r.outcome) expect([200, 400, 409], `${r.by} on ${r.id}: ${r.outcome.text}`).toContain(r.outcome.status);
    }
    const retried = await Promise.all(
      lost.map(async (r) => ({ ...r, outcome: await call(b, `/api/rollbacks/${r.id}/reviews`, { method: 'POST', headers: as(r.by), body: JSON.stringify({ decision: 'approve' }) }) })),
    );
    for (const r of retried) {
      expect('status' in r.outcome && [200, 400, 409].includes(r.outcome.status), `${r.by} on ${r.id} again: ${JSON.stringify(r.outcome)}`).toBe(true);
    }

    // A comes back on the same data dir and database, and reconciles what it left executing.
    a = await start(dataA);
    const reconciled = a.output().split('\n').filter((line) => line.includes('reconciled:'));

    // What a person would do with a request that still needs a click: execute it (through either replica).
    let states = new Map<string, string>();
    const executedAgain: string[] = [];
    for (let round = 0; round < 60; round++) {
      states = new Map(await Promise.all(ids.map(async (id) => [id, (await readRequest(b.api, id)).state] as const)));
      const waiting = ids.filter((id) => states.get(id) === 'failed' || states.get(id) === 'approved');
      if (waiting.length === 0 && ![...states.values()].includes('executing')) break;
      for (const id of waiting) {
        const again = await call(round % 2 ? a : b, `/api/rollbacks/${id}/execute`, { method: 'POST', headers: as(REQUESTER), body: '{}' });
        expect('status' in again && [200, 409].includes(again.status), `execute ${id} again: ${JSON.stringify(again)}`).toBe(true);
        executedAgain.push(id);
      }
      await sleep(1_000);
    }

    // Every request: completed, one commit naming it on the remote, one executed event, its reviews as answered.
    const commits = await commitsByRequest(fleet.remote);
    const answered200 = [...outcomes, ...retried].filter((r) => 'status' in r.outcome && r.outcome.status === 200);
    for (const id of ids) {
      const request = await readRequest(a.api, id);
      expect(request.state, `${id}: ${request.error ?? ''}`).toBe('completed');
      expect(commits.get(id), `commits naming ${id}`).toEqual([request.commitSha]);
      const events = await auditOf(b.api, id);
      expect(events.filter((e) => e.type === 'rollback.executed'), `executed events of ${id}`).toHaveLength(1);
      const approvals = request.reviews.filter((r) => r.decision === 'approve' && !r.stale);
      expect(approvals, `approvals of ${id}`).toHaveLength(QUORUM);
      expect(new Set(approvals.map((r) => r.by)).size).toBe(QUORUM);
      expect(events.filter((e) => e.type === 'rollback.reviewed').map((e) => e.actor).sort()).toEqual(approvals.map((r) => r.by).sort());
      for (const r of answered200.filter((x) => x.id === id)) expect(approvals.map((x) => x.by), `${r.by}'s 200 on ${id}`).toContain(r.by);
    }
    // Nothing else landed: one commit per request, and none for anything else.
    expect((await remoteCommitCount(fleet.remote)) - initialCommits).toBe(REQUESTS);
    expect([...commits.keys()].sort()).toEqual([...ids].sort());

    console.info(
      `[replica-killed] ${REQUESTS} requests, ${reviews.length} reviews over 2 replicas; A killed with ${landedAtKill}/${REQUESTS} landed; ` +
        `${lost.length} reviews lost with A and sent again; ${reconciled.length} reconciled at A's restart (${reconciled.map((l) => l.trim()).join('; ') || 'none'}); ` +
        `${executedAgain.length} executed again by hand`,
    );
  });
});
