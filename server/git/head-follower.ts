/**
 * When the branch moves forward by commits not made here (a peer replica's, fetched; a push by someone
 * else), the newest-commit answers remembered for the head before (newest-cache.ts) hold at the new
 * head for every path those commits did not touch. Carried there with one `git log` of their paths,
 * instead of one `git log` per target asked afterwards (decision 059). Only along the first-parent
 * chain, as the answers are read: when the old head is not on the new one's (a rewritten branch, a
 * mirror reset to its remote), nothing is carried and the answers are looked up again.
 */
import type { GitResult } from './git-cli.ts';
import { FIRST_PARENT_LOG, parseLogOutput } from './git-log-parse.ts';
import type { NewestCache } from './newest-cache.ts';

export class HeadFollower {
  /** The head the answers were last carried to, and that carrying. */
  private followed: { head: string; done: Promise<void> } | null = null;

  constructor(
    private readonly git: (args: readonly string[]) => Promise<GitResult>,
    private readonly newest: NewestCache,
  ) {}

  /** Carries the answers of the head followed before to `head` (once per head; askers share it). A failure carries nothing. */
  follow(head: string, notes: string | null): Promise<void> {
    const previous = this.followed;
    if (previous?.head === head) return previous.done;
    const done = (async () => {
      if (!previous) return;
      await previous.done;
      const changed = await this.pathsAlongFirstParents(previous.head, head);
      if (changed) this.newest.carry(previous.head, head, notes, changed);
    })().catch(() => undefined);
    this.followed = { head, done };
    return done;
  }

  /**
   * The store's own commits, on top of `from`, changing `changed`, moved the branch to `head`. From the
   * head followed, the answers are carried to `head` without a `git log`. When `from` is not the head
   * followed (a fetch under the commit lock brought a peer's commits first), nothing is carried now:
   * the next `follow` reads the paths of the peer's commits and these together, with one `git log`.
   */
  movedHere(head: string, from: string, notes: string | null, changed: readonly string[]): void {
    const previous = this.followed;
    if (previous?.head !== from) return;
    const done = previous.done.then(() => this.newest.carry(from, head, notes, changed)).catch(() => undefined);
    this.followed = { head, done };
  }

  /** The paths the first-parent commits `from..to` change; null when `from` is not on `to`'s first-parent chain. */
  private async pathsAlongFirstParents(from: string, to: string): Promise<string[] | null> {
    const output = await this.git([
      ...FIRST_PARENT_LOG,
      '--format=%x00%H%x00%P',
      '--end-of-options',
      `${from}..${to}`,
    ]);
    const commits = parseLogOutput(output.stdout.toString('utf8'), 2);
    if (commits.length === 0 || commits.at(-1)!.fields[1]!.split(' ')[0] !== from) return null;
    return [...new Set(commits.flatMap((commit) => commit.names))];
  }
}
