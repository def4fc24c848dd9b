/**
 * A CommitLock that fetches the remote once the commit lock is held, before the work (the plan check,
 * the commit and its push) runs: what another replica pushed while this one waited is then part of
 * the plan, instead of a push rejected after the fact (docs/decisions/035). A fetch that fails is
 * reported by the store; the push that never forces stays the line of defence.
 */
import type { CommitLock } from '#core/ports.ts';

export class FetchFirstCommitLock implements CommitLock {
  constructor(
    private readonly inner: CommitLock,
    private readonly fetch: () => Promise<void>,
  ) {}

  withCommitLock<T>(work: () => Promise<T>): Promise<T> {
    return this.inner.withCommitLock(async () => {
      await this.fetch();
      return work();
    });
  }

  withExecutionLease<T>(requestId: string, work: () => Promise<T>): Promise<T> {
    return this.inner.withExecutionLease(requestId, work);
  }

  tryExecutionLease<T>(requestId: string, work: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }> {
    return this.inner.tryExecutionLease(requestId, work);
  }
}
