import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseRollbackMessage } from '#core/commit-message.ts';
import type { CommitRecord, RevisionStore } from '#core/ports.ts';
import { generateDemoRepo, touchesTarget, type DemoRepo } from '#demo/demo-data.ts';
import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';
import { loadDemoInto } from '#demo/load-demo.ts';
import { gitText } from './git-cli.ts';
import { readDemoAnchor, readDemoIds, writeDemoRepo } from './demo-repo.ts';
import { GitRevisionStore } from './git-revision-store.ts';
import { tempDirs } from './test-repos.ts';

// Real work (git repos (the large demo repo has 50,000 commits)) on a busy machine: generous limits, never vitest's 5 s (decision 024).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const dirs = tempDirs('rewind-demo-test-');

async function walk(store: Pick<RevisionStore, 'log'>, paths: readonly string[]): Promise<CommitRecord[]> {
  const all: CommitRecord[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.log({ paths, limit: 100, ...(after ? { after } : {}) });
    all.push(...page);
    if (page.length < 100) return all;
    after = page.at(-1)!.sha;
  }
}

describe('the demo repo', () => {
  let repo: DemoRepo;
  let dir: string;
  let ids: Map<string, string>;
  let store: GitRevisionStore;
  let memory: InMemoryRevisionStore;
  let memoryIds: Map<string, string>;

  beforeAll(async () => {
    repo = generateDemoRepo();
    dir = dirs.make();
    ids = await writeDemoRepo(dir, { repo });
    store = await GitRevisionStore.open({ repoPath: dir, branch: 'main' });
    memory = new InMemoryRevisionStore();
    memoryIds = loadDemoInto(memory, repo);
  });
  afterAll(async () => {
    await store?.close();
    dirs.cleanup();
  });

  it('holds every demo commit on main, with the ids written beside it', async () => {
    expect(ids.size).toBe(repo.commits.length);
    expect(await readDemoIds(dir)).toEqual(ids);
    expect(await store.branchHead()).toBe(ids.get(repo.commits.at(-1)!.id));
    const count = await gitText(['-C', dir, 'rev-list', '--count', 'main']);
    expect(Number(count)).toBe(repo.commits.length);
    // Bare: no work tree whose index a rollback commit could leave behind (decision 035).
    expect((await gitText(['-C', dir, 'rev-parse', '--is-bare-repository'])).trim()).toBe('true');
  });

  it('refuses to write into a directory that is not empty', async () => {
    await expect(writeDemoRepo(dir, { repo })).rejects.toThrow(/already exists and is not empty/);
  });

  it('logs each target exactly as the in-memory demo does', async () => {
    const gitIdOf = new Map([...ids].map(([id, sha]) => [sha, id]));
    const memoryIdOf = new Map([...memoryIds].map(([id, sha]) => [sha, id]));
    for (const target of repo.targets) {
      const expected = repo.commits.filter((c) => touchesTarget(c, target));
      const fromGit = await walk(store, target.layout.paths);
      const fromMemory = await walk(memory, target.layout.paths);
      const key = `${target.tenant}/${target.environment}`;
      expect(fromGit.length, key).toBe(expected.length);
      const shape = (records: CommitRecord[], idOf: Map<string, string>, shaOf: Map<string, string>) =>
        records.map((r) => {
          const meta = parseRollbackMessage(r.message);
          return {
            id: idOf.get(r.sha),
            timestamp: r.timestamp,
            author: r.author,
            paths: r.paths,
            deployStatus: r.deployStatus ?? null,
            // Rollback messages name their target by sha, which differs per backend.
            message: meta ? { ...meta, targetSha: [...shaOf].find(([, sha]) => sha === meta.targetSha)?.[0] } : r.message,
          };
        });
      expect(shape(fromGit, gitIdOf, ids), key).toEqual(shape(fromMemory, memoryIdOf, memoryIds));
      for (const service of target.layout.services) {
        const gitService = (await walk(store, service.paths)).map((r) => gitIdOf.get(r.sha));
        const memoryService = (await walk(memory, service.paths)).map((r) => memoryIdOf.get(r.sha));
        expect(gitService, `${key} ${service.name}`).toEqual(memoryService);
      }
    }
  });

  it('writes rollback messages that parse back with the real sha of their target', async () => {
    const rollbacks = repo.commits.filter((c) => c.rollback);
    expect(rollbacks.length).toBeGreaterThan(0);
    for (const demo of rollbacks) {
      const message = await gitText(['-C', dir, 'log', '-1', '--format=%B', ids.get(demo.id)!]);
      const meta = parseRollbackMessage(message.replace(/\n$/, ''));
      expect(meta).not.toBeNull();
      expect(meta!.targetSha).toBe(ids.get(demo.rollback!.targetId));
      expect(meta!.requestId).toBe(demo.rollback!.requestId);
      expect(meta!.mode).toBe(demo.rollback!.mode);
    }
    const target = repo.targets.find((t) => t.tenant === 'acme' && t.environment === 'production')!;
    const fromStore = await store.logRollbacks(target.layout.paths);
    expect(fromStore.map((r) => r.sha)).toEqual(
      rollbacks.filter((c) => touchesTarget(c, target)).map((c) => ids.get(c.id)).reverse(),
    );
  });

  it('marks failed deployments with notes', async () => {
    const failed = repo.commits.filter((c) => c.deployStatus === 'failed').map((c) => ids.get(c.id));
    expect(failed.length).toBeGreaterThan(0);
    const all = await walk(store, ['tenants/']);
    expect(all.filter((r) => r.deployStatus === 'failed').map((r) => r.sha).sort()).toEqual([...failed].sort());
    const notes = await gitText(['-C', dir, 'notes', '--ref=rewind-deployments', 'list']);
    expect(notes.trim().split('\n')).toHaveLength(failed.length);
  });
});

