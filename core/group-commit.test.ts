import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { GroupCommitQueue, type BatchOutcome } from './group-commit.ts';
import { InProcessCommitLock } from './in-process-commit-lock.ts';
import type { CommitLock } from './ports.ts';

const done = <R>(value: R): BatchOutcome<R> => ({ status: 'fulfilled', value });

/** A lock whose holder can be kept waiting, to let jobs queue up behind it. */
function gatedLock(): { lock: CommitLock; hold: () => () => void } {
  const inner = new InProcessCommitLock();
  let gate: Promise<void> | undefined;
  return {
    lock: {
      ...inner,
      withCommitLock: (work) => inner.withCommitLock(async () => {
        await gate;
        return work();
      }),
      withExecutionLease: (id, work) => inner.withExecutionLease(id, work),
      tryExecutionLease: (id, work) => inner.tryExecutionLease(id, work),
    },
    hold: () => {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

describe('GroupCommitQueue', () => {
  it('commits the jobs that queued while a batch ran as one batch, each with its own outcome', async () => {
    const batches: number[][] = [];
    let unblock!: () => void;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    const queue = new GroupCommitQueue<number, string>(new InProcessCommitLock(), async (jobs) => {
      batches.push([...jobs]);
      if (jobs[0] === 1) await blocked;
      return jobs.map((job) => (job === 3 ? { status: 'rejected', reason: new Error('three failed') } : done(`committed ${job}`)));
    });
    const first = queue.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const rest = [2, 3, 4].map((job) => queue.submit(job));
    unblock();
    await expect(first).resolves.toBe('committed 1');
    await expect(rest[0]).resolves.toBe('committed 2');
    await expect(rest[1]).rejects.toThrow('three failed');
    await expect(rest[2]).resolves.toBe('committed 4');
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('takes every job waiting when the lock is held', async () => {
    const batches: number[][] = [];
    const { lock, hold } = gatedLock();
    const queue = new GroupCommitQueue<number, number>(lock, async (jobs) => {
      batches.push([...jobs]);
      return jobs.map((job) => done(job));
    });
    const release = hold();
    const jobs = [1, 2, 3].map((job) => queue.submit(job));
    await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    expect(await Promise.all(jobs)).toEqual([1, 2, 3]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('a job the batch leaves (two rollbacks of one target) runs in the next batch, before later ones', async () => {
    const batches: string[][] = [];
    const { lock, hold } = gatedLock();
    const seen = new Set<string>();
    const queue = new GroupCommitQueue<string, string>(lock, async (jobs) => {
      batches.push([...jobs]);
      const inBatch = new Set<string>();
      return jobs.map((job) => {
        const target = job.split('#')[0]!;
        if (inBatch.has(target)) return undefined;
        inBatch.add(target);
        seen.add(job);
        return done(job);
      });
    });
    const release = hold();
    const jobs = ['a#1', 'b#1', 'a#2', 'c#1'].map((job) => queue.submit(job));
    await Promise.resolve();
    release();
    expect(await Promise.all(jobs)).toEqual(['a#1', 'b#1', 'a#2', 'c#1']);
    expect(batches).toEqual([['a#1', 'b#1', 'a#2', 'c#1'], ['a#2']]);
    const late = queue.submit('a#3');
    await expect(late).resolves.toBe('a#3');
  });

  it('takes the commit lock in the leader\'s own async context (a PostgreSQL lock runs on its lease connection)', async () => {
    const lease = new AsyncLocalStorage<string>();
    const holders: (string | undefined)[] = [];
    const inner = new InProcessCommitLock();
    const lock: CommitLock = {
      withCommitLock: (work) => {
        holders.push(lease.getStore());
        return inner.withCommitLock(work);
      },
      withExecutionLease: (id, work) => inner.withExecutionLease(id, work),
      tryExecutionLease: (id, work) => inner.tryExecutionLease(id, work),
    };
    let unblock!: () => void;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    const queue = new GroupCommitQueue<string, string>(lock, async (jobs) => {
      if (jobs[0] === 'first') await blocked;
      return jobs.map((job) => done(job));
    });
    const first = lease.run('lease of first', () => queue.submit('first'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = lease.run('lease of second', () => queue.submit('second'));
    const third = lease.run('lease of third', () => queue.submit('third'));
    unblock();
    expect(await Promise.all([first, second, third])).toEqual(['first', 'second', 'third']);
    // Two batches: the first alone, then second and third led by second, under its lease.
    expect(holders).toEqual(['lease of first', 'lease of second']);
  });

  it('a lock that cannot be taken fails its leader only; the next job leads', async () => {
    let failures = 1;
    const inner = new InProcessCommitLock();
    const lock: CommitLock = {
      withCommitLock: (work) => (failures-- > 0 ? Promise.reject(new Error('the database cannot be reached')) : inner.withCommitLock(work)),
      withExecutionLease: (id, work) => inner.withExecutionLease(id, work),
      tryExecutionLease: (id, work) => inner.tryExecutionLease(id, work),
    };
    const queue = new GroupCommitQueue<number, number>(lock, async (jobs) => jobs.map((job) => done(job * 10)));
    const [one, two] = [queue.submit(1), queue.submit(2)];
    await expect(one).rejects.toThrow('the database cannot be reached');
    await expect(two).resolves.toBe(20);
  });

  it('a batch that throws fails each of its jobs with that error and the queue goes on', async () => {
    let calls = 0;
    const queue = new GroupCommitQueue<number, number>(new InProcessCommitLock(), async (jobs) => {
      if (calls++ === 0) throw new Error('fast-import died');
      return jobs.map((job) => done(job));
    });
    await expect(queue.submit(1)).rejects.toThrow('fast-import died');
    await expect(queue.submit(2)).resolves.toBe(2);
  });
});
