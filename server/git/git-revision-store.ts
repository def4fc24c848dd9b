/**
 * RevisionStore over a git repository through the git CLI (DESIGN.md, "Git, done right").
 *
 * - History is the branch's first-parent chain: in a GitOps repo each first-parent commit is one state
 *   the cluster was asked to run (a merged pull request counts once, as its merge commit, with the
 *   paths it changed against the previous state). On a linear history this is plain `git log`.
 * - Paging is by commit: `git log <after> -n <limit+1> -- <paths>`, dropping `after` itself. Never
 *   `--skip`. The commit-graph with changed-path Bloom filters is written on open when missing/stale.
 * - Paths come back restricted to the query and filtered with core's `matchesAny`, so results are
 *   exactly those of the in-memory store (see pathspec.ts for how layout specs become git pathspecs).
 * - Blobs and ref reads go through one long-lived `git cat-file --batch`.
 * - Writes never touch a work tree (commit-writer.ts), then `update-ref` with the expected old value,
 *   so the branch moves only if nobody moved it meanwhile. With a remote (git-remote.ts) the new
 *   commit is pushed (never forced); a rejected push undoes the local ref move and is a conflict.
 * - Parsing is in git-log-parse.ts and git-diff-parse.ts; which commits are on the branch in
 *   branch-membership.ts.
 * - Deployment outcomes are git notes under refs/notes/rewind-deployments (decision 002), read in the
 *   same `git log` that lists the commits (`%N`).
 */
import { resolve } from 'node:path';
import { ROLLBACK_HEADER_PREFIX } from '#core/commit-message.ts';
import { SHA_INPUT_PATTERN } from '#core/names.ts';
import type { CommitRecord, CommitRequest, DiffQuery, LogQuery, RawFileDiff, RevisionStore } from '#core/ports.ts';
import { matchesAny } from '#core/target-config.ts';
import { keptModesAt, listPathspecBlobs } from './tree-reader.ts';
import { BranchMembership, type GitRunner } from './branch-membership.ts';
import { GitRemote } from './git-remote.ts';
import { remoteFailureLine, type RemoteAccess } from './remote-access.ts';
import { branchNames, checkedOutRefusal, locateGitDir, workTreesWith } from './repo-checks.ts';
import { branchMoved, moveBranch, writeCommits } from './commit-writer.ts';
import { CatFileBatch } from './cat-file-batch.ts';
import { NewestCache } from './newest-cache.ts';
import { NewestWalk } from './newest-walk.ts';
import { HeadFollower } from './head-follower.ts';
import { ensureCommitGraph } from './commit-graph.ts';
import { GitError, runGit, type GitOptions } from './git-cli.ts';
import { escapeBasicRegExp } from './git-diff-parse.ts';
import { diffTrees } from './git-tree-diff.ts';
import { attributesInTrees, attributesOutsideTrees, repoAttributesFile } from './git-attributes.ts';
import { copyRecord, DEPLOYMENTS_NOTES_REF, deployStatusOf, FIRST_PARENT_LOG, IDS_FORMAT, LOG_FIELDS, LOG_FORMAT, parseLogOutput, prefix, sortPaths, type RawCommit } from './git-log-parse.ts';
import { pathspecArgs, toGitPathspec, toLsTreePathspec, type GitPathspec } from './pathspec.ts';

