/**
 * The remote of a store that has one: fetch before reads (at most once per interval) and push after a
 * commit, never forced. Deployment notes are mirrored with the branch.
 */
import { conflict } from '#core/errors.ts';
import type { GitRunner } from './branch-membership.ts';
import { GitError } from './git-cli.ts';
import { DEPLOYMENTS_NOTES_REF } from './git-log-parse.ts';

export class GitRemote {
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  private fetching: Promise<void> | null = null;

  constructor(
    private readonly git: GitRunner,
    private readonly remote: string,
    /** The branch ref, `refs/heads/<branch>`, the same locally and on the remote. */
    private readonly ref: string,
    private readonly options: { fetchIntervalMs: number; onFetchError: (error: Error) => void },
  ) {}

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
    const result = await this.git(['push', '--porcelain', remote, `${created}:${this.ref}`], { okCodes: [1] }).catch(
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
      const reason = rejected.split('\t')[2] ?? 'rejected';
      throw conflict(`push rejected by ${remote} (${reason}): the branch moved on the remote; nothing was committed`);
    }
    throw new GitError('push', result.code, result.stderr);
  }

  /** Fetches when the last fetch is older than the interval; a failure is reported, never thrown. */
  maybeFetch(): Promise<void> {
    if (this.fetching) return this.fetching;
    if (Date.now() - this.lastFetchAt < this.options.fetchIntervalMs) return Promise.resolve();
    return this.fetchNow().catch((error: unknown) => this.options.onFetchError(error instanceof Error ? error : new Error(String(error))));
  }

  /** Fast-forwards the branch from the remote (never forced) and mirrors its deployment notes. */
  fetchNow(): Promise<void> {
    this.lastFetchAt = Date.now();
    const run = this.git([
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      '--update-head-ok',
      this.remote,
      `${this.ref}:${this.ref}`,
      `+${DEPLOYMENTS_NOTES_REF}*:${DEPLOYMENTS_NOTES_REF}*`,
    ]).then(() => {});
    this.fetching = run.finally(() => {
      this.fetching = null;
    });
    return this.fetching;
  }
}
