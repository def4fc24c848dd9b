/**
 * The mock backend: the real API app over in-memory adapters and the demo data. MSW serves it in the
 * browser (dev, demo, e2e) and in Node (component tests); contract tests call it directly.
 */
import {
  SequentialIds,
  StaticTargetCatalog,
  StaticUserDirectory,
  systemClock,
} from '#core/basic-adapters.ts';
import { SimulatedClusterStatus } from '#demo/simulated-cluster.ts';
import { EventBus } from '#core/events.ts';
import type { Clock, IdGenerator } from '#core/ports.ts';
import { reconcileInterruptedRequests } from '#core/reconcile-requests.ts';
import { createApiApp } from '#server/api/app.ts';
import { generateDemoRepo, type DemoAnchor, type DemoRepo, type DemoSize } from '#demo/demo-data.ts';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';
import { loadDemoInto } from '#demo/load-demo.ts';

export interface MockBackendOptions {
  size?: DemoSize;
  /** The demo's "now" (decision 044); default the fixed DEMO_END, so tests are deterministic. */
  anchor?: DemoAnchor;
  clock?: Clock;
  ids?: IdGenerator;
}

export interface MockBackend {
  app: ReturnType<typeof createApiApp>;
  revisions: InMemoryRevisionStore;
  /** Rollback requests, reviews and the audit trail of this backend (empty at start). */
  requests: InMemoryRequestStore;
  repo: DemoRepo;
  /** Demo commit id → in-memory sha, so tests can name the incident commits. */
  shaById: Map<string, string>;
  /** The live updates `/api/events` relays. */
  events: EventBus;
}

export function createMockBackend(options: MockBackendOptions = {}): MockBackend {
  const repo = generateDemoRepo({ size: options.size ?? 'default', ...(options.anchor !== undefined ? { anchor: options.anchor } : {}) });
  const revisions = new InMemoryRevisionStore();
  const shaById = loadDemoInto(revisions, repo);
  const users = new StaticUserDirectory(repo.users);
  const requests = new InMemoryRequestStore();
  const catalog = new StaticTargetCatalog(repo.targets);
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? new SequentialIds();
  const events = new EventBus();
  // As the real server does at start; a fresh in-memory store has nothing to settle.
  void reconcileInterruptedRequests({ revisions, requests, catalog, clock, ids, events }).catch(() => {});
  const app = createApiApp({
    revisions,
    requests,
    catalog,
    cluster: new SimulatedClusterStatus(revisions, clock),
    users,
    clock,
    ids,
    events,
    identity: { mode: 'demo', defaultUser: repo.users[0]!.email },
  });
  return { app, revisions, requests, repo, shaById, events };
}