export interface GitRevisionStoreOptions {
  /** A bare repository, or a work tree's top directory (its `.git` is used; the work tree never is). */
  repoPath: string;
  branch: string;
  /** A configured remote name or URL to fetch from and push to. */
  remote?: string;
  /** Least time between two fetches; reads in between use the local branch. Default 5 s. */
  fetchIntervalMs?: number;
  /** Credentials for fetch and push, read at each use (remote-access.ts). */
  remoteAccess?: () => RemoteAccess;
  /** Called when a fetch fails; reads go on with the local branch. Default: ignore. */
  onFetchError?: (error: Error) => void;
  /**
   * `repoPath` is Rewind's own mirror of `remote` (repo.url): its branch follows the remote's, and a
   * commit it never pushed (a process killed between commit and push) is dropped (decision 040).
   */
  mirror?: boolean;
  /** Write or refresh the commit-graph on open (default true). */
  writeCommitGraph?: boolean;
  /** Delay before listing the branch's commits after the first reachability question (default 1 s). */
  branchSetDelayMs?: number;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

/** Ranges remembered (a few per rollback commit of each target). */
const RANGE_CACHE_MAX = 10_000;
/** Pathspec lists whose rollbacks are cached (one per target and service in practice). */
const ROLLBACK_CACHE_MAX = 1000;

export class GitRevisionStore implements RevisionStore {
  readonly gitDir: string;
  readonly branch: string;
  readonly remote: string | undefined;
  private readonly ref: string;
  private readonly batch: CatFileBatch;
  /** Fetch and push, when a remote is configured. */
  private readonly sync: GitRemote | null;
  /** Which commits are on the branch (resolveCommit, paging cursors). */
  private readonly membership: BranchMembership;
  /** Rollback commits per pathspec list at a branch head, extended incrementally as the branch moves. */
  private readonly rollbacks = new Map<string, { head: string; notes: string | null; records: CommitRecord[] }>();
  /** Results of `range`, which depend only on their arguments (commits are immutable). */
  private readonly ranges = new Map<string, Promise<string[]>>();
  /** A target's newest commit per branch head (newest-cache.ts). */
  private readonly newest = new NewestCache();
  /** Carries those answers to a head moved by commits not made here (head-follower.ts). */
  private readonly follower: HeadFollower;
  /** Looks those answers up, many with one `git log` when they queue (newest-walk.ts). */
  private readonly newestWalk: NewestWalk;
  /** Whether git attributes outside the trees could apply (git-attributes.ts), read once. */
  private attributesOutside: Promise<boolean> | undefined;

  private constructor(gitDir: string, options: GitRevisionStoreOptions) {
    this.gitDir = gitDir;
    this.branch = options.branch;
    this.remote = options.remote;
    this.ref = `refs/heads/${options.branch}`;
    this.sync = options.remote
      ? new GitRemote((args, opts) => this.git(args, opts), options.remote, this.ref, {
          fetchIntervalMs: options.fetchIntervalMs ?? 5000,
          onFetchError: options.onFetchError ?? (() => {}),
          access: options.remoteAccess,
          mirror: options.mirror,
        })
      : null;
    this.batch = new CatFileBatch(gitDir);
    this.membership = new BranchMembership((args, opts) => this.git(args, opts), options.branchSetDelayMs ?? 1000);
    this.follower = new HeadFollower((args) => this.git(args), this.newest);
    this.newestWalk = new NewestWalk({
      // `at: start`: what it finds is remembered on the branch only when start is known there (newestAt decides).
      lookUp: ({ start, paths, pathspec }) => this.logUncached({ paths, limit: 1, at: start }, pathspec, start),
      scan: (start, specs, limit) => this.scan([start], { kind: 'some', specs: [...specs] }, ['-n', String(limit)]),
      toRecord: (raw, paths) => this.toRecord(raw, paths),
    });
  }

