/**
 * "The newest commit touching these paths" (a target's or a service's head) is asked on every
 * overview, status, plan and review. Its answer only changes when the branch or the deployment notes
 * move, so it is remembered per branch head, notes head and pathspec list; concurrent askers of one
 * answer share one `git log`. After a commit the store made itself, answers for the paths it did not
 * touch are carried to the new head (decision 041): a queue of commits to other targets costs no
 * `git log` for each plan check under the commit lock. After commits made elsewhere (a peer's,
 * fetched; a push), head-follower.ts carries them the same way (decision 059). The answers not known
 * are looked up by newest-walk.ts, many with one `git log` when they queue (decision 061).
 */
import type { CommitRecord } from '#core/ports.ts';
import { matchesAny } from '#core/target-config.ts';

/**
 * Lookups remembered (a target's head per branch head and notes head). Each commit Rewind makes
 * carries an entry per untouched target, so this is a few heads' worth for a few hundred targets.
 */
const NEWEST_CACHE_MAX = 2_048;

interface Entry {
  head: string;
  notes: string | null;
  paths: readonly string[];
  found: Promise<CommitRecord[]>;
}

const keyOf = (head: string, notes: string | null, paths: readonly string[]) => `${head}\0${notes ?? ''}\0${JSON.stringify(paths)}`;

export class NewestCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = NEWEST_CACHE_MAX) {}

  /** The remembered answer, or `look()`'s, remembered (and forgotten again if it fails). */
  get(head: string, notes: string | null, paths: readonly string[], look: () => Promise<CommitRecord[]>): Promise<CommitRecord[]> {
    const key = keyOf(head, notes, paths);
    const known = this.entries.get(key);
    if (known) {
      // Most recently used last: carried entries of later heads must not push out one still asked
      // (a rollback's target revision is asked again when it executes, decision 052).
      this.entries.delete(key);
      this.entries.set(key, known);
      return known.found;
    }
    const found = look();
    this.remember(key, { head, notes, paths, found });
    found.catch(() => {
      if (this.entries.get(key)?.found === found) this.entries.delete(key);
    });
    return found;
  }

  /** `created` is a commit on `parent` changing `changed`: answers for untouched paths hold there too. */
  carry(parent: string, created: string, notes: string | null, changed: readonly string[]): void {
    for (const entry of [...this.entries.values()]) {
      if (entry.head !== parent || entry.notes !== notes) continue;
      if (changed.some((path) => matchesAny(entry.paths, path))) continue;
      const key = keyOf(created, notes, entry.paths);
      if (!this.entries.has(key)) this.remember(key, { ...entry, head: created });
    }
  }

  private remember(key: string, entry: Entry): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, entry);
  }
}
