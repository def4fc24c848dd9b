/**
 * The two backends every contract suite runs against, built once here: the API app over in-memory
 * storage (what MSW serves), and `rewind serve` over HTTP with its demo git repo and SQLite database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { createMockBackend, type MockBackendOptions } from '#mocks/backend.ts';
import { generateDemoRepo } from '#demo/demo-data.ts';
import { readDemoIds } from '#server/git/demo-repo.ts';
import { setDeployStatus } from '#server/git/fast-import.ts';
import { GitRevisionStore } from '#server/git/git-revision-store.ts';
import { createRewindServer } from '#server/node/rewind-server.ts';
import { checkedAgainstOpenApi, type ApiHarness } from './harness.ts';

function shaLookup(map: Map<string, string>) {
  return (id: string) => {
    const sha = map.get(id);
    if (!sha) throw new Error(`no demo commit ${id}`);
    return sha;
  };
}

export async function memoryHarness(options: MockBackendOptions = {}): Promise<ApiHarness> {
  const backend = createMockBackend(options);
  return {
    repo: backend.repo,
    request: checkedAgainstOpenApi(async (path, init) => backend.app.fetch(new Request(new URL(path, 'http://rewind.test'), init))),
    appendCommit: async (commit) => backend.revisions.append(commit),
    shaOf: shaLookup(backend.shaById),
    close: async () => {},
  };
}

export async function realServerHarness(): Promise<ApiHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rewind-contract-'));
  vi.spyOn(console, 'log').mockImplementation(() => {});
  const server = await createRewindServer({ dataDir, host: '127.0.0.1', port: 0, log: () => {} });
  const shaById = await readDemoIds(server.repoPath);
  // A second writer on the same repo, as a CI pipeline pushing to the infra repo would be.
  const pipeline = await GitRevisionStore.open({ repoPath: server.repoPath, branch: 'main', writeCommitGraph: false });
  return {
    repo: generateDemoRepo(),
    request: checkedAgainstOpenApi((path, init) => fetch(new URL(path.replace(/^\//, ''), server.url), init)),
    appendCommit: async (commit) => {
      const head = await pipeline.branchHead();
      if (!head) throw new Error('the demo repo has no head');
      const sha = await pipeline.commit({ expectedHead: head, changes: commit.changes, message: commit.message, author: commit.author, timestamp: commit.timestamp });
      if (commit.deployStatus) await setDeployStatus(pipeline.gitDir, sha, commit.deployStatus);
      return sha;
    },
    shaOf: shaLookup(shaById),
    close: async () => {
      await pipeline.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