  /**
   * Opens `repoPath` on `branch`. Throws an Error with one sentence a CLI can print when the path is
   * not a git repository or the branch does not exist.
   */
  static async open(options: GitRevisionStoreOptions): Promise<GitRevisionStore> {
    const repoPath = resolve(options.repoPath);
    const gitDir = await locateGitDir(repoPath);
    const check = await runGit(['check-ref-format', `refs/heads/${options.branch}`], { okCodes: [1] });
    if (check.code !== 0 || options.branch.startsWith('-')) {
      throw new Error(`"${options.branch}" is not a valid branch name.`);
    }
    const store = new GitRevisionStore(gitDir, options);
    // Known before the first field table asks (git-attributes.ts); a failure asks again then.
    store.attributesOutside = attributesOutsideTrees((args, opts) => store.git(args, opts)).catch(() => {
      store.attributesOutside = undefined;
      return true;
    });
    const git: GitRunner = (args, opts) => store.git(args, opts);
    const checkedOut = await workTreesWith(git, options.branch);
    if (checkedOut.length > 0) {
      await store.close();
      throw new Error(checkedOutRefusal(repoPath, options.branch, checkedOut));
    }
    if (store.sync) {
      await store.sync.fetchNow({ force: true }).catch(async (error: unknown) => {
        await store.close();
        const reason = error instanceof GitError ? remoteFailureLine(error.stderr) : error instanceof Error ? error.message : String(error);
        throw new Error(`Cannot fetch "${options.branch}" from the remote ${store.sync!.name} (git says: ${reason}).`);
      });
    }
    const head = await store.readHead().catch(() => null);
    if (!head) {
      const branches = await branchNames(git);
      await store.close();
      const where = store.sync ? ` (nor on ${store.sync.name})` : '';
      const hint = branches.length ? ` Its branches: ${branches.join(', ')}; set repo.branch in the config (or --branch) to the one Argo CD / Flux follow.` : '';
      throw new Error(`The branch "${options.branch}" does not exist in ${repoPath}${where}.${hint}`);
    }
    if (options.writeCommitGraph ?? true) await ensureCommitGraph((args, opts) => store.git(args, opts), gitDir, head);
    return store;
  }

  // --- RevisionStore ------------------------------------------------------------------------------

  async branchHead(): Promise<string | null> {
    await this.sync?.maybeFetch();
    return this.readHead();
  }

  async resolveCommit(ref: string): Promise<string | null> {
    if (!SHA_INPUT_PATTERN.test(ref)) return null;
    // Fast path: a commit this store returned from a log of the branch (every cursor it handed out).
    if (this.membership.knows(ref)) return ref;
    if (!(await this.head())) return null;
    let found = await this.batch.read(`${ref}^{commit}`);
    // A commit a peer replica made (its id came from the database) may be newer than the last fetch.
    if (found.kind === 'missing' && this.sync) {
      await this.sync.catchUp();
      found = await this.batch.read(`${ref}^{commit}`);
    }
    if (found.kind === 'missing') return null;
    const head = await this.readHead();
    if (!head) return null;
    // Ambiguous among all objects of the repo: it may still name exactly one commit of the branch.
    if (found.kind === 'ambiguous') return this.membership.findOnBranch(head, prefix(ref));
    if (!found.oid.startsWith(ref) || !(await this.membership.isOnBranch(head, found.oid))) return null;
    this.membership.remember(found.oid);
    return found.oid;
  }

  async log(query: LogQuery): Promise<CommitRecord[]> {
    if (query.limit <= 0) return [];
    const pathspec = toGitPathspec(query.paths);
    if (pathspec.kind === 'none') return [];
    // With a remote, a cursor may name a commit only the remote had at the last fetch (another replica's).
    await this.sync?.maybeFetch();
    const start = query.after ?? query.at ?? (await this.readHead());
    if (!start) return [];
    // "The newest commit touching these paths" (a target's or a service's head) is asked on every
    // overview, status and plan. Its answer only changes when the branch or the deployment notes move.
    if (query.after === undefined && query.limit === 1) {
      const notes = await this.readNotesHead();
      if (query.at === undefined) await this.follower.follow(start, notes);
      const found = await this.newest.get(start, notes, query.paths, () => this.newestAt(start, query, pathspec));
      return found.map((record) => ({ ...record, author: { ...record.author }, paths: [...record.paths] }));
    }
    return this.logUncached(query, pathspec, start);
  }

  /** A newest-commit lookup not cached: with others asked meanwhile when they queue (decision 061). */
  private async newestAt(start: string, query: LogQuery, pathspec: GitPathspec): Promise<CommitRecord[]> {
    const found = await this.newestWalk.newest({ start, paths: query.paths, pathspec });
    // As logUncached: a commit found from the branch head (or from a commit known on it) is on the branch.
    if (query.at === undefined || this.membership.knows(query.at)) for (const record of found) this.membership.remember(record.sha);
    return found;
  }

