import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SequentialIds,
  SimulatedClusterStatus,
  StaticTargetCatalog,
  StaticUserDirectory,
  systemClock,
} from '../../core/basic-adapters.ts';
import { generateDemoRepo } from '../../mocks/demo-data.ts';
import { createApiApp } from '../../server/api/app.ts';
import { writeDemoRepo } from '../../server/git/demo-repo.ts';
import { setDeployStatus } from '../../server/git/fast-import.ts';
import { GitRevisionStore } from '../../server/git/git-revision-store.ts';
import { describeApiContract } from './api-contract.ts';

describeApiContract('git CLI backend', async () => {
  const repo = generateDemoRepo();
  const dir = mkdtempSync(join(tmpdir(), 'rewind-api-contract-'));
  const shaById = await writeDemoRepo(dir, { repo, bare: true });
  const revisions = await GitRevisionStore.open({ repoPath: dir, branch: 'main' });
  const app = createApiApp({
    revisions,
    catalog: new StaticTargetCatalog(repo.targets),
    cluster: new SimulatedClusterStatus(revisions),
    users: new StaticUserDirectory(repo.users),
    clock: systemClock,
    ids: new SequentialIds(),
    identity: { mode: 'demo', defaultUser: repo.users[0]!.email },
  });
  return {
    repo,
    request: async (path, init) => app.fetch(new Request(new URL(path, 'http://rewind.test'), init)),
    // As a pipeline pushing to the infra repo would: a commit on the branch head.
    appendCommit: async (commit) => {
      const head = await revisions.branchHead();
      if (!head) throw new Error('the demo repo has no head');
      const sha = await revisions.commit({
        expectedHead: head,
        changes: commit.changes,
        message: commit.message,
        author: commit.author,
        timestamp: commit.timestamp,
      });
      if (commit.deployStatus) await setDeployStatus(revisions.gitDir, sha, commit.deployStatus);
      return sha;
    },
    shaOf: (id) => {
      const sha = shaById.get(id);
      if (!sha) throw new Error(`no demo commit ${id}`);
      return sha;
    },
    close: async () => {
      await revisions.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
