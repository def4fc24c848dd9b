/**
 * Mutual exclusion per key inside one process: the request store's scoped transactions on one
 * request queue here before they take a database connection (decision 052), so that a queue of
 * reviews of one request waits in memory instead of holding every writer connection idle in a lock
 * wait while reviews of other requests could run. The database's lock still serialises replicas.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits for every key (take them in one global order, e.g. sorted, to avoid a cycle); returns the release. */
  async lock(keys: readonly string[]): Promise<() => void> {
    const releases: (() => void)[] = [];
    for (const key of keys) {
      const previous = this.tails.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const tail = previous.then(() => mine);
      this.tails.set(key, tail);
      await previous;
      releases.push(() => {
        release();
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const release of releases.reverse()) release();
    };
  }

  /** Keys held or waited for (for tests: an idle mutex keeps nothing). */
  get size(): number {
    return this.tails.size;
  }
}