  private async logUncached(query: LogQuery, pathspec: GitPathspec, first: string): Promise<CommitRecord[]> {
    let start = first;
    let skip = query.after;
    // What a log of the branch returns is on the branch: remembered, so its ids resolve (as cursors)
    // without asking git. A log after a commit not known to be on the branch proves nothing.
    const from = query.after ?? query.at;
    const onBranch = from === undefined || this.membership.knows(from);
    const found: CommitRecord[] = [];
    const done = () => {
      if (onBranch) for (const record of found) this.membership.remember(record.sha);
      return found;
    };
    for (;;) {
      const want = query.limit - found.length + (skip ? 1 : 0);
      const batch = await this.scan([start], pathspec, ['-n', String(want)]);
      for (const raw of batch) {
        if (raw.fields[0] === skip) continue;
        const record = this.toRecord(raw, query.paths);
        if (record) found.push(record);
        if (found.length === query.limit) return done();
      }
      // Fewer than asked: the history is exhausted. Otherwise the filter dropped some; go on after them.
      if (batch.length < want) return done();
      start = skip = batch.at(-1)!.fields[0]!;
    }
  }

  async range(query: { paths: readonly string[]; since: string; until: string }): Promise<string[]> {
    await this.sync?.maybeFetch();
    await this.catchUpTo(query.since, query.until);
    const pathspec = toGitPathspec(query.paths);
    if (pathspec.kind === 'none') return [];
    // Commits never change, so neither does a range between two of them: the rolled-back index asks
    // the same ranges again each time the branch moves, and only new rollbacks cost a git call.
    // Concurrent askers of one range (a full rollback's preview asks it twice) share one `git log`.
    const key = `${query.since}..${query.until}\0${JSON.stringify(query.paths)}`;
    let shas = this.ranges.get(key);
    if (!shas) {
      shas = this.git([...FIRST_PARENT_LOG, IDS_FORMAT, '--end-of-options', `${query.since}..${query.until}`, '--', ...pathspecArgs(pathspec)]).then((output) =>
        parseLogOutput(output.stdout.toString('utf8'), 1)
          .filter((raw) => raw.names.some((name) => matchesAny(query.paths, name)))
          .map((raw) => raw.fields[0]!),
      );
      if (this.ranges.size >= RANGE_CACHE_MAX) this.ranges.delete(this.ranges.keys().next().value!);
      this.ranges.set(key, shas);
      // A failed lookup is not remembered: the next asker tries again.
      shas.catch(() => {
        if (this.ranges.get(key) === shas) this.ranges.delete(key);
      });
    }
    return [...(await shas)];
  }

  async logRollbacks(paths: readonly string[]): Promise<CommitRecord[]> {
    const pathspec = toGitPathspec(paths);
    if (pathspec.kind === 'none') return [];
    const head = await this.head();
    if (!head) return [];
    const notes = await this.readNotesHead();
    // Rollbacks only accumulate: when the branch moved forward, only the new commits are searched,
    // and when the notes moved, only the statuses of the known rollbacks are read again.
    const key = JSON.stringify(paths);
    const cached = this.rollbacks.get(key);
    let records: CommitRecord[];
    if (cached && cached.head === head) {
      records = cached.notes === notes ? cached.records : await this.refreshStatuses(cached.records);
    } else if (cached && (await this.membership.isAncestor(cached.head, head))) {
      const older = cached.notes === notes ? cached.records : await this.refreshStatuses(cached.records);
      records = [...(await this.scanRollbacks([head, `^${cached.head}`], pathspec, paths)), ...older];
    } else {
      records = await this.scanRollbacks([head], pathspec, paths);
    }
    if (this.rollbacks.size >= ROLLBACK_CACHE_MAX && !cached) this.rollbacks.clear();
    this.rollbacks.set(key, { head, notes, records });
    return records.map(copyRecord);
  }

