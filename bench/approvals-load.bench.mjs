// Approvals under load (`npm run bench approvals-load`): the real server (`createRewindServer`: git CLI
// store, SQLite request store, HTTP over loopback) on a generated repo of 50 targets whose policy needs
// QUORUM approvals. 50 pending requests (one per target, a service rollback each), then 1,000 review
// calls (20 distinct approvers × 50 requests, shuffled) with at most CONCURRENCY in flight.
//
// Checked, or the bench fails: every request completed with exactly QUORUM approvals (the reviews that
// arrive after the quorum answer 400 `rollback request is not pending approval`, nothing else fails),
// exactly one rollback commit on the branch per request id, no commit id twice, one
// `rollback.executed` event per request. Reported: the latency of a review (p50, p99, max), that of
// the reviews reaching the quorum, the time from those to their completed request (live update), the
// throughput and the commit-lock wait, as JSON lines; on Linux also each consumer's CPU time per review
// during the load (bench/cpu-time.mjs) and the cores they kept busy, which tell a machine out of CPU
// from a wait somewhere. The reviewers run in a worker thread
// (bench/review-load-client.mjs) and send `Prefer: respond-async` as the SPA does (decision 049);
// REWIND_BENCH_PREFER=sync makes the quorum reviews wait for their commits (the API's default).
//
// It runs three times: on SQLite (names `approvals.*`), on PostgreSQL with one process
// (`approvals-postgres.*`) and on PostgreSQL with two replicas (`approvals-postgres-2.*`: two
// `rewind serve` processes on one database, each with its own mirror of one shared bare remote
// (`repo.url`), the reviews spread over both, the commits checked on the remote). PostgreSQL runs against
// $REWIND_BENCH_DATABASE_URL or $REWIND_TEST_DATABASE_URL (a fresh database is created there per
// run), else a throwaway server (scripts/postgres-test-server.mjs); without either it says so and
// skips. REWIND_BENCH_STORAGE=sqlite (or postgres) runs only that one; REWIND_BENCH_REPLICAS=1 (or 2)
// only that PostgreSQL row.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { importCommits, initRepo } from '#server/git/fast-import.ts';
import { cpuSince, cpuSnapshot } from './cpu-time.mjs';
import { createRewindServer } from '#server/node/rewind-server.ts';
import { startRewindProcess } from '../tests/support/rewind-process.ts';
import { postgresTestAvailability, startThrowawayPostgres } from '../scripts/postgres-test-server.mjs';

const execFileAsync = promisify(execFile);

const TARGETS = 50;
const APPROVERS = 20;
const QUORUM = 5;
const CONCURRENCY = 100;
const REQUESTER = 'requester@bench.example.com';
/** Reviews with `Prefer: respond-async`, as the SPA sends them; REWIND_BENCH_PREFER=sync waits for commits. */
const RESPOND_ASYNC = process.env.REWIND_BENCH_PREFER !== 'sync';

const tenantOf = (i) => `t${String(i + 1).padStart(2, '0')}`;
const approverOf = (i) => `approver-${String(i + 1).padStart(2, '0')}@bench.example.com`;
const values = (tenant, tag) => `image:\n  repository: registry.example.com/${tenant}/api\n  tag: "${tag}"\nreplicas: 3\n`;

