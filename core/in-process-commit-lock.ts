/**
 * The CommitLock of one process (the default, SQLite and the in-browser mock): promise queues. With
 * several replicas use the PostgreSQL one (server/sql/postgres-commit-lock.ts).
 */
import type { CommitLock } from './ports.ts';

export class InProcessCommitLock implements CommitLock {
  private commitTail: Promise<unknown> = Promise.resolve();
  private readonly leases = new Map<string, Promise<unknown>>();

  withCommitLock<T>(work: () => Promise<T>): Promise<T> {
    const run = this.commitTail.then(work);
    this.commitTail = run.catch(() => undefined);
    return run;
  }

  async withExecutionLease<T>(requestId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.leases.get(requestId) ?? Promise.resolve();
    const run = previous.then(work);
    const tail = run.catch(() => undefined);
    this.leases.set(requestId, tail);
    try {
      return await run;
    } finally {
      if (this.leases.get(requestId) === tail) this.leases.delete(requestId);
    }
  }

  async tryExecutionLease<T>(requestId: string, work: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }> {
    if (this.leases.has(requestId)) return { acquired: false };
    return { acquired: true, value: await this.withExecutionLease(requestId, work) };
  }
}
