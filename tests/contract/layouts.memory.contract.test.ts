import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { StaticTargetCatalog, StaticUserDirectory, SequentialIds } from '#core/basic-adapters.ts';
import { EventBus } from '#core/events.ts';
import { NoClusterStatus } from '#core/no-cluster-status.ts';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';
import { createApiApp } from '#server/api/app.ts';
import { configSchema } from '#server/config/config-schema.ts';
import { resolveTargets } from '#server/config/resolve-targets.ts';
import { describeGeneratorsContract, GENERATOR_COMMITS } from './generators-contract.ts';
import { describeLayoutsContract, FLUX, FLUX_COMMITS, type LayoutHarness } from './layouts-contract.ts';
import type { FixtureCommit } from '#tests/support/layout-repo.ts';

describeLayoutsContract('in-memory backend', () => memoryHarness(FLUX_COMMITS));
describeGeneratorsContract('in-memory backend', () => memoryHarness(GENERATOR_COMMITS));

async function memoryHarness(commits: FixtureCommit[]): Promise<LayoutHarness> {
  const revisions = new InMemoryRevisionStore();
  const author = { name: 'CI', email: 'ci@example.com' };
  const shas = [{ message: 'bootstrap\n', changes: FLUX.files }, ...commits].map((commit, i) =>
    revisions.append({ timestamp: `2026-03-0${i + 1}T10:00:00.000Z`, author, message: commit.message, changes: commit.changes }),
  );
  const config = configSchema.parse(parse(readFileSync(`docs/examples/${FLUX.example}.rewind.config.yaml`, 'utf8')));
  const { targets } = resolveTargets(config, Object.keys(FLUX.files));
  const users = [{ email: 'sam@example.com', name: 'Sam', roles: ['requester' as const] }];
  const app = createApiApp({
    revisions,
    requests: new InMemoryRequestStore(),
    catalog: new StaticTargetCatalog(targets),
    cluster: new NoClusterStatus(),
    users: new StaticUserDirectory(users),
    clock: { now: () => new Date('2026-03-10T10:00:00.000Z') },
    ids: new SequentialIds(),
    events: new EventBus(),
    identity: { mode: 'demo', defaultUser: users[0]!.email },
  });
  return { request: async (path, init) => app.fetch(new Request(new URL(path, 'http://rewind.test'), init)), shas, close: async () => {} };
}
