import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { generateDemoRepo } from '../../mocks/demo-data.ts';
import { readDemoIds } from '../../server/git/demo-repo.ts';
import { setDeployStatus } from '../../server/git/fast-import.ts';
import { GitRevisionStore } from '../../server/git/git-revision-store.ts';
import { createRewindServer } from '../../server/node/rewind-server.ts';
import { describeRollbackContract } from './rollback-contract.ts';

/** The rollback contract against `rewind serve` over HTTP: the demo git repo and its SQLite database. */
describeRollbackContract('real server (git + SQLite over HTTP)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rewind-rollback-contract-'));
  vi.spyOn(console, 'log').mockImplementation(() => {});
  const server = await createRewindServer({ dataDir, host: '127.0.0.1', port: 0, log: () => {} });
  const shaById = await readDemoIds(server.repoPath);
  // A second writer on the same repo, as a CI pipeline pushing to the infra repo would be.
  const pipeline = await GitRevisionStore.open({ repoPath: server.repoPath, branch: 'main', writeCommitGraph: false });
  return {
    repo: generateDemoRepo(),
    request: (path, init) => fetch(new URL(path.replace(/^\//, ''), server.url), init),
    appendCommit: async (commit) => {
      const head = await pipeline.branchHead();
      if (!head) throw new Error('the demo repo has no head');
      const sha = await pipeline.commit({ expectedHead: head, changes: commit.changes, message: commit.message, author: commit.author, timestamp: commit.timestamp });
      if (commit.deployStatus) await setDeployStatus(pipeline.gitDir, sha, commit.deployStatus);
      return sha;
    },
    shaOf: (id) => {
      const sha = shaById.get(id);
      if (!sha) throw new Error(`no demo commit ${id}`);
      return sha;
    },
    close: async () => {
      await pipeline.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
