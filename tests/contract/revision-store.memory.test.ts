import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';
import { describeRevisionStoreContract } from './revision-store.contract.ts';

describeRevisionStoreContract('in-memory', async (initial) => {
  const store = new InMemoryRevisionStore();
  for (const commit of initial) store.append(commit);
  return {
    store,
    append: async (commit) => store.append(commit),
    setDeployStatus: async (sha, status) => store.setDeployStatus(sha, status),
    close: async () => {},
  };
});
