import { describe, expect, it } from 'vitest';
import { InProcessCommitLock } from '#core/in-process-commit-lock.ts';
import { FetchFirstCommitLock } from './fetch-first-commit-lock.ts';

describe('FetchFirstCommitLock', () => {
  it('fetches after the lock is held and before the work, one holder at a time', async () => {
    const steps: string[] = [];
    let fetches = 0;
    const lock = new FetchFirstCommitLock(new InProcessCommitLock(), async () => {
      const n = ++fetches;
      steps.push(`fetch ${n}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    const work = (name: string) => async () => {
      steps.push(`${name} starts`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      steps.push(`${name} ends`);
      return name;
    };
    expect(await Promise.all([lock.withCommitLock(work('a')), lock.withCommitLock(work('b'))])).toEqual(['a', 'b']);
    expect(steps).toEqual(['fetch 1', 'a starts', 'a ends', 'fetch 2', 'b starts', 'b ends']);
  });

  it('leaves execution leases alone', async () => {
    let fetches = 0;
    const lock = new FetchFirstCommitLock(new InProcessCommitLock(), async () => void fetches++);
    expect(await lock.withExecutionLease('r1', async () => 1)).toBe(1);
    expect(await lock.tryExecutionLease('r1', async () => 2)).toEqual({ acquired: true, value: 2 });
    expect(fetches).toBe(0);
  });
});