/** Deterministic shuffle (mulberry32), so runs are comparable. */
function shuffle(items, seed = 42) {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function check(condition, message) {
  if (!condition) throw new Error(`approvals-load: ${message}`);
}

async function makeRepo(dir) {
  const gitDir = await initRepo(join(dir, 'repo'), { branch: 'main' });
  const at = (minute) => new Date(Date.UTC(2026, 10, 1, 9, minute)).toISOString();
  const author = { name: 'CI', email: 'ci@example.com' };
  const bootstrap = {};
  for (let i = 0; i < TARGETS; i++) {
    const root = `tenants/${tenantOf(i)}/production`;
    bootstrap[`${root}/kustomization.yaml`] = 'resources:\n- services/api\n- services/web\n';
    bootstrap[`${root}/services/api/values.yaml`] = values(tenantOf(i), 'v1.0.0');
    bootstrap[`${root}/services/web/values.yaml`] = 'replicas: 2\n';
  }
  const bad = {};
  for (let i = 0; i < TARGETS; i++) bad[`tenants/${tenantOf(i)}/production/services/api/values.yaml`] = values(tenantOf(i), 'v2.0.0');
  const { shas } = await importCommits(
    gitDir,
    [
      { timestamp: at(0), author, message: 'bootstrap\n', changes: bootstrap },
      { timestamp: at(1), author, message: 'release api v2.0.0 everywhere\n', changes: bad },
    ],
    { branch: 'main' },
  );
  return { gitDir, good: shas[0] };
}

export async function run(report) {
  // REWIND_BENCH_STORAGE=sqlite or =postgres runs one of the two.
  const only = process.env.REWIND_BENCH_STORAGE;
  if (only !== 'postgres') await runOn(report, 'approvals', null);
  if (only === 'sqlite') return;
  const url = process.env.REWIND_BENCH_DATABASE_URL ?? process.env.REWIND_TEST_DATABASE_URL;
  const availability = postgresTestAvailability();
  if (!url && availability.mode === 'skip') {
    report({ name: 'approvals-postgres.skipped', detail: availability.reason, value: 0, unit: 'runs' });
    return;
  }
  const server = url ? null : await startThrowawayPostgres(availability.bin);
  const adminUrl = url ?? server.url;
  const name = `rewind_bench_${Date.now().toString(36)}`;
  const admin = async (query) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  };
  try {
    // REWIND_BENCH_REPLICAS=1 or =2 runs only that PostgreSQL row.
    const rows = [['approvals-postgres', 1], ['approvals-postgres-2', 2]].filter(([, n]) => !process.env.REWIND_BENCH_REPLICAS || Number(process.env.REWIND_BENCH_REPLICAS) === n);
    for (const [prefix, replicas] of rows) {
      const database = `${name}_${replicas}`;
      await admin(`create database ${database}`);
      const databaseUrl = new URL(adminUrl);
      databaseUrl.pathname = `/${database}`;
      try {
        await runOn(report, prefix, databaseUrl.toString(), replicas);
      } finally {
        await admin(`drop database if exists ${database} with (force)`);
      }
    }
  } finally {
    await server?.stop();
  }
}

