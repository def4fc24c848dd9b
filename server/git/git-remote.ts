/**
 * The remote of a store that has one: fetch before reads (at most once per interval), fetch again
 * before a commit (the caller holds the commit lock), and push after it, never forced. Deployment
 * notes are mirrored with the branch. The freshness rule is docs/decisions/035; what a replica killed
 * between its commit and its push leaves in its mirror, docs/decisions/040.
 */
import { conflict } from '#core/errors.ts';
import type { GitRunner } from './branch-membership.ts';
import { GitError } from './git-cli.ts';
import { DEPLOYMENTS_NOTES_REF } from './git-log-parse.ts';
import { redactGitUrls, type RemoteAccess } from './remote-access.ts';

/** A fetch or push that has not finished in this time is killed and counts as failed. */
export const REMOTE_TIMEOUT_MS = 120_000;

const NO_ACCESS = (): RemoteAccess => ({ config: [], env: {} });

/** The GitError of a remote command, with any URL's user information hidden. */
function redacted(error: unknown): unknown {
  if (!(error instanceof GitError)) return error;
  return new GitError(error.subcommand, error.code, redactGitUrls(error.stderr));
}

export class GitRemote {
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  private fetching: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(
    private readonly git: GitRunner,
    private readonly remote: string,
    /** The branch ref, `refs/heads/<branch>`, the same locally and on the remote. */
    private readonly ref: string,
    private readonly options: {
      fetchIntervalMs: number;
      onFetchError: (error: Error) => void;
      /** Credentials for one command, read at each use (default none: the environment's own). */
      access?: (() => RemoteAccess) | undefined;
      timeoutMs?: number | undefined;
      /**
       * The repository is Rewind's own mirror (repo.url): its branch may be reset to the remote's
       * (see fetchNow). Never for a repository people work in (repo.path with repo.remote).
       */
      mirror?: boolean | undefined;
    },
  ) {}

  /** The remote as it may be printed. */
  get name(): string {
    return redactGitUrls(this.remote);
  }

  private remoteGit(args: readonly string[], okCodes: readonly number[] = []) {
    let access: RemoteAccess;
    try {
      access = (this.options.access ?? NO_ACCESS)();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.git([...access.config, ...args], { env: access.env, okCodes, timeoutMs: this.options.timeoutMs ?? REMOTE_TIMEOUT_MS }).catch((error: unknown) => {
      throw redacted(error);
    });
  }

  /**
   * Pushes `created` (never forced). A rejected push is a conflict: `forgetCommit` runs and the local
   * branch moves back to `previous`, so nothing was committed.
   */
  async push(created: string, previous: string, forgetCommit: () => Promise<void>): Promise<void> {
    const remote = this.remote;
    const undo = async () => {
      await forgetCommit();
      await this.git(['update-ref', '-m', 'rewind: undo unpushed commit', this.ref, previous, created]).catch(() => {});
    };
    const result = await this.remoteGit(['push', '--porcelain', remote, `${created}:${this.ref}`], [1]).catch(
      async (error: unknown) => {
        await undo();
        throw error;
      },
    );
    const rejected = result.stdout
      .toString('utf8')
      .split('\n')
      .find((line) => line.startsWith('!'));
    if (result.code === 0 && !rejected) return;
    await undo();
    if (rejected) {
      // Learn what the remote has now, so that the next plan is made on it.
      await this.fetchNow().catch((error: unknown) => this.reportFetchError(error));
      const reason = rejected.split('\t')[2] ?? 'rejected';
      throw conflict(`push rejected by ${this.name} (${reason}): the branch moved on the remote`);
    }
    throw new GitError('push', result.code, redactGitUrls(result.stderr));
  }

  /** Fetches when the last fetch is older than the interval; a failure is reported, never thrown. */
  maybeFetch(): Promise<void> {
    // A fetch in flight reports its own failure (or its caller does).
    if (this.fetching) return this.fetching.catch(() => {});
    if (Date.now() - this.lastFetchAt < this.options.fetchIntervalMs) return Promise.resolve();
    return this.fetchNow().catch((error: unknown) => this.reportFetchError(error));
  }

  /**
   * A fetch that starts now (after any one in flight), for a caller about to commit under the commit
   * lock: what another replica pushed before the lock was ours is then seen, and a mirror drops what
   * it never pushed. A failure is reported; the push that follows the commit is the line of defence.
   */
  async refresh(): Promise<void> {
    await this.fetching?.catch(() => {});
    await this.fetchNow({ force: true }).catch((error: unknown) => this.reportFetchError(error));
  }

  /**
   * A fetch that starts after this call, for a commit named elsewhere (a peer replica's, read from
   * the database) that this mirror has not fetched yet. Callers arriving while one waits share it, so
   * a burst of unknown ids costs one fetch at a time, never one each at once. A failure is reported.
   */
  catchUp(): Promise<void> {
    this.queued ??= (async () => {
      await this.fetching?.catch(() => {});
      this.queued = null;
      await this.fetchNow().catch((error: unknown) => this.reportFetchError(error));
    })();
    return this.queued;
  }

  private reportFetchError(error: unknown): void {
    this.options.onFetchError(error instanceof Error ? error : new Error(String(error)));
  }

  /**
   * Fast-forwards the branch from the remote and mirrors its deployment notes. With `force` (at open,
   * and under the commit lock, when no commit of this process is between its ref move and its push)
   * and a mirror, its branch becomes the remote's whatever it was: a commit that only the mirror has was
   * never pushed (a process killed between the two) and so never happened. The remote is never forced.
   */
  fetchNow(options: { force?: boolean } = {}): Promise<void> {
    this.lastFetchAt = Date.now();
    const run = this.remoteGit([
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      '--update-head-ok',
      this.remote,
      `${options.force && this.options.mirror ? '+' : ''}${this.ref}:${this.ref}`,
      `+${DEPLOYMENTS_NOTES_REF}*:${DEPLOYMENTS_NOTES_REF}*`,
    ]).then(() => {});
    this.fetching = run.finally(() => {
      this.fetching = null;
    });
    return this.fetching;
  }
}
