import { describe, expect, it } from 'vitest';
import type { CommitRecord } from '#core/ports.ts';
import type { RawCommit } from './git-log-parse.ts';
import { NewestWalk, walkLimitFor, type NewestLookup } from './newest-walk.ts';
import { toGitPathspec } from './pathspec.ts';

/** A history, newest first, as git would list it: each commit's id and the paths it changed. */
type History = Record<string, { sha: string; names: string[] }[]>;

const touches = (names: readonly string[], prefixes: readonly string[]) => names.some((name) => prefixes.some((prefix) => name.startsWith(prefix)));

/** A fake git: `scan` lists the commits touching any spec (up to the limit); every call is recorded. */
function fakeGit(history: History, options: { hold?: boolean } = {}) {
  const calls: { kind: 'lookUp' | 'scan'; start: string; specs: readonly string[]; limit?: number }[] = [];
  const held: (() => void)[] = [];
  const wait = () => (options.hold ? new Promise<void>((resolve) => held.push(resolve)) : Promise.resolve());
  const record = (raw: { sha: string; names: string[] }, paths: readonly string[]): CommitRecord | null =>
    touches(raw.names, paths)
      ? { sha: raw.sha, timestamp: '2026-01-01T00:00:00.000Z', author: { name: 'A', email: 'a@example.com' }, message: raw.sha, paths: raw.names.filter((name) => touches([name], paths)) }
      : null;
  const walk = new NewestWalk(
    {
      lookUp: async (lookup: NewestLookup) => {
        calls.push({ kind: 'lookUp', start: lookup.start, specs: lookup.paths });
        await wait();
        const found = history[lookup.start]!.find((raw) => touches(raw.names, lookup.paths));
        return found ? [record(found, lookup.paths)!] : [];
      },
      scan: async (start, specs, limit) => {
        calls.push({ kind: 'scan', start, specs, limit });
        await wait();
        return history[start]!.filter((raw) => touches(raw.names, specs))
          .slice(0, limit)
          .map((raw): RawCommit => ({ fields: [raw.sha], names: raw.names }));
      },
      toRecord: (raw, paths) => record({ sha: raw.fields[0]!, names: raw.names }, paths),
    },
    { walksAtOnce: 1 },
  );
  const release = () => held.splice(0).forEach((resolve) => resolve());
  return { walk, calls, release };
}

const lookup = (start: string, ...paths: string[]): NewestLookup => ({ start, paths, pathspec: toGitPathspec(paths) });
const shaOf = async (found: Promise<CommitRecord[]>) => (await found).map((record) => record.sha);

const HISTORY: History = {
  head: [
    { sha: 'c4', names: ['b/values.yaml'] },
    { sha: 'c3', names: ['a/values.yaml', 'c/values.yaml'] },
    { sha: 'c2', names: ['b/values.yaml'] },
    { sha: 'c1', names: ['a/values.yaml', 'b/values.yaml', 'c/values.yaml', 'quiet/values.yaml'] },
  ],
  older: [{ sha: 'c1', names: ['a/values.yaml', 'b/values.yaml', 'c/values.yaml', 'quiet/values.yaml'] }],
};

describe('NewestWalk (decision 061)', () => {
  it('looks up a lookup alone with its own git log', async () => {
    const { walk, calls } = fakeGit(HISTORY);
    expect(await shaOf(walk.newest(lookup('head', 'a/')))).toEqual(['c3']);
    expect(calls).toEqual([{ kind: 'lookUp', start: 'head', specs: ['a/'] }]);
  });

  it('answers the lookups that queued from one start with one walk of their paths, each with the first commit touching its own', async () => {
    const { walk, calls, release } = fakeGit(HISTORY, { hold: true });
    const first = walk.newest(lookup('head', 'a/'));
    const queued = [walk.newest(lookup('head', 'b/')), walk.newest(lookup('head', 'c/')), walk.newest(lookup('head', 'quiet/')), walk.newest(lookup('head', 'gone/'))];
    // Only the first runs; the others wait for it.
    expect(calls).toHaveLength(1);
    release();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 0));
    release();
    expect(await Promise.all(queued.map(shaOf))).toEqual([['c4'], ['c3'], ['c1'], []]);
    expect(calls).toEqual([
      { kind: 'lookUp', start: 'head', specs: ['a/'] },
      { kind: 'scan', start: 'head', specs: ['b/', 'c/', 'quiet/', 'gone/'], limit: walkLimitFor(4) },
    ]);
  });

  it('walks once per start, and looks up alone what a full walk did not reach', async () => {
    // Twenty commits on busy/ above the only one touching quiet/: a walk of 16 does not reach it.
    const busy = Array.from({ length: 20 }, (_, i) => ({ sha: `b${20 - i}`, names: ['busy/values.yaml'] }));
    const history: History = { ...HISTORY, deep: [...busy, { sha: 'q1', names: ['quiet/values.yaml', 'busy/values.yaml'] }] };
    const { walk, calls, release } = fakeGit(history, { hold: true });
    const first = walk.newest(lookup('head', 'a/'));
    const queued = [walk.newest(lookup('deep', 'busy/')), walk.newest(lookup('deep', 'quiet/')), walk.newest(lookup('older', 'b/')), walk.newest(lookup('older', 'c/'))];
    release();
    await first;
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      release();
    }
    expect(await Promise.all(queued.map(shaOf))).toEqual([['b20'], ['q1'], ['c1'], ['c1']]);
    expect(walkLimitFor(2)).toBe(16);
    expect(calls.slice(1)).toEqual([
      { kind: 'scan', start: 'deep', specs: ['busy/', 'quiet/'], limit: 16 },
      { kind: 'scan', start: 'older', specs: ['b/', 'c/'], limit: 16 },
      { kind: 'lookUp', start: 'deep', specs: ['quiet/'] },
    ]);
  });

  it('never joins a lookup of every path, and a failed walk fails only its own lookups', async () => {
    const { walk, calls, release } = fakeGit(HISTORY, { hold: true });
    const first = walk.newest(lookup('head', 'a/'));
    // `**x` in the first segment narrows nothing in git ('all'): it is looked up alone.
    const everything = { start: 'head', paths: ['**values.yaml'], pathspec: toGitPathspec(['**values.yaml']) };
    expect(everything.pathspec.kind).toBe('all');
    const queued = [walk.newest(lookup('head', 'b/')), walk.newest(everything), walk.newest(lookup('head', 'c/'))];
    release();
    await first;
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      release();
    }
    await Promise.all(queued);
    expect(calls.slice(1).map(({ kind, specs }) => [kind, specs])).toEqual([
      ['scan', ['b/', 'c/']],
      ['lookUp', ['**values.yaml']],
    ]);

    const failing = new NewestWalk(
      {
        lookUp: async () => [],
        scan: async (_start, specs) => {
          if (specs.includes('broken/')) throw new Error('git log failed');
          return [];
        },
        toRecord: () => null,
      },
      { walksAtOnce: 1 },
    );
    const alone = failing.newest(lookup('head', 'a/'));
    const broken = [failing.newest(lookup('head', 'broken/')), failing.newest(lookup('head', 'b/'))];
    await alone;
    await expect(Promise.all(broken)).rejects.toThrow('git log failed');
    expect(await failing.newest(lookup('head', 'b/'))).toEqual([]);
  });
});