async function runOn(report, prefix, databaseUrl, replicas = 1) {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-bench-approvals-'));
  try {
    const { gitDir, good } = await makeRepo(dir);
    const configFile = join(dir, 'rewind.config.yaml');
    // JSON is YAML.
    writeFileSync(
      configFile,
      JSON.stringify({
        // Replicas keep their own mirror of the shared remote (decision 035); one process serves the repo itself.
        repo: replicas > 1 ? { url: `file://${gitDir}`, branch: 'main' } : { path: gitDir, branch: 'main' },
        ...(databaseUrl ? { database: { url: databaseUrl } } : {}),
        // The bench acts as each user through X-Forwarded-Email: demo identity, asked for explicitly.
        identity: { mode: 'demo' },
        users: [
          { email: REQUESTER, name: 'Requester', roles: ['requester'] },
          ...Array.from({ length: APPROVERS }, (_, i) => ({ email: approverOf(i), name: `Approver ${i + 1}`, roles: ['approver'] })),
        ],
        defaults: {
          plan: 'enterprise',
          features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
          policy: { requiredApprovals: QUORUM, blockSelfApproval: true },
        },
        targets: { pattern: { services: 'tenants/{tenant}/{environment}/services/{service}/' } },
      }),
    );
    const servers = await startReplicas(replicas, configFile, dir);
    // Reads and the requests go to the first replica; reviews alternate between replicas.
    const call = async (path, email, body, replica = 0) => {
      const response = await fetch(new URL(path, servers[replica].url), {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'X-Forwarded-Email': email, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: await response.json() };
    };
    try {
      // 50 pending requests, one per target.
      const requests = await Promise.all(
        Array.from({ length: TARGETS }, async (_, i) => {
          const { status, body } = await call('api/rollbacks', REQUESTER, {
            tenant: tenantOf(i),
            environment: 'production',
            mode: 'service',
            service: 'api',
            targetSha: good,
            justification: `api v2.0.0 is bad on ${tenantOf(i)}`,
          });
          check(status === 201 && body.request.state === 'pending', `request ${i}: ${status} ${JSON.stringify(body)}`);
          return body.request.id;
        }),
      );

      // The approvers' pages: a review is sent from the request's page, which has read the request (its
      // diff and verification) through whichever replica serves that browser. Each request is read once
      // through each replica, so a replica meets the load as one that has served those pages, not as
      // one started a moment before (REWIND_BENCH_COLD=1 leaves this out: see decision 061).
      if (process.env.REWIND_BENCH_COLD !== '1') {
        for (let replica = 0; replica < replicas; replica++) {
          await Promise.all(requests.map(async (id) => check((await call(`api/rollbacks/${id}`, REQUESTER, undefined, replica)).status === 200, `reading ${id}`)));
        }
      }

      // 1,000 reviews: every approver reviews every request, in a shuffled order, CONCURRENCY in flight.
      const jobs = shuffle(requests.flatMap((id) => Array.from({ length: APPROVERS }, (_, a) => ({ id, approver: approverOf(a) })))).map((job, i) => ({
        ...job,
        replica: i % replicas,
      }));
      // The reviewers run in a worker thread (bench/review-load-client.mjs), off the servers' event loop.
      const client = new Worker(new URL('./review-load-client.mjs', import.meta.url), {
        workerData: { jobs, urls: servers.map((server) => server.url), concurrency: CONCURRENCY, viewer: REQUESTER, respondAsync: RESPOND_ASYNC },
      });
      // CPU time by consumer between the load's first review and its last answer (bench/cpu-time.mjs).
      const serverPids = servers.map((server) => server.pid).filter((pid) => pid !== null);
      let cpuBefore = null;
      let cpu = null;
      const { answers, elapsed, committed: committedMs, allCommittedAfter } = await new Promise((resolve, reject) => {
        client.on('message', (message) => {
          if (message.type === 'started') cpuBefore = cpuSnapshot(serverPids);
          else if (message.type === 'loaded' && cpuBefore && message.loadGeneratorCpuMs !== null) cpu = { ...cpuSince(cpuBefore, cpuSnapshot(serverPids)), loadGenerator: message.loadGeneratorCpuMs };
          else if (message.type === 'done') resolve(message);
        });
        client.once('error', reject);
        client.once('exit', (code) => reject(new Error(`the review client stopped (exit code ${code})`)));
      });
      await client.terminate();
      const latencies = answers.map((answer) => answer.ms);
      /** Reviews that reached the quorum: their latency includes the commit (and the wait for earlier ones). */
      const executing = answers.filter((answer) => (RESPOND_ASYNC ? answer.status === 202 && answer.state === 'executing' : answer.status === 200 && answer.state === 'completed')).map((answer) => answer.ms);
      const statuses = new Map();
      for (const { status } of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const unexpected = answers.filter(({ status, message }) => status !== 200 && status !== 202 && !(status === 400 && message === 'rollback request is not pending approval'));

      // Counts.
      check(unexpected.length === 0, `unexpected answers: ${JSON.stringify(unexpected.slice(0, 3))} (${unexpected.length} in all)`);
      check(latencies.length === TARGETS * APPROVERS, `${latencies.length} reviews answered`);
      const [ok, quorum] = RESPOND_ASYNC ? [TARGETS * (QUORUM - 1), TARGETS] : [TARGETS * QUORUM, 0];
      check(statuses.get(200) === ok, `200s: ${statuses.get(200)}, expected ${ok}`);
      check((statuses.get(202) ?? 0) === quorum, `202s: ${statuses.get(202)}, expected ${quorum} (one per request, the quorum approval)`);
      const commits = [];
      for (const id of requests) {
        const { body } = await call(`api/rollbacks/${id}`, REQUESTER);
        const r = body.request;
        const approvals = r.reviews.filter((review) => review.decision === 'approve' && !review.stale).length;
        check(r.state === 'completed', `${id} is ${r.state}${r.error ? `: ${r.error}` : ''}`);
        check(approvals === QUORUM && r.reviews.length === QUORUM, `${id} has ${approvals} approvals of ${r.reviews.length} reviews`);
        commits.push(r.commitSha);
      }
      check(new Set(commits).size === TARGETS, 'a commit id appears on two requests');
      const { stdout } = await execFileAsync('git', ['--git-dir', gitDir, 'log', '--format=%H%x00%B%x1e', 'main'], { maxBuffer: 64 << 20 });
      const logged = stdout
        .split('\x1e')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .map((entry) => {
          const [sha, message = ''] = entry.split('\0');
          return [sha, /^Rollback Request ID: (\S+)$/m.exec(message)?.[1]];
        });
      const named = logged.filter(([, requestId]) => requestId);
      check(new Set(logged.map(([sha]) => sha)).size === logged.length, 'duplicate commit ids in the git log');
      for (const id of requests) {
        const mine = named.filter(([, requestId]) => requestId === id);
        check(mine.length === 1, `${id} has ${mine.length} commits on the branch`);
      }
      check(named.length === TARGETS, `${named.length} rollback commits on the branch, expected ${TARGETS}`);
      let executed = 0;
      for (let cursor = null, first = true; first || cursor; first = false) {
        const { body } = await call(`api/audit?type=rollback.executed&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, REQUESTER);
        executed += body.events.length;
        cursor = body.nextCursor;
      }
      check(executed === TARGETS, `${executed} rollback.executed events, expected ${TARGETS}`);

      check(executing.length === TARGETS, `${executing.length} reviews executed a rollback, expected ${TARGETS}`);
      const sorted = [...latencies].sort((a, b) => a - b);
      const committing = [...executing].sort((a, b) => a - b);
      const round = (ms) => Math.round(ms * 100) / 100;
      const detail =
        `${TARGETS * APPROVERS} reviews over ${TARGETS} requests, quorum ${QUORUM}, ${CONCURRENCY} in flight, ${TARGETS} commits` +
        (replicas > 1 ? `, ${replicas} replicas sharing one database and one remote` : '');
      report({ name: `${prefix}.review.p50`, detail, value: round(percentile(sorted, 50)), unit: 'ms' });
      report({ name: `${prefix}.review.p99`, detail, value: round(percentile(sorted, 99)), unit: 'ms' });
      report({ name: `${prefix}.review.max`, detail, value: round(sorted.at(-1)), unit: 'ms' });
      // The reviews that did not reach the quorum: recorded (200) or refused as no longer pending (400).
      const plain = answers.filter((answer) => !(answer.status === 202 || answer.state === 'completed')).map((answer) => answer.ms).sort((a, b) => a - b);
      report({ name: `${prefix}.review-plain.p99`, detail: `the ${plain.length} reviews that did not reach the quorum (recorded, or refused as no longer pending)`, value: round(percentile(plain, 99)), unit: 'ms' });
      const executingDetail = RESPOND_ASYNC
        ? `the ${TARGETS} reviews that reached the quorum, answered 202 executing (Prefer: respond-async, as the SPA sends it)`
        : `the ${TARGETS} reviews that reached the quorum, answered once committed (REWIND_BENCH_PREFER=sync)`;
      report({ name: `${prefix}.review-executing.p50`, detail: executingDetail, value: round(percentile(committing, 50)), unit: 'ms' });
      report({ name: `${prefix}.review-executing.p99`, detail: executingDetail, value: round(percentile(committing, 99)), unit: 'ms' });
      // From the quorum review's send to the live update of its outcome: what the approver's page waits for.
      check(committedMs.every((ms) => Number.isFinite(ms)), `${committedMs.filter((ms) => !Number.isFinite(ms)).length} rollbacks without an announced outcome`);
      const toCommit = [...committedMs].sort((a, b) => a - b);
      const commitDetail = 'from the quorum review to the live update of its completed request (group commit, decision 049)';
      report({ name: `${prefix}.review-to-completed.p50`, detail: commitDetail, value: round(percentile(toCommit, 50)), unit: 'ms' });
      report({ name: `${prefix}.review-to-completed.p99`, detail: commitDetail, value: round(percentile(toCommit, 99)), unit: 'ms' });
      report({ name: `${prefix}.all-completed`, detail: 'from the first review to the last rollback completed', value: round(allCommittedAfter), unit: 'ms' });
      report({ name: `${prefix}.total`, detail, value: round(elapsed), unit: 'ms' });
      report({ name: `${prefix}.reviews-per-second`, detail, value: round((latencies.length / elapsed) * 1000), unit: 'reviews/s' });
      if (cpu) {
        // Where the cores went during the load, per review: the servers' event loops, their other threads
        // (V8's compiler and GC, libuv's pool), the load generator (a worker thread here; remote browsers
        // in a deployment), git, PostgreSQL. One replica runs in this process (its main thread; the load
        // generator's thread taken out of the rest); several run as processes of their own, and this
        // process's main thread, which only waits for them, is left out.
        const inProcess = serverPids.length === 0;
        const consumers = inProcess
          ? {
              'server-main-thread': [cpu.thread, "the servers' event loop (this process's main thread)"],
              'helper-threads': [cpu.process - cpu.thread - cpu.loadGenerator, "this process's other threads: V8's compiler and garbage collector, libuv's pool"],
              'load-generator': [cpu.loadGenerator, 'the reviewers (a worker thread of this process)'],
              git: [cpu.children, 'git processes the servers ran and waited for'],
            }
          : {
              'server-main-thread': [cpu.serverThreads, `the ${replicas} replicas' event loops (each replica process's main thread), summed`],
              'helper-threads': [cpu.serverProcesses - cpu.serverThreads, "the replica processes' other threads: V8's compiler and garbage collector, libuv's pool"],
              'load-generator': [cpu.loadGenerator, 'the reviewers (a worker thread of the bench)'],
              git: [cpu.serverChildren, 'git processes the replicas ran and waited for'],
            };
        if (databaseUrl) consumers.postgres = [cpu.postgres, 'PostgreSQL processes on this machine'];
        for (const [consumer, [ms, what]] of Object.entries(consumers)) {
          report({ name: `${prefix}.cpu-per-review.${consumer}`, detail: `CPU time of ${what} during the load, per review`, value: round(ms / latencies.length), unit: 'ms' });
        }
        const busy = Object.values(consumers).reduce((sum, [ms]) => sum + ms, 0) / elapsed;
        report({ name: `${prefix}.cores-busy`, detail: `cores kept busy during the load by the consumers above (this machine has ${availableParallelism()})`, value: round(busy), unit: 'cores' });
      }
      let waitSum = 0;
      let waitCount = 0;
      for (const server of servers) {
        const { sum, count } = await server.commitLockWait();
        waitSum += sum;
        waitCount += count;
      }
      report({ name: `${prefix}.commit-lock-wait.mean`, detail: `${waitCount} commits; time from asking for the commit lock to holding it`, value: round(waitCount ? (waitSum / waitCount) * 1000 : 0), unit: 'ms' });
      report({
        name: `${prefix}.counts`,
        detail: 'answers by status; commits and executed events on the branch and in the audit',
        value: TARGETS,
        unit: 'requests completed',
        statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
        commits: named.length,
        executedEvents: executed,
        approvalsPerRequest: QUORUM,
      });
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The replicas under load: `url`, `pid` (null in this process), the commit-lock wait's sum (s) and
 * count, and `close`. One replica is a server in this process, quiet. Several are `rewind serve`
 * processes of their own, as deployed (each its own event loop, heap and V8 threads, logging as in
 * production); in one process they would share one event loop, which no deployment does.
 */
async function startReplicas(replicas, configFile, dir) {
  if (replicas === 1) {
    const log = console.log;
    console.log = () => {};
    let server;
    try {
      server = await createRewindServer({ configFile, dataDir: join(dir, 'data-0'), host: '127.0.0.1', port: 0, log: () => {} });
    } finally {
      console.log = log;
    }
    return [
      {
        url: server.url,
        pid: null,
        commitLockWait: async () => {
          const { values } = await server.metrics.commitLockWait.get();
          const sample = (suffix) => values.find((v) => v.metricName.endsWith(suffix))?.value ?? 0;
          return { sum: sample('_sum'), count: sample('_count') };
        },
        close: async () => {
          console.log = () => {};
          try {
            await server.close();
          } finally {
            console.log = log;
          }
        },
      },
    ];
  }
  const started = [];
  try {
    // One after the other: the first one migrates the database.
    for (let i = 0; i < replicas; i++) started.push(await startRewindProcess({ configFile, dataDir: join(dir, `data-${i}`) }));
  } catch (error) {
    await Promise.all(started.map((replica) => replica.kill('SIGKILL')));
    throw error;
  }
  return started.map((replica) => ({
    url: replica.url,
    pid: replica.child.pid,
    commitLockWait: async () => {
      const text = await (await replica.api('/metrics')).text();
      const sample = (suffix) => Number(new RegExp(`^rewind_commit_lock_wait_seconds${suffix} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
      return { sum: sample('_sum'), count: sample('_count') };
    },
    close: () => replica.kill('SIGTERM'),
  }));
}
