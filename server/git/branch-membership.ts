/**
 * Which commits are on the branch. A commit id from a request (an abbreviated sha, a paging cursor)
 * must name a commit of the branch, not any object of the repo: commits seen in a log of the branch
 * are remembered, and other questions go to git or to the set of the branch's commits (see isOnBranch).
 */
import type { GitOptions, runGit } from './git-cli.ts';

/** Upper bound on remembered reachable commits (about 100 bytes each). */
const REACHABLE_CACHE_MAX = 200_000;
/** Past this many commits on the branch, reachability is asked of git each time instead of a set. */
const BRANCH_SET_MAX = 500_000;

export type GitRunner = (args: readonly string[], options?: Omit<GitOptions, 'cwd'>) => ReturnType<typeof runGit>;

export class BranchMembership {
  /** Commits known to be on the branch (returned by a log of it); the branch only moves forward. */
  private readonly reachable = new Set<string>();
  /** Every commit reachable from the branch at `head`, listed on first need (see isOnBranch). */
  private branchSet: { head: string; commits: Promise<Set<string> | null> } | null = null;
  /** Whether a set has been listed (then it is kept up to date rather than asking git per commit). */
  private branchSetReady = false;
  private branchSetTooLarge = false;
  private branchSetTimer: NodeJS.Timeout | null = null;

  /** `delayMs`: the set is listed this long after the first reachability question, off the request that asked. */
  constructor(
    private readonly git: GitRunner,
    private readonly delayMs: number,
  ) {}

  /** Whether `sha` was seen on the branch (no git call). */
  knows(sha: string): boolean {
    return this.reachable.has(sha);
  }

  /** Forgets a commit that left the branch (an unpushed commit undone), and the set listed with it. */
  forget(sha: string): void {
    this.reachable.delete(sha);
    this.branchSet = null;
    this.branchSetReady = false;
  }

  close(): void {
    if (this.branchSetTimer) clearTimeout(this.branchSetTimer);
    this.branchSetTimer = null;
  }

  /** Records a commit seen on the branch (the oldest tenth is dropped past REACHABLE_CACHE_MAX). */
  remember(sha: string): void {
    if (this.reachable.size >= REACHABLE_CACHE_MAX) {
      // Drop the oldest tenth; insertion order is the order Sets iterate in.
      let drop = REACHABLE_CACHE_MAX / 10;
      for (const old of this.reachable) {
        this.reachable.delete(old);
        if (--drop === 0) break;
      }
    }
    this.reachable.add(sha);
  }

  /**
   * Whether `sha` is reachable from `head`. `merge-base --is-ancestor` walks from the head down to the
   * commit (about 20 ms 25,000 commits deep), so after the first such question the store lists the
   * branch's commits once in the background (one `rev-list`, ~100 ms for 50,000 commits), keeps the
   * set up to date as the branch moves forward, and answers from it. Past BRANCH_SET_MAX commits it
   * keeps asking git.
   */
  async isOnBranch(head: string, sha: string): Promise<boolean> {
    if (this.branchSetReady) {
      // Same head: a lookup; the branch moved forward since: two small git calls extend the set.
      const commits = await this.branchCommits(head);
      if (commits) return commits.has(sha);
    } else if (!this.branchSet && !this.branchSetTooLarge && !this.branchSetTimer) {
      this.branchSetTimer = setTimeout(() => {
        this.branchSetTimer = null;
        this.branchCommits(head).catch(() => {});
      }, this.delayMs);
      this.branchSetTimer.unref();
    }
    return this.isAncestor(sha, head);
  }

  /** The one commit on the branch that `match` accepts; null when none or several do. */
  async findOnBranch(head: string, match: (sha: string) => boolean): Promise<string | null> {
    const commits = (await this.branchCommits(head)) ?? (await this.revList([head]));
    let found: string | null = null;
    for (const sha of commits) {
      if (!match(sha)) continue;
      if (found) return null;
      found = sha;
    }
    return found;
  }

  private branchCommits(head: string): Promise<Set<string> | null> {
    if (this.branchSetTooLarge) return Promise.resolve(null);
    const previous = this.branchSet;
    if (previous?.head === head) return previous.commits;
    const commits = (async () => {
      const base = previous ? await previous.commits.catch(() => null) : null;
      if (base && previous && (await this.isAncestor(previous.head, head))) {
        // The branch moved forward: add the new commits (the set only ever grows).
        for (const sha of await this.revList([head, `^${previous.head}`])) base.add(sha);
        return base;
      }
      const all = await this.revList([head]);
      if (all.length > BRANCH_SET_MAX) {
        this.branchSetTooLarge = true;
        return null;
      }
      return new Set(all);
    })();
    const entry = { head, commits };
    this.branchSet = entry;
    commits.then(
      (set) => {
        if (set && this.branchSet === entry) this.branchSetReady = true;
      },
      () => {
        if (this.branchSet === entry) this.branchSet = null;
      },
    );
    return commits;
  }

  private async revList(revs: readonly string[]): Promise<string[]> {
    const out = await this.git(['rev-list', '--end-of-options', ...revs]);
    return out.stdout.toString('utf8').split('\n').filter(Boolean);
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.git(['merge-base', '--is-ancestor', ancestor, descendant], { okCodes: [1] });
    return result.code === 0;
  }
}