  async readFiles(paths: readonly string[], sha: string): Promise<Map<string, string>> {
    await this.sync?.maybeFetch();
    await this.catchUpTo(sha);
    const files = new Map<string, string>();
    const pathspec = toLsTreePathspec(paths);
    if (pathspec.kind === 'none') return files;
    // Directories, exact paths and kustomization lookups are read through cat-file: no process per read
    // (a spawn blocks the event loop, for tens of ms on a busy machine: decision 042).
    const fromTrees = SHA_INPUT_PATTERN.test(sha) ? await listPathspecBlobs(this.batch, sha, paths, (path) => matchesAny(paths, path)) : null;
    const known = new Map((fromTrees ?? []).flatMap((blob) => (blob.content ? [[blob.oid, blob.content] as const] : [])));
    const wanted: { path: string; oid: string }[] = [...new Map((fromTrees ?? []).map((blob) => [blob.path, { path: blob.path, oid: blob.oid }])).values()];
    const listing = fromTrees ? null : await this.git(['ls-tree', '-r', '-z', '--full-tree', '--end-of-options', sha, '--', ...pathspecArgs(pathspec)]);
    for (const entry of listing?.stdout.toString('utf8').split('\0') ?? []) {
      // <mode> SP <type> SP <oid> TAB <path>
      const tab = entry.indexOf('\t');
      if (tab === -1) continue;
      const [, type, oid] = entry.slice(0, tab).split(' ');
      const path = entry.slice(tab + 1);
      if (type === 'blob' && oid && matchesAny(paths, path)) wanted.push({ path, oid });
    }
    const blobs = await this.batch.readMany([...new Set(wanted.map((w) => w.oid))].filter((oid) => !known.has(oid)));
    for (const [oid, content] of known) blobs.push({ kind: 'found', oid, type: 'blob', content });
    wanted.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const byOid = new Map<string, string>();
    blobs.forEach((blob) => {
      if (blob.kind === 'found') byOid.set(blob.oid, blob.content.toString('utf8'));
    });
    for (const { path, oid } of wanted) {
      const content = byOid.get(oid);
      if (content === undefined) throw new GitError('cat-file', null, `blob ${oid} of ${path} is missing`);
      files.set(path, content);
    }
    return files;
  }

  async diff(query: DiffQuery): Promise<RawFileDiff[]> {
    await this.sync?.maybeFetch();
    await this.catchUpTo(query.from, query.to);
    return diffTrees((args) => this.git(args), this.batch, query, {
      attributesMayApply: async (paths, shas) =>
        repoAttributesFile(this.gitDir) ||
        (await (this.attributesOutside ??= attributesOutsideTrees((args, options) => this.git(args, options)))) ||
        attributesInTrees(this.batch, paths, [...shas, this.ref]),
    });
  }

  async commit(request: CommitRequest): Promise<string> {
    const { expectedHead, ...commit } = request;
    const [created] = await this.commitSeries(expectedHead, [commit]);
    return created!;
  }

  /** Commits on top of each other in one fast-import, the branch moved (and pushed) once (decision 049). */
  async commitSeries(expectedHead: string, commits: readonly Omit<CommitRequest, 'expectedHead'>[]): Promise<string[]> {
    const head = await this.head();
    if (head !== expectedHead) throw branchMoved(expectedHead, head);
    if (commits.length === 0) return [];
    const git: GitRunner = (args, options) => this.git(args, options);
    const created = await writeCommits(git, expectedHead, commits, (paths) => keptModesAt(this.batch, expectedHead, paths));
    const last = created.at(-1)!;
    await moveBranch(git, this.ref, last, expectedHead, () => this.readHead());
    if (this.sync) {
      await this.sync.push(last, expectedHead, async () => {
        for (const sha of created) this.membership.forget(sha);
        this.rollbacks.clear();
      });
    }
    // The answers for the paths these commits leave alone hold at the head they made.
    this.follower.movedHere(last, expectedHead, await this.readNotesHead(), [...new Set(commits.flatMap((commit) => Object.keys(commit.changes)))]);
    return created;
  }

  /** Fetches now when there is a remote (before a commit, under the commit lock); failures are reported, not thrown. */
  async refresh(): Promise<void> {
    await this.sync?.refresh();
  }

  /** Stops the cat-file process. */
  async close(): Promise<void> {
    this.membership.close();
    await this.batch.close();
  }

  // --- internals ----------------------------------------------------------------------------------

  private git(args: readonly string[], options: Omit<GitOptions, 'cwd'> = {}) {
    return runGit(['--git-dir', this.gitDir, ...args], { ...options, cwd: this.gitDir });
  }