describe('a demo repo dated from its anchor (decision 044)', () => {
  afterAll(() => dirs.cleanup());
  it('is byte-identical for the same anchor, different for another, and remembers its anchor', async () => {
    const anchor = '2026-12-02T23:00:00.000Z';
    const [a, b, c] = [dirs.make(), dirs.make(), dirs.make()];
    const first = await writeDemoRepo(a, { anchor, commitGraph: false });
    const again = await writeDemoRepo(b, { anchor: Date.parse(anchor) + 30_000, commitGraph: false });
    const other = await writeDemoRepo(c, { anchor: '2026-12-02T23:01:00.000Z', commitGraph: false });
    expect(again).toEqual(first);
    expect(other.size).toBe(first.size);
    expect([...other.values()].filter((sha) => [...first.values()].includes(sha))).toEqual([]);
    expect(await readDemoAnchor(a)).toBe(anchor);
    // The head commit's dates: the failed payments release, 24 minutes before the anchor.
    const dates = await gitText(['-C', a, 'log', '-1', '--format=%aI %cI', 'main']);
    expect(dates.trim()).toBe('2026-12-02T22:36:00Z 2026-12-02T22:36:00Z'.replace(/Z/g, '+00:00'));
  });
});

// The large variant (about 50,000 commits, a few seconds): the one the performance journeys use.
describe('the large demo repo', () => {
  afterAll(() => dirs.cleanup());
  it('holds every commit and pages the perf target', async () => {
    const repo = generateDemoRepo({ size: 'large' });
    const dir = dirs.make('large-');
    const ids = await writeDemoRepo(dir, { repo });
    expect(ids.size).toBe(repo.commits.length);
    const store = await GitRevisionStore.open({ repoPath: dir, branch: 'main' });
    try {
      const perf = repo.targets.find((t) => t.environment === 'perf')!;
      const page = await store.log({ paths: perf.layout.paths, limit: 50 });
      expect(page).toHaveLength(50);
    } finally {
      await store.close();
    }
  }, 300_000);
});
