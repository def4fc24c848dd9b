// Cluster status under load (`npm run bench cluster-poll`): the API app over 200 targets, served over
// loopback HTTP, reading a fake Argo CD (one Application per target) through the server's poller.
// 500 SSE clients stay connected on /api/events and, like the SPA, refetch their target on every
// `cluster.changed`; meanwhile 20 Applications change every second. Reported: calls to the agent per
// minute (bounded by Applications × 60 / pollInterval, whatever the clients) and API reads per minute.
//
// Then the target page's time-to-status: GET /api/targets/{t}/{e} with the agent answering in 50 ms
// (served from the poller's cache) vs the simulated cluster the server used before (decision 019).
import { StaticTargetCatalog, StaticUserDirectory, SequentialIds, systemClock } from '#core/basic-adapters.ts';
import { EventBus } from '#core/events.ts';
import { defaultLayout } from '#core/target-config.ts';
import { SimulatedClusterStatus } from '#demo/simulated-cluster.ts';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';
import { createApiApp } from '#server/api/app.ts';
import { clusterConfigSchema } from '#server/cluster/cluster-config.ts';
import { createCluster } from '#server/cluster/create-cluster.ts';
import { createServerApp, listen } from '#server/node/http-server.ts';
import { FakeArgoCd } from '../tests/fakes/fake-argocd.ts';

const TARGETS = 200;
const CLIENTS = 500;
const POLL_MS = 2_000;
const WINDOW_MS = 20_000;
const SERVICES = ['api', 'web', 'worker'];

function makeTargets() {
  return Array.from({ length: TARGETS }, (_, i) => {
    const tenant = `t${String(i).padStart(3, '0')}`;
    return {
      tenant,
      environment: 'production',
      plan: 'enterprise',
      features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
      policy: { requiredApprovals: 0, blockSelfApproval: true, requesters: ['admin'], approvers: ['admin'], breakGlass: ['admin'] },
      layout: defaultLayout(tenant, 'production', SERVICES),
    };
  });
}

function makeRepo(targets) {
  const revisions = new InMemoryRevisionStore();
  const heads = new Map();
  const author = { name: 'CI', email: 'ci@example.com' };
  targets.forEach((t, i) => {
    const changes = Object.fromEntries(SERVICES.map((s) => [`tenants/${t.tenant}/production/services/${s}/values.yaml`, `tag: v${i}\n`]));
    heads.set(t.tenant, revisions.append({ timestamp: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), author, message: `release ${t.tenant}`, changes }));
  });
  return { revisions, heads };
}

async function serveApi(cluster, revisions, targets, events) {
  const api = createApiApp({
    revisions,
    requests: new InMemoryRequestStore(),
    catalog: new StaticTargetCatalog(targets),
    cluster,
    users: new StaticUserDirectory([{ email: 'bench@example.com', name: 'Bench', roles: ['admin'] }]),
    clock: systemClock,
    ids: new SequentialIds(),
    events,
    identity: { mode: 'demo', defaultUser: 'bench@example.com' },
  });
  const { server, port } = await listen(createServerApp({ api, log: () => {} }), '127.0.0.1', 0);
  return { server, url: `http://127.0.0.1:${port}` };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timeToStatus(url, targets, rounds = 200) {
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const t = targets[i % targets.length];
    const started = performance.now();
    const response = await fetch(`${url}/api/targets/${t.tenant}/production`);
    await response.json();
    times.push(performance.now() - started);
  }
  return median(times);
}

export async function run(report) {
  const targets = makeTargets();
  const { revisions, heads } = makeRepo(targets);
  const fake = new FakeArgoCd();
  await fake.start();
  for (const t of targets) fake.apps.set(`${t.tenant}-production`, { live: heads.get(t.tenant) });
  const events = new EventBus();
  const config = clusterConfigSchema.parse({ argocd: { url: fake.url, tokenEnv: 'BENCH_TOKEN', pollInterval: `${POLL_MS}ms`, timeout: '5s' } });
  const runtime = createCluster({ config, targets, events, clock: systemClock, revisions, requests: new InMemoryRequestStore(), log: () => {}, env: { BENCH_TOKEN: fake.token } });
  const { server, url } = await serveApi(runtime.cluster, revisions, targets, events);
  // Let the first round of polls fill the cache before the window starts.
  await fetch(`${url}/api/targets`).then((r) => r.json());

  const controller = new AbortController();
  let apiReads = 0;
  let eventsSeen = 0;
  const clients = Array.from({ length: CLIENTS }, async (_, i) => {
    const t = targets[i % targets.length];
    const response = await fetch(`${url}/api/events`, { signal: controller.signal });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        for (const line of decoder.decode(chunk).split('\n')) {
          if (!line.startsWith('data:')) continue;
          const event = JSON.parse(line.slice(5));
          if (event.type !== 'cluster.changed' || event.tenant !== t.tenant) continue;
          eventsSeen++;
          apiReads++;
          await fetch(`${url}/api/targets/${t.tenant}/production`).then((r) => r.json());
        }
      }
    } catch {
      // aborted at the end of the window
    }
  });

  const readsBefore = fake.reads();
  const started = Date.now();
  let flip = 0;
  const churn = setInterval(() => {
    flip++;
    for (let k = 0; k < 20; k++) {
      const t = targets[(flip * 20 + k) % TARGETS];
      fake.apps.set(`${t.tenant}-production`, { live: heads.get(t.tenant), health: flip % 2 ? 'Progressing' : 'Healthy' });
    }
  }, 1_000);
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  clearInterval(churn);
  const elapsedMin = (Date.now() - started) / 60_000;
  const agentCalls = fake.reads() - readsBefore;
  controller.abort();
  await Promise.allSettled(clients);

  const perMinute = Math.round(agentCalls / elapsedMin);
  const bound = Math.round(TARGETS * (60_000 / POLL_MS));
  if (perMinute > bound * 1.1) throw new Error(`cluster-poll: ${perMinute} agent calls/min exceed the bound of ${bound}`);
  report({ name: 'cluster-poll: applications', value: TARGETS, unit: 'count' });
  report({ name: 'cluster-poll: open SSE clients', value: CLIENTS, unit: 'count' });
  report({ name: 'cluster-poll: agent calls per minute', value: perMinute, unit: 'calls/min', baseline: bound, ratio: Math.round((perMinute / bound) * 100) / 100 });
  report({ name: 'cluster-poll: API target reads per minute (clients refetching on cluster.changed)', value: Math.round(apiReads / elapsedMin), unit: 'reads/min' });
  report({ name: 'cluster-poll: cluster.changed events received by clients watching that target', value: eventsSeen, unit: 'events' });

  fake.delayMs = 50;
  const argoMs = await timeToStatus(url, targets);
  await new Promise((resolve) => server.close(resolve));
  await runtime.close();
  await fake.stop();

  const simulated = await serveApi(new SimulatedClusterStatus(revisions, systemClock), revisions, targets, new EventBus());
  const simulatedMs = await timeToStatus(simulated.url, targets);
  await new Promise((resolve) => simulated.server.close(resolve));
  report({
    name: 'cluster-poll: target page time-to-status, Argo CD answering in 50 ms (median)',
    value: Math.round(argoMs * 10) / 10,
    unit: 'ms',
    baseline: Math.round(simulatedMs * 10) / 10,
    ratio: Math.round((argoMs / simulatedMs) * 100) / 100,
  });
}
