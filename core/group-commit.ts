/**
 * Group commit (decision 049): executions of one branch that queue for the commit lock are committed
 * together. The first waiting job leads: it takes the commit lock in its own async context (so a
 * PostgreSQL lock runs on its own execution lease's connection, decision 027), takes every job waiting
 * at that moment as one batch, and settles each of them. Jobs that arrive meanwhile wait for the next
 * leader. A batch may leave jobs for the next one (e.g. two rollbacks of one target); never its first.
 * Reviews of one request queue the same way for their transaction, with no lock of their own
 * (decision 055).
 */
import type { CommitLock } from './ports.ts';

export type BatchOutcome<R> = { status: 'fulfilled'; value: R } | { status: 'rejected'; reason: unknown };

/**
 * Runs a batch under the commit lock: one outcome per job, in order; `undefined` puts a job back at
 * the head of the queue for the next batch (never the first job's).
 */
export type BatchRunner<J, R> = (jobs: readonly J[]) => Promise<readonly (BatchOutcome<R> | undefined)[]>;

class Waiting<J, R> {
  outcome: BatchOutcome<R> | undefined;
  private wake!: (turn: 'lead' | 'settled') => void;
  readonly turn = new Promise<'lead' | 'settled'>((resolve) => (this.wake = resolve));

  constructor(readonly job: J) {}

  lead(): void {
    this.wake('lead');
  }

  settle(outcome: BatchOutcome<R>): void {
    this.outcome = outcome;
    this.wake('settled');
  }
}

export class GroupCommitQueue<J, R> {
  private readonly waiting: Waiting<J, R>[] = [];
  private leading = false;

  constructor(
    /** What a batch runs under: the commit lock, or nothing more than the queue itself. */
    private readonly lock: Pick<CommitLock, 'withCommitLock'>,
    private readonly runBatch: BatchRunner<J, R>,
    /** At most this many jobs per batch (one fast-import, one push). */
    private readonly maxBatch = 64,
  ) {}

  /** Nobody waiting and nobody leading: the queue may be dropped. */
  get idle(): boolean {
    return !this.leading && this.waiting.length === 0;
  }

  async submit(job: J): Promise<R> {
    const entry = new Waiting<J, R>(job);
    this.waiting.push(entry);
    this.promote();
    if ((await entry.turn) === 'lead') await this.lead(entry);
    const outcome = entry.outcome!;
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  }

  /** The next waiting job leads when nobody does. */
  private promote(): void {
    if (this.leading) return;
    const next = this.waiting[0];
    if (!next) return;
    this.leading = true;
    next.lead();
  }

  private async lead(leader: Waiting<J, R>): Promise<void> {
    try {
      await this.lock.withCommitLock(async () => {
        const batch = this.waiting.splice(0, this.maxBatch);
        let outcomes: readonly (BatchOutcome<R> | undefined)[];
        try {
          outcomes = await this.runBatch(batch.map((entry) => entry.job));
        } catch (reason) {
          outcomes = batch.map(() => ({ status: 'rejected', reason }));
        }
        const deferred = batch.filter((entry, index) => {
          const outcome = outcomes[index] ?? (entry === leader ? { status: 'rejected', reason: new Error('the batch left its first job') } : undefined);
          if (outcome) entry.settle(outcome);
          return !outcome;
        });
        this.waiting.unshift(...deferred);
      });
    } catch (reason) {
      // The lock itself failed (the database is gone): the leader says so; the next job tries again.
      if (leader.outcome === undefined) {
        const at = this.waiting.indexOf(leader);
        if (at !== -1) this.waiting.splice(at, 1);
        leader.settle({ status: 'rejected', reason });
      }
    } finally {
      this.leading = false;
      this.promote();
    }
  }
}
