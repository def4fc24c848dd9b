import { createMockBackend } from '../../mocks/backend.ts';
import { describeApiContract } from './api-contract.ts';

describeApiContract('in-memory backend', async () => {
  const backend = createMockBackend();
  return {
    repo: backend.repo,
    request: async (path, init) => backend.app.fetch(new Request(new URL(path, 'http://rewind.test'), init)),
    appendCommit: async (commit) => backend.revisions.append(commit),
    shaOf: (id) => {
      const sha = backend.shaById.get(id);
      if (!sha) throw new Error(`no demo commit ${id}`);
      return sha;
    },
    close: async () => {},
  };
});
