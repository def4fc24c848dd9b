/**
 * "The newest commit touching these paths" for many targets at once, with one `git log` (decision 061).
 * Each lookup alone is a `git log -n 1` of the target's paths. A replica that has just started has
 * none of them cached (newest-cache.ts), and its first targets overview asks every target's at once:
 * with 50 targets, 50 git processes and 0.75 s on a 2-core machine. Lookups asked while others run
 * wait (core/coalesced-reads.ts); the next lookup answers all of those from one start with one walk
 * of the union of their paths: for each, the first commit listed that touches its own paths, which is
 * the commit its own `-n 1` would have found (the union lists every commit each pathspec would, along
 * the same first-parent chain). A lookup alone is still its own `git log -n 1`.
 */
import { CoalescedReads } from '#core/coalesced-reads.ts';
import type { CommitRecord } from '#core/ports.ts';
import type { RawCommit } from './git-log-parse.ts';
import type { GitPathspec } from './pathspec.ts';

/** Lookups (walks or single logs) running at once; a lookup asked while they run waits and goes with the next. */
const WALKS_AT_ONCE = 4;
/** Lookups one walk answers at most (their pathspecs are one command line). */
const LOOKUPS_PER_WALK = 100;
/**
 * Commits one walk lists at most: four per lookup it answers, at least 16 and at most 256. git lists
 * that many whatever the lookups need, so a walk for a few lookups stays short. A lookup whose target
 * was touched by none of them (a quiet target among busy ones) is then looked up alone, so a walk
 * never reads deep history for one.
 */
export function walkLimitFor(lookups: number): number {
  return Math.min(256, Math.max(16, 4 * lookups));
}

export interface NewestLookup {
  /** The commit the lookup starts at (a branch head, or `at`). */
  start: string;
  paths: readonly string[];
  pathspec: GitPathspec;
}

export interface NewestWalkDeps {
  /** One lookup alone: the newest commit from `start` touching `paths` (none: []). */
  lookUp(lookup: NewestLookup): Promise<CommitRecord[]>;
  /** Up to `limit` commits from `start` touching any of `specs`, newest first, along the first-parent chain. */
  scan(start: string, specs: readonly string[], limit: number): Promise<RawCommit[]>;
  /** A scanned commit as the record of a lookup of `paths`; null when it touches none of them. */
  toRecord(raw: RawCommit, paths: readonly string[]): CommitRecord | null;
}

const keyOf = (lookup: NewestLookup) => `${lookup.start}\0${JSON.stringify(lookup.paths)}`;

export class NewestWalk {
  /** The lookups asked and not yet taken by a walk, by key. */
  private readonly asked = new Map<string, NewestLookup>();
  private readonly reads: CoalescedReads<CommitRecord[]>;

  constructor(
    private readonly deps: NewestWalkDeps,
    options: { walksAtOnce?: number } = {},
  ) {
    this.reads = new CoalescedReads((keys) => this.answer(keys), { maxInFlight: options.walksAtOnce ?? WALKS_AT_ONCE, maxBatch: LOOKUPS_PER_WALK });
  }

  /** The newest commit from `lookup.start` touching `lookup.paths`, as `[record]`, or `[]` when none does. */
  async newest(lookup: NewestLookup): Promise<CommitRecord[]> {
    const key = keyOf(lookup);
    this.asked.set(key, lookup);
    return (await this.reads.get(key)) ?? [];
  }

  private async answer(keys: string[]): Promise<Map<string, CommitRecord[]>> {
    const byStart = new Map<string, [string, NewestLookup][]>();
    for (const key of keys) {
      const lookup = this.asked.get(key)!;
      this.asked.delete(key);
      const group = byStart.get(lookup.start) ?? [];
      group.push([key, lookup]);
      byStart.set(lookup.start, group);
    }
    const answers = new Map<string, CommitRecord[]>();
    await Promise.all([...byStart].map(([start, group]) => this.walk(start, group, answers)));
    return answers;
  }

  private async walk(start: string, group: [string, NewestLookup][], answers: Map<string, CommitRecord[]>): Promise<void> {
    // Only plain pathspecs are joined; a lookup of every path ('all') goes alone.
    const joinable = group.filter(([, lookup]) => lookup.pathspec.kind === 'some');
    const alone = joinable.length > 1 ? group.filter(([, lookup]) => lookup.pathspec.kind !== 'some') : [...group];
    if (joinable.length > 1) {
      const open = new Map(joinable);
      const specs = [...new Set(joinable.flatMap(([, lookup]) => (lookup.pathspec.kind === 'some' ? lookup.pathspec.specs : [])))];
      const limit = walkLimitFor(joinable.length);
      const listed = await this.deps.scan(start, specs, limit);
      for (const raw of listed) {
        for (const [key, lookup] of open) {
          const record = this.deps.toRecord(raw, lookup.paths);
          if (!record) continue;
          answers.set(key, [record]);
          open.delete(key);
        }
        if (open.size === 0) break;
      }
      // Fewer commits than the limit: the history is exhausted, and what was not found does not exist.
      if (listed.length < limit) for (const key of open.keys()) answers.set(key, []);
      else alone.push(...open);
    }
    await Promise.all(
      alone.map(async ([key, lookup]) => {
        answers.set(key, await this.deps.lookUp(lookup));
      }),
    );
  }
}