  /**
   * With a remote: fetches now when one of `refs` (commit ids, e.g. a request's commit read from the
   * database) is not in this repository yet, as when a peer replica made it after the last fetch.
   */
  private async catchUpTo(...refs: string[]): Promise<void> {
    if (!this.sync) return;
    for (const ref of refs) {
      if (!FULL_SHA.test(ref) || this.membership.knows(ref)) continue;
      if ((await this.batch.read(`${ref}^{commit}`)).kind === 'missing') return this.sync.catchUp();
    }
  }

  /** The branch head for a read, fetching first when a remote is configured and due. */
  private async head(): Promise<string | null> {
    await this.sync?.maybeFetch();
    return this.readHead();
  }

  private async readHead(): Promise<string | null> {
    const found = await this.batch.read(this.ref);
    if (found.kind === 'found' && found.type === 'commit') return found.oid;
    // open() checked the branch exists: now missing means deleted or a broken repo, and an empty
    // history would tell an incident commander "no deployments". Fail loudly instead.
    throw new Error(`cannot read ${this.ref} in ${this.gitDir}: the branch was deleted or the repository is unreadable`);
  }

  private async readNotesHead(): Promise<string | null> {
    const found = await this.batch.read(DEPLOYMENTS_NOTES_REF);
    return found.kind === 'found' ? found.oid : null;
  }

  /** The same records with their deployment status read again from the notes. */
  private async refreshStatuses(records: readonly CommitRecord[]): Promise<CommitRecord[]> {
    if (records.length === 0) return [];
    const output = await this.git([
      'log',
      '--no-walk=unsorted',
      '-z',
      '--no-notes',
      `--notes=${DEPLOYMENTS_NOTES_REF}`,
      '--format=%x00%H%x00%N',
      '--end-of-options',
      ...records.map((r) => r.sha),
    ]);
    const notes = new Map(parseLogOutput(output.stdout.toString('utf8'), 2).map((raw) => [raw.fields[0]!, raw.fields[1]!]));
    return records.map((record) => {
      const { deployStatus: _previous, ...rest } = record;
      const status = deployStatusOf(notes.get(record.sha) ?? '');
      return status ? { ...rest, deployStatus: status } : rest;
    });
  }

  private async scanRollbacks(revs: readonly string[], pathspec: GitPathspec, paths: readonly string[]): Promise<CommitRecord[]> {
    // --grep narrows in git (it also matches notes and any line); the subject check is the exact rule.
    const grep = ['--basic-regexp', `--grep=^${escapeBasicRegExp(ROLLBACK_HEADER_PREFIX)}`];
    const found: CommitRecord[] = [];
    for (const raw of await this.scan(revs, pathspec, grep)) {
      if (!raw.fields[5]!.startsWith(ROLLBACK_HEADER_PREFIX)) continue;
      const record = this.toRecord(raw, paths);
      if (record) {
        found.push(record);
        this.membership.remember(record.sha);
      }
    }
    return found;
  }

  private async scan(revs: readonly string[], pathspec: GitPathspec, extra: readonly string[]): Promise<RawCommit[]> {
    const output = await this.git([
      ...FIRST_PARENT_LOG,
      '--encoding=UTF-8',
      '--no-notes',
      `--notes=${DEPLOYMENTS_NOTES_REF}`,
      LOG_FORMAT,
      ...extra,
      '--end-of-options',
      ...revs,
      '--',
      ...pathspecArgs(pathspec),
    ]);
    return parseLogOutput(output.stdout.toString('utf8'), LOG_FIELDS);
  }

  private toRecord(raw: RawCommit, paths: readonly string[]): CommitRecord | null {
    const touched = raw.names.filter((name) => matchesAny(paths, name));
    if (touched.length === 0) return null;
    const [sha, at, name, email, note, message] = raw.fields as [string, string, string, string, string, string];
    const record: CommitRecord = {
      sha,
      timestamp: new Date(Number(at) * 1000).toISOString(),
      author: { name, email },
      message,
      paths: sortPaths(touched),
    };
    const status = note ? deployStatusOf(note) : undefined;
    if (status) record.deployStatus = status;
    return record;
  }
}
