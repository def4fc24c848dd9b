import { describe, expect, it } from 'vitest';
import { CoalescedReads } from './coalesced-reads.ts';

/** A readMany whose statements stay open until the test ends them, recording the keys of each. */
function controlledReads(values: Record<string, string>) {
  const statements: { keys: string[]; end: (error?: Error) => void }[] = [];
  const readMany = (keys: string[]) =>
    new Promise<ReadonlyMap<string, string>>((resolve, reject) => {
      statements.push({
        keys,
        end: (error) => (error ? reject(error) : resolve(new Map(keys.filter((key) => key in values).map((key) => [key, values[key]!])))),
      });
    });
  return { statements, readMany };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescedReads', () => {
  it('sends a read at once, alone, while fewer than maxInFlight are running', async () => {
    const { statements, readMany } = controlledReads({ a: 'A', b: 'B' });
    const reads = new CoalescedReads(readMany, { maxInFlight: 2, maxBatch: 10 });
    const a = reads.get('a');
    const b = reads.get('b');
    expect(statements.map((s) => s.keys)).toEqual([['a'], ['b']]);
    statements.forEach((s) => s.end());
    expect(await a).toBe('A');
    expect(await b).toBe('B');
  });

  it('reads the keys asked while maxInFlight statements run in one statement, each key once', async () => {
    const { statements, readMany } = controlledReads({ a: 'A', b: 'B', c: 'C' });
    const reads = new CoalescedReads(readMany, { maxInFlight: 1, maxBatch: 10 });
    const first = reads.get('a');
    const queued = [reads.get('b'), reads.get('c'), reads.get('b'), reads.get('missing')];
    expect(statements).toHaveLength(1);
    statements[0]!.end();
    expect(await first).toBe('A');
    await settle();
    expect(statements.map((s) => s.keys)).toEqual([['a'], ['b', 'c', 'missing']]);
    statements[1]!.end();
    expect(await Promise.all(queued)).toEqual(['B', 'C', 'B', undefined]);
  });

  it('sends at most maxBatch keys a statement; the rest go with the next', async () => {
    const { statements, readMany } = controlledReads({});
    const reads = new CoalescedReads(readMany, { maxInFlight: 1, maxBatch: 2 });
    const all = ['a', 'b', 'c', 'd'].map((key) => reads.get(key));
    statements[0]!.end();
    await settle();
    statements[1]!.end();
    await settle();
    statements[2]!.end();
    await Promise.all(all);
    expect(statements.map((s) => s.keys)).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it('fails everyone waiting in a failed statement, and reads on afterwards', async () => {
    const { statements, readMany } = controlledReads({ a: 'A' });
    const reads = new CoalescedReads(readMany, { maxInFlight: 1, maxBatch: 10 });
    const first = reads.get('x');
    const sharing = [reads.get('y'), reads.get('y')];
    statements[0]!.end();
    await first;
    await settle();
    statements[1]!.end(new Error('connection lost'));
    for (const read of sharing) await expect(read).rejects.toThrow('connection lost');
    const after = reads.get('a');
    statements[2]!.end();
    expect(await after).toBe('A');
  });

  it('a readMany that throws at once fails its readers instead of the caller', async () => {
    const reads = new CoalescedReads<string>(
      () => {
        throw new Error('cannot compile');
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    await expect(reads.get('a')).rejects.toThrow('cannot compile');
    await expect(reads.get('b')).rejects.toThrow('cannot compile');
  });

  it('refuses limits below one', () => {
    expect(() => new CoalescedReads(async () => new Map(), { maxInFlight: 0, maxBatch: 1 })).toThrow(/at least 1/);
  });
});
