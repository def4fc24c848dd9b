import { describe, expect, it } from 'vitest';
import { InMemoryRevisionStore, type NewCommit } from './in-memory-revision-store.ts';

const commit = (minute: number, changes: NewCommit['changes']): NewCommit => ({
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
  author: { name: 'A', email: 'a@example.com' },
  message: `m${minute}\n`,
  changes,
});

describe('InMemoryRevisionStore.diff', () => {
  it('lists changed files under the paths, sorted, with git-format patches and counts', async () => {
    const store = new InMemoryRevisionStore();
    const a = store.append(commit(0, { 't/b.yaml': 'x: 1\n', 't/a.yaml': 'keep\n', 't/gone.yaml': 'bye\n', 'other/z.yaml': 'z: 1\n' }));
    store.append(commit(1, { 'other/z.yaml': 'z: 2\n' }));
    const c = store.append(commit(2, { 't/b.yaml': 'x: 2\ny: 3\n', 't/gone.yaml': null, 't/new.yaml': 'n: 1\n' }));
    const diffs = await store.diff({ paths: ['t/'], from: a, to: c });
    expect(diffs.map((d) => [d.path, d.status, d.additions, d.deletions])).toEqual([
      ['t/b.yaml', 'modified', 2, 1],
      ['t/gone.yaml', 'deleted', 0, 1],
      ['t/new.yaml', 'added', 1, 0],
    ]);
    expect(diffs[0]!.patch).toBe('diff --git a/t/b.yaml b/t/b.yaml\n--- a/t/b.yaml\n+++ b/t/b.yaml\n@@ -1 +1,2 @@\n-x: 1\n+x: 2\n+y: 3\n');
    expect(diffs[1]!.patch).toBe('diff --git a/t/gone.yaml b/t/gone.yaml\ndeleted file mode 100644\n--- a/t/gone.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n');
    expect(diffs[2]!.patch).toBe('diff --git a/t/new.yaml b/t/new.yaml\nnew file mode 100644\n--- /dev/null\n+++ b/t/new.yaml\n@@ -0,0 +1 @@\n+n: 1\n');
    // Reversed, and restricted to a file; nothing between a revision and itself.
    expect((await store.diff({ paths: ['t/gone.yaml'], from: c, to: a })).map((d) => [d.path, d.status])).toEqual([['t/gone.yaml', 'added']]);
    expect(await store.diff({ paths: ['t/'], from: c, to: c })).toEqual([]);
    // A file changed and changed back is no change.
    const d = store.append(commit(3, { 't/a.yaml': 'changed\n' }));
    const e = store.append(commit(4, { 't/a.yaml': 'keep\n' }));
    expect(await store.diff({ paths: ['t/a.yaml'], from: c, to: e })).toEqual([]);
    expect(await store.diff({ paths: ['t/a.yaml'], from: c, to: d })).toHaveLength(1);
  });

  it('is always bounded: past the edit length or time bound it replaces the whole file', async () => {
    const store = new InMemoryRevisionStore({ timeoutMs: 50, maxEditLength: 10 });
    const before = Array.from({ length: 40_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    const after = Array.from({ length: 40_000 }, (_, i) => `k${i}: ${i % 3 === 0 ? i + 1 : i}`).join('\n');
    const a = store.append(commit(0, { 'big.yaml': before, 'small.yaml': 'a: 1\n' }));
    const b = store.append(commit(1, { 'big.yaml': after, 'small.yaml': 'a: 2\n' }));
    const [big, small] = await store.diff({ paths: ['big.yaml', 'small.yaml'], from: a, to: b });
    expect(big).toMatchObject({ wholeFile: true, additions: 40_000, deletions: 40_000 });
    expect(small).toMatchObject({ additions: 1, deletions: 1 });
    expect(small!.wholeFile).toBeUndefined();
  });
});
