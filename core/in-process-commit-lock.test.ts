import { describe, expect, it } from 'vitest';
import { InProcessCommitLock } from './in-process-commit-lock.ts';

const later = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe('InProcessCommitLock', () => {
  it('runs commit-lock work one at a time, in arrival order, and goes on after a failure', async () => {
    const lock = new InProcessCommitLock();
    const log: string[] = [];
    const job = (name: string, fail = false) =>
      lock.withCommitLock(async () => {
        log.push(`${name} in`);
        await later();
        log.push(`${name} out`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([job('a'), job('b', true), job('c')]);
    expect(log).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('a held lease makes tryExecutionLease give up; a free one (or another request) is taken', async () => {
    const lock = new InProcessCommitLock();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = lock.withExecutionLease('rbk-1', () => gate);
    expect(await lock.tryExecutionLease('rbk-1', async () => 'settled')).toEqual({ acquired: false });
    expect(await lock.tryExecutionLease('rbk-2', async () => 'other')).toEqual({ acquired: true, value: 'other' });
    release();
    await held;
    expect(await lock.tryExecutionLease('rbk-1', async () => 'settled')).toEqual({ acquired: true, value: 'settled' });
  });

  it('leases of one request queue; the commit lock can be taken inside a lease', async () => {
    const lock = new InProcessCommitLock();
    const log: string[] = [];
    await Promise.all(
      ['x', 'y'].map((name) =>
        lock.withExecutionLease('rbk-1', async () => {
          log.push(`${name} in`);
          await lock.withCommitLock(async () => {
            await later();
            log.push(`${name} commit`);
          });
          log.push(`${name} out`);
        }),
      ),
    );
    expect(log).toEqual(['x in', 'x commit', 'x out', 'y in', 'y commit', 'y out']);
  });
});
