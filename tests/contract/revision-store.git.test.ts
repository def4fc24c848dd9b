import { vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRepo } from '#server/git/demo-repo.ts';
import { importCommits, setDeployStatus } from '#server/git/fast-import.ts';
import { GitRevisionStore } from '#server/git/git-revision-store.ts';
import { describeRevisionStoreContract } from './revision-store.contract.ts';

// Real work (git repos) on a busy machine: generous limits, never vitest's 5 s (decision 024).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

describeRevisionStoreContract('git CLI', async (initial) => {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-store-contract-'));
  const { gitDir } = await createRepo(dir, initial);
  const store = await GitRevisionStore.open({ repoPath: dir, branch: 'main' });
  return {
    store,
    // Behind the store's back, as CI pushing to the repo would.
    append: async (commit) => (await importCommits(gitDir, [commit])).shas[0]!,
    setDeployStatus: (sha, status) => setDeployStatus(gitDir, sha, status),
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
