/**
 * Reads by key that share one read when they queue: while `maxInFlight` reads are running, the keys
 * asked meanwhile wait here, and the next read takes all of them at once (each key once, at most
 * `maxBatch`). Below that limit a read is sent at once, alone, so a quiet replica waits for nothing.
 * A burst of reviews reads the same few requests hundreds of times: one PostgreSQL statement per round
 * trip of the reader pool instead of one per review (decision 058). A cold replica asks every target's
 * newest commit at once: one `git log` for all of them (decision 061).
 *
 * A read sent later sees at least what one sent at once would have: it waits only for statements that
 * started before it was asked, so it is sent after it was asked, and sees every commit that finished
 * before then.
 */
export interface CoalescedReadsOptions {
  /** Statements running at once (the reader pool's connections). */
  maxInFlight: number;
  /** Keys read by one statement at most; the rest go with the next. */
  maxBatch: number;
}

interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (error: unknown) => void;
}

export class CoalescedReads<V> {
  /** Keys asked and not sent yet, each with everyone waiting for it (in the order asked). */
  private readonly waiting = new Map<string, Waiter<V>[]>();
  private inFlight = 0;

  /** `readMany` reads the given keys in one statement; a key it leaves out was not found. */
  constructor(
    private readonly readMany: (keys: string[]) => Promise<ReadonlyMap<string, V>>,
    private readonly options: CoalescedReadsOptions,
  ) {
    if (!(options.maxInFlight >= 1 && options.maxBatch >= 1)) throw new Error('CoalescedReads needs maxInFlight and maxBatch of at least 1');
  }

  /** The value read for `key`, or undefined when there is none; a failed statement fails everyone in it. */
  get(key: string): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      const waiters = this.waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      if (this.inFlight < this.options.maxInFlight) this.send();
    });
  }

  private send(): void {
    const batch: [string, Waiter<V>[]][] = [];
    for (const entry of this.waiting) {
      if (batch.length === this.options.maxBatch) break;
      batch.push(entry);
    }
    for (const [key] of batch) this.waiting.delete(key);
    this.inFlight++;
    let reading: Promise<ReadonlyMap<string, V>>;
    try {
      reading = this.readMany(batch.map(([key]) => key));
    } catch (error) {
      reading = Promise.reject(error);
    }
    reading
      .then(
        (found) => {
          for (const [key, waiters] of batch) for (const waiter of waiters) waiter.resolve(found.get(key));
        },
        (error: unknown) => {
          for (const [, waiters] of batch) for (const waiter of waiters) waiter.reject(error);
        },
      )
      .finally(() => {
        this.inFlight--;
        if (this.waiting.size > 0) this.send();
      });
  }
}
