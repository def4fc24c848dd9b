import { vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRepo } from '#server/git/demo-repo.ts';
import { importCommits, setDeployStatus } from '#server/git/fast-import.ts';
import { ensureMirror } from '#server/git/git-mirror.ts';
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

// `repo.url` (decision 035): the store reads its own bare mirror and the commits land on the remote.
// A fetch before every read (interval 0), so what CI pushes to the remote is seen as in the local case.
describeRevisionStoreContract('git CLI over a mirror of a remote', async (initial) => {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-store-contract-mirror-'));
  const { gitDir: remote } = await createRepo(join(dir, 'remote.git'), initial);
  const mirror = await ensureMirror(join(dir, 'data'), `file://${remote}`);
  const store = await GitRevisionStore.open({ repoPath: mirror, branch: 'main', remote: `file://${remote}`, fetchIntervalMs: 0 });
  return {
    store,
    append: async (commit) => (await importCommits(remote, [commit])).shas[0]!,
    setDeployStatus: (sha, status) => setDeployStatus(remote, sha, status),
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
