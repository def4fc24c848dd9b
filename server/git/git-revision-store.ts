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
 * - Writes never touch a work tree: a temporary index, `commit-tree`, then `update-ref` with the
 *   expected old value, so the branch moves only if nobody moved it meanwhile. With a remote, the new
 *   commit is pushed (never forced); a rejected push undoes the local ref move and is a conflict.
 * - Deployment outcomes are git notes under refs/notes/rewind-deployments (decision 002), read in the
 *   same `git log` that lists the commits (`%N`).
 */
import { isAscii } from 'node:buffer';
import { mkdtemp, rm, stat, writeFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ROLLBACK_HEADER_PREFIX } from '#core/commit-message.ts';
import { conflict } from '#core/errors.ts';
import { SHA_INPUT_PATTERN } from '#core/names.ts';
import type { CommitRecord, CommitRequest, DiffQuery, LogQuery, RawFileDiff, RevisionStore } from '#core/ports.ts';
import { matchesAny } from '#core/target-config.ts';
import { listTreeBlobs } from './tree-reader.ts';
import { CatFileBatch } from './cat-file-batch.ts';
import { commitGraphIsFresh } from './commit-graph.ts';
import { GitError, firstLine, runGit, type GitOptions } from './git-cli.ts';
import { toGitPathspec, toLsTreePathspec, type GitPathspec } from './pathspec.ts';

export const DEPLOYMENTS_NOTES_REF = 'refs/notes/rewind-deployments';

export interface GitRevisionStoreOptions {
  /** A bare repository, or a work tree's top directory (its `.git` is used; the work tree never is). */
  repoPath: string;
  branch: string;
  /** A configured remote name or URL to fetch from and push to. */
  remote?: string;
  /** Least time between two fetches; reads in between use the local branch. Default 5 s. */
  fetchIntervalMs?: number;
  /** Called when a fetch fails; reads go on with the local branch. Default: ignore. */
  onFetchError?: (error: Error) => void;
  /** Write or refresh the commit-graph on open (default true). */
  writeCommitGraph?: boolean;
  /** Delay before listing the branch's commits after the first reachability question (default 1 s). */
  branchSetDelayMs?: number;
}

/** Upper bound on remembered reachable commits (about 100 bytes each). */
const REACHABLE_CACHE_MAX = 200_000;
/** `-c` settings that would change what our commands print, pinned for every call. */
const PINNED_CONFIG = ['-c', 'log.showSignature=false', '-c', 'log.follow=false', '-c', 'core.quotePath=false'];
/** One record per commit, NUL-separated: an empty marker field, then the fields below. */
const LOG_FORMAT = '--format=%x00%H%x00%at%x00%an%x00%ae%x00%N%x00%B';
const LOG_FIELDS = 6;
const IDS_FORMAT = '--format=%x00%H';
/** Past this many commits on the branch, reachability is asked of git each time instead of a set. */
const BRANCH_SET_MAX = 500_000;
/** Ranges remembered (a few per rollback commit of each target). */
const RANGE_CACHE_MAX = 10_000;
/** Newest-commit lookups (a target's head) remembered per branch head and notes head. */
const NEWEST_CACHE_MAX = 256;
/** Pathspec lists whose rollbacks are cached (one per target and service in practice). */
const ROLLBACK_CACHE_MAX = 1000;

interface RawCommit {
  fields: string[];
  names: string[];
}

/** Parses `git log -z --name-only` output of a format that starts with %x00 (see LOG_FORMAT). */
function parseLogOutput(output: string, fieldCount: number): RawCommit[] {
  const tokens = output.split('\0');
  const commits: RawCommit[] = [];
  let i = 0;
  while (i < tokens.length - 1) {
    if (tokens[i] !== '') throw new GitError('log', null, `unexpected output near ${JSON.stringify(tokens[i]!.slice(0, 80))}`);
    const fields = tokens.slice(i + 1, i + 1 + fieldCount);
    if (fields.length !== fieldCount) throw new GitError('log', null, 'truncated output');
    i += 1 + fieldCount;
    const names: string[] = [];
    // The file list follows the record after one LF; a commit without files has none.
    for (let first = true; i < tokens.length && tokens[i] !== ''; i++, first = false) {
      const name = first && tokens[i]!.startsWith('\n') ? tokens[i]!.slice(1) : tokens[i]!;
      if (name) names.push(name);
    }
    commits.push({ fields, names });
  }
  return commits;
}

function deployStatusOf(note: string): CommitRecord['deployStatus'] {
  const match = /^status:[ \t]*(\S+)[ \t]*$/im.exec(note);
  const value = match?.[1]!.toLowerCase();
  return value === 'failed' || value === 'success' ? value : undefined;
}

/** Callers own what they get: cached records are handed out as copies. */
function copyRecord(record: CommitRecord): CommitRecord {
  return { ...record, author: { ...record.author }, paths: [...record.paths] };
}

function sortPaths(paths: string[]): string[] {
  return paths.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function prefix(start: string): (sha: string) => boolean {
  return (sha) => sha.startsWith(start);
}

/**
 * Drops the `index <old>..<new> <mode>` header line: blob ids mean nothing to a reader, and without it
 * the patch is the one the in-memory store writes for the same change (core/compare.ts).
 */
function withoutIndexLine(patch: string): string {
  return patch.replace(/^(diff --git [^\n]*\n(?:(?:old|new|deleted file|new file) mode [^\n]*\n)*)index [0-9a-f]+\.\.[0-9a-f]+(?: \d+)?\n/, '$1');
}

/** Additions and deletions of one file's patch (hunk lines only), and whether git saw it as binary. */
function countPatch(patch: string): Pick<RawFileDiff, 'patch' | 'additions' | 'deletions' | 'binary'> {
  let additions = 0;
  let deletions = 0;
  let inHunks = false;
  let binary = false;
  for (const line of patch.split('\n')) {
    if (line.startsWith('@@')) inHunks = true;
    else if (!inHunks) {
      if (line.startsWith('Binary files ') || line === 'GIT binary patch') binary = true;
    } else if (line.startsWith('+')) additions++;
    else if (line.startsWith('-')) deletions++;
  }
  return binary ? { patch, additions, deletions, binary } : { patch, additions, deletions };
}

interface RawDiffEntry {
  path: string;
  status: RawFileDiff['status'];
  oldOid: string;
  newOid: string;
  /** False for submodules and for paths the git pathspec matched beyond the layout's rules. */
  keep: boolean;
}

/** The blob ids of a changed file: its old and new one, without the side where it is absent. */
function blobIds(entry: RawDiffEntry): string[] {
  const ids: string[] = [];
  if (entry.status !== 'added') ids.push(entry.oldOid);
  if (entry.status !== 'deleted') ids.push(entry.newOid);
  return ids;
}

/**
 * The `--raw -z` records at the start of diff-tree output (`:<old mode> <new mode> <old oid> <new oid>
 * <status>` NUL `<path>` NUL, per file), and where they end.
 */
function parseRawDiff(text: string, paths: readonly string[]): { entries: RawDiffEntry[]; end: number } {
  const entries: RawDiffEntry[] = [];
  let at = 0;
  while (text.charCodeAt(at) === 0x3a /* : */) {
    const metaEnd = text.indexOf('\0', at);
    const pathEnd = metaEnd === -1 ? -1 : text.indexOf('\0', metaEnd + 1);
    if (pathEnd === -1) throw new GitError('diff-tree', null, 'truncated raw output');
    const [oldMode, newMode, oldOid, newOid, letter] = text.slice(at + 1, metaEnd).split(' ');
    const path = text.slice(metaEnd + 1, pathEnd);
    at = pathEnd + 1;
    const keep = oldMode !== '160000' && newMode !== '160000' && matchesAny(paths, path);
    entries.push({ path, status: letter === 'A' ? 'added' : letter === 'D' ? 'deleted' : 'modified', oldOid: oldOid!, newOid: newOid!, keep });
  }
  return { entries, end: at };
}

function escapeBasicRegExp(text: string): string {
  return text.replace(/[.[\]*^$\\]/g, '\\$&');
}

function gitDate(timestamp: string | undefined): string {
  const ms = timestamp === undefined ? Date.now() : Date.parse(timestamp);
  if (Number.isNaN(ms)) throw new Error(`invalid commit timestamp ${JSON.stringify(timestamp)}`);
  return `${Math.floor(ms / 1000)} +0000`;
}

/** A repo path a commit may write: relative, no empty/`.`/`..` segment, no trailing slash. */
function isWritablePath(path: string): boolean {
  return (
    path.length > 0 &&
    !path.includes('\0') &&
    !path.includes('\n') &&
    path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && segment !== '.git')
  );
}

export class GitRevisionStore implements RevisionStore {
  readonly gitDir: string;
  readonly branch: string;
  readonly remote: string | undefined;
  private readonly ref: string;
  private readonly batch: CatFileBatch;
  private readonly fetchIntervalMs: number;
  private readonly onFetchError: (error: Error) => void;
  /** The set is listed this long after the first reachability question, off the request that asked. */
  private readonly branchSetDelayMs: number;
  /** Commits known to be on the branch (returned by a log of it); the branch only moves forward. */
  private readonly reachable = new Set<string>();
  /** Rollback commits per pathspec list at a branch head, extended incrementally as the branch moves. */
  private readonly rollbacks = new Map<string, { head: string; notes: string | null; records: CommitRecord[] }>();
  /** Results of `range`, which depend only on their arguments (commits are immutable). */
  private readonly ranges = new Map<string, string[]>();
  private readonly newest = new Map<string, CommitRecord[]>();
  /** Every commit reachable from the branch at `head`, listed on first need (see isOnBranch). */
  private branchSet: { head: string; commits: Promise<Set<string> | null> } | null = null;
  /** Whether a set has been listed (then it is kept up to date rather than asking git per commit). */
  private branchSetReady = false;
  private branchSetTooLarge = false;
  private branchSetTimer: NodeJS.Timeout | null = null;
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  private fetching: Promise<void> | null = null;

  private constructor(gitDir: string, options: GitRevisionStoreOptions) {
    this.gitDir = gitDir;
    this.branch = options.branch;
    this.remote = options.remote;
    this.ref = `refs/heads/${options.branch}`;
    this.batch = new CatFileBatch(gitDir);
    this.fetchIntervalMs = options.fetchIntervalMs ?? 5000;
    this.onFetchError = options.onFetchError ?? (() => {});
    this.branchSetDelayMs = options.branchSetDelayMs ?? 1000;
  }

  /**
   * Opens `repoPath` on `branch`. Throws an Error with one sentence a CLI can print when the path is
   * not a git repository or the branch does not exist.
   */
  static async open(options: GitRevisionStoreOptions): Promise<GitRevisionStore> {
    const repoPath = resolve(options.repoPath);
    const info = await stat(repoPath).catch(() => null);
    if (!info) throw new Error(`The repository path ${repoPath} does not exist.`);
    if (!info.isDirectory()) throw new Error(`The repository path ${repoPath} is not a directory.`);
    const real = await realpath(repoPath);
    let gitDir: string;
    try {
      // The ceiling stops git from walking up: a plain directory inside some other repo is not a repo.
      const out = await runGit(['rev-parse', '--absolute-git-dir'], { cwd: real, env: { GIT_CEILING_DIRECTORIES: dirname(real) } });
      gitDir = out.stdout.toString('utf8').trim();
    } catch (error) {
      const reason = error instanceof GitError ? firstLine(error.stderr).replace(/^fatal: /, '') : String(error);
      throw new Error(`${repoPath} is not a git repository (git says: ${reason}).`);
    }
    const check = await runGit(['check-ref-format', `refs/heads/${options.branch}`], { okCodes: [1] });
    if (check.code !== 0 || options.branch.startsWith('-')) {
      throw new Error(`"${options.branch}" is not a valid branch name.`);
    }
    const store = new GitRevisionStore(gitDir, options);
    if (store.remote) {
      await store.fetchNow().catch(async (error: unknown) => {
        await store.close();
        const reason = error instanceof GitError ? firstLine(error.stderr).replace(/^fatal: /, '') : String(error);
        throw new Error(`Cannot fetch "${options.branch}" from the remote ${store.remote} (git says: ${reason}).`);
      });
    }
    const head = await store.readHead().catch(() => null);
    if (!head) {
      await store.close();
      throw new Error(`The branch "${options.branch}" does not exist in ${repoPath}${store.remote ? ` (nor on ${store.remote})` : ''}.`);
    }
    if (options.writeCommitGraph ?? true) await store.ensureCommitGraph(head);
    return store;
  }

  // --- RevisionStore ------------------------------------------------------------------------------

  async branchHead(): Promise<string | null> {
    await this.maybeFetch();
    return this.readHead();
  }

  async resolveCommit(ref: string): Promise<string | null> {
    if (!SHA_INPUT_PATTERN.test(ref)) return null;
    // Fast path: a commit this store returned from a log of the branch (every cursor it handed out).
    if (this.reachable.has(ref)) return ref;
    const head = await this.readHead();
    if (!head) return null;
    const found = await this.batch.read(`${ref}^{commit}`);
    if (found.kind === 'missing') return null;
    // Ambiguous among all objects of the repo: it may still name exactly one commit of the branch.
    if (found.kind === 'ambiguous') return this.findOnBranch(head, prefix(ref));
    if (!found.oid.startsWith(ref) || !(await this.isOnBranch(head, found.oid))) return null;
    this.rememberReachable(found.oid);
    return found.oid;
  }

  async log(query: LogQuery): Promise<CommitRecord[]> {
    if (query.limit <= 0) return [];
    const pathspec = toGitPathspec(query.paths);
    if (pathspec.kind === 'none') return [];
    const start = query.after ?? query.at ?? (await this.head());
    if (!start) return [];
    // "The newest commit touching these paths" (a target's or a service's head) is asked on every
    // overview, status and plan. Its answer only changes when the branch or the deployment notes move.
    if (query.after === undefined && query.limit === 1) {
      const key = `${start}\0${(await this.readNotesHead()) ?? ''}\0${JSON.stringify(query.paths)}`;
      const cached = this.newest.get(key);
      if (cached) return cached.map((record) => ({ ...record, author: { ...record.author }, paths: [...record.paths] }));
      const found = await this.logUncached(query, pathspec, start);
      if (this.newest.size >= NEWEST_CACHE_MAX) this.newest.delete(this.newest.keys().next().value!);
      this.newest.set(key, found);
      return found.map((record) => ({ ...record, author: { ...record.author }, paths: [...record.paths] }));
    }
    return this.logUncached(query, pathspec, start);
  }

  private async logUncached(query: LogQuery, pathspec: GitPathspec, first: string): Promise<CommitRecord[]> {
    let start = first;
    let skip = query.after;
    // What a log of the branch returns is on the branch: remembered, so its ids resolve (as cursors)
    // without asking git. A log after a commit not known to be on the branch proves nothing.
    const from = query.after ?? query.at;
    const onBranch = from === undefined || this.reachable.has(from);
    const found: CommitRecord[] = [];
    const done = () => {
      if (onBranch) for (const record of found) this.rememberReachable(record.sha);
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
    const pathspec = toGitPathspec(query.paths);
    if (pathspec.kind === 'none') return [];
    // Commits never change, so neither does a range between two of them: the rolled-back index asks
    // the same ranges again each time the branch moves, and only new rollbacks cost a git call.
    const key = `${query.since}..${query.until}\0${JSON.stringify(query.paths)}`;
    const cached = this.ranges.get(key);
    if (cached) return [...cached];
    const output = await this.git([
      ...PINNED_CONFIG,
      'log',
      '--first-parent',
      '--diff-merges=first-parent',
      '--no-renames',
      '--name-only',
      '-z',
      IDS_FORMAT,
      '--end-of-options',
      `${query.since}..${query.until}`,
      '--',
      ...pathspecArgs(pathspec),
    ]);
    const shas = parseLogOutput(output.stdout.toString('utf8'), 1)
      .filter((raw) => raw.names.some((name) => matchesAny(query.paths, name)))
      .map((raw) => raw.fields[0]!);
    if (this.ranges.size >= RANGE_CACHE_MAX) this.ranges.delete(this.ranges.keys().next().value!);
    this.ranges.set(key, shas);
    return [...shas];
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
    } else if (cached && (await this.isAncestor(cached.head, head))) {
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
    const files = new Map<string, string>();
    const pathspec = toLsTreePathspec(paths);
    if (pathspec.kind === 'none') return files;
    // Directory pathspecs (every layout's services) are listed through cat-file: no process per read.
    const dirs = paths.every((p) => p.endsWith('/') && p.length > 1 && !/[*?[\n]/.test(p)) ? paths.map((p) => p.slice(0, -1)) : null;
    const fromTrees = dirs && SHA_INPUT_PATTERN.test(sha) ? await listTreeBlobs(this.batch, sha, dirs) : null;
    const wanted: { path: string; oid: string }[] = fromTrees ?? [];
    const listing = fromTrees ? null : await this.git(['ls-tree', '-r', '-z', '--full-tree', '--end-of-options', sha, '--', ...pathspecArgs(pathspec)]);
    for (const entry of listing?.stdout.toString('utf8').split('\0') ?? []) {
      // <mode> SP <type> SP <oid> TAB <path>
      const tab = entry.indexOf('\t');
      if (tab === -1) continue;
      const [, type, oid] = entry.slice(0, tab).split(' ');
      const path = entry.slice(tab + 1);
      if (type === 'blob' && oid && matchesAny(paths, path)) wanted.push({ path, oid });
    }
    const blobs = await this.batch.readMany([...new Set(wanted.map((w) => w.oid))]);
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
    const pathspec = toGitPathspec(query.paths);
    if (pathspec.kind === 'none') return [];
    let specs = pathspecArgs(pathspec);
    if (query.file !== undefined) {
      // One file, literally; the target's paths still decide below whether it is part of the target.
      if (!matchesAny(query.paths, query.file)) return [];
      specs = [`:(literal)${query.file}`];
    } else if (pathspec.kind === 'all') {
      // No pathspec narrows git: find the target's files among all changes first, so that git writes
      // patches for those only.
      const raw = await this.git(['diff-tree', '-r', '-z', '--raw', '--no-renames', '--end-of-options', query.from, query.to]);
      specs = parseRawDiff(raw.stdout.toString('utf8'), query.paths)
        .entries.filter((entry) => entry.keep)
        .map((entry) => `:(literal)${entry.path}`);
      if (specs.length === 0) return [];
    }
    // One process: which files changed (`--raw`, NUL-terminated), then their patches in the same
    // (git's) order, one `diff --git` block per file. Plumbing: no user diff config applies.
    const output = await this.git([
      'diff-tree',
      '-r',
      '-z',
      '--raw',
      '-p',
      '--histogram',
      '--no-renames',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
      `-U${query.context ?? 3}`,
      '--src-prefix=a/',
      '--dst-prefix=b/',
      '--end-of-options',
      query.from,
      query.to,
      '--',
      ...specs,
    ]);
    const text = output.stdout.toString('utf8');
    const { entries, end } = parseRawDiff(text, query.paths);
    if (!entries.some((entry) => entry.keep)) return [];
    // A NUL separates the records from the patches.
    const blocks = text
      .slice(text.charCodeAt(end) === 0 ? end + 1 : end)
      .split(/^(?=diff --git )/m)
      .filter((block) => block.startsWith('diff --git '));
    if (blocks.length !== entries.length) throw new GitError('diff-tree', null, `expected ${entries.length} file diffs, got ${blocks.length}`);
    const diffs: RawFileDiff[] = [];
    const textual: { diff: RawFileDiff; entry: RawDiffEntry }[] = [];
    entries.forEach((entry, i) => {
      if (!entry.keep) return;
      const diff: RawFileDiff = { path: entry.path, status: entry.status, ...countPatch(withoutIndexLine(blocks[i]!)) };
      diffs.push(diff);
      if (query.withTexts && !diff.binary) textual.push({ diff, entry });
    });
    if (textual.length > 0) {
      // Read once git says they are text, so a large binary is never read. (Reading alongside git's
      // diff, from a second `--raw` listing, was measured slower: two processes compete for the CPU.)
      const read = await this.readTexts(textual.map(({ entry }) => entry));
      for (const { diff, entry } of textual) {
        diff.oldText = entry.status === 'added' ? null : read.get(entry.oldOid)!;
        diff.newText = entry.status === 'deleted' ? null : read.get(entry.newOid)!;
      }
    }
    return diffs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The blobs of `entries` (both sides), by id, as UTF-8 text: one round trip through cat-file. */
  private async readTexts(entries: readonly RawDiffEntry[]): Promise<Map<string, string>> {
    const oids = [...new Set(entries.flatMap(blobIds))];
    const texts = new Map<string, string>();
    if (oids.length === 0) return texts;
    const blobs = await this.batch.readMany(oids);
    blobs.forEach((blob, i) => {
      if (blob.kind !== 'found') throw new GitError('cat-file', null, `blob ${oids[i]} is missing`);
      // ASCII (most manifests) reads the same in both; latin1 skips UTF-8 validation (2 ms per 2 MB).
      texts.set(oids[i]!, blob.content.toString(isAscii(blob.content) ? 'latin1' : 'utf8'));
    });
    return texts;
  }

  async commit(request: CommitRequest): Promise<string> {
    const head = await this.head();
    if (head !== request.expectedHead) throw this.branchMoved(request.expectedHead, head);
    const paths = Object.keys(request.changes);
    for (const path of paths) if (!isWritablePath(path)) throw new Error(`cannot commit the path ${JSON.stringify(path)}`);
    const date = gitDate(request.timestamp);

    const scratch = await mkdtemp(join(tmpdir(), 'rewind-commit-'));
    try {
      const env = { GIT_INDEX_FILE: join(scratch, 'index') };
      const writes = paths.filter((path) => request.changes[path] !== null && request.changes[path] !== undefined);
      const deletes = paths.filter((path) => request.changes[path] === null);
      const hashBlobs = async (): Promise<string[]> => {
        if (writes.length === 0) return [];
        const blobFiles = await Promise.all(
          writes.map(async (path, i) => {
            const file = join(scratch, `blob-${i}`);
            await writeFile(file, request.changes[path]!, 'utf8');
            return file;
          }),
        );
        const output = await this.git(['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: blobFiles.join('\n') + '\n' });
        return output.stdout.toString('utf8').split('\n').filter(Boolean);
      };
      // These three do not depend on each other: run them at once, so the critical path is as long as
      // the plumbing floor's (read-tree → update-index → write-tree → commit-tree → update-ref).
      const [, modes, oids] = await Promise.all([
        this.git(['read-tree', request.expectedHead], { env }),
        this.modesAt(request.expectedHead, writes),
        hashBlobs(),
      ]);
      if (oids.length !== writes.length) throw new GitError('hash-object', null, `expected ${writes.length} ids, got ${oids.length}`);
      const zero = '0'.repeat(40);
      const indexInfo = [
        ...deletes.map((path) => `0 ${zero}\t${path}\0`),
        ...writes.map((path, i) => `${modes.get(path) ?? '100644'} ${oids[i]}\t${path}\0`),
      ].join('');
      if (indexInfo) await this.git(['update-index', '-z', '--index-info'], { env, input: indexInfo });
      const tree = (await this.git(['write-tree'], { env })).stdout.toString('utf8').trim();

      const identity = {
        GIT_AUTHOR_NAME: request.author.name,
        GIT_AUTHOR_EMAIL: request.author.email,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: request.author.name,
        GIT_COMMITTER_EMAIL: request.author.email,
        GIT_COMMITTER_DATE: date,
      };
      const created = (
        await this.git(['commit-tree', '--no-gpg-sign', tree, '-p', request.expectedHead], { env: identity, input: request.message })
      ).stdout
        .toString('utf8')
        .trim();

      await this.moveBranch(created, request.expectedHead);
      if (this.remote) await this.push(created, request.expectedHead);
      return created;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** Stops the cat-file process. */
  async close(): Promise<void> {
    if (this.branchSetTimer) clearTimeout(this.branchSetTimer);
    this.branchSetTimer = null;
    await this.batch.close();
  }

  // --- internals ----------------------------------------------------------------------------------

  private git(args: readonly string[], options: Omit<GitOptions, 'cwd'> = {}) {
    return runGit(['--git-dir', this.gitDir, ...args], { ...options, cwd: this.gitDir });
  }

  /** The branch head for a read, fetching first when a remote is configured and due. */
  private async head(): Promise<string | null> {
    await this.maybeFetch();
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
        this.rememberReachable(record.sha);
      }
    }
    return found;
  }

  private async scan(revs: readonly string[], pathspec: GitPathspec, extra: readonly string[]): Promise<RawCommit[]> {
    const output = await this.git([
      ...PINNED_CONFIG,
      'log',
      '--first-parent',
      '--diff-merges=first-parent',
      '--no-renames',
      '--name-only',
      '-z',
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

  private rememberReachable(sha: string): void {
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
  private async isOnBranch(head: string, sha: string): Promise<boolean> {
    if (this.branchSetReady) {
      // Same head: a lookup; the branch moved forward since: two small git calls extend the set.
      const commits = await this.branchCommits(head);
      if (commits) return commits.has(sha);
    } else if (!this.branchSet && !this.branchSetTooLarge && !this.branchSetTimer) {
      this.branchSetTimer = setTimeout(() => {
        this.branchSetTimer = null;
        this.branchCommits(head).catch(() => {});
      }, this.branchSetDelayMs);
      this.branchSetTimer.unref();
    }
    return this.isAncestor(sha, head);
  }

  private async findOnBranch(head: string, match: (sha: string) => boolean): Promise<string | null> {
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

  private async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.git(['merge-base', '--is-ancestor', ancestor, descendant], { okCodes: [1] });
    return result.code === 0;
  }

  private async modesAt(commit: string, paths: readonly string[]): Promise<Map<string, string>> {
    const modes = new Map<string, string>();
    if (paths.length === 0) return modes;
    const listing = await this.git(['ls-tree', '-z', '--full-tree', commit, '--', ...paths.map((p) => `:(literal)${p}`)]);
    for (const entry of listing.stdout.toString('utf8').split('\0')) {
      const tab = entry.indexOf('\t');
      if (tab === -1) continue;
      const mode = entry.slice(0, entry.indexOf(' '));
      // Keep an executable bit or a symlink; anything else (a directory, a submodule) becomes a file.
      if (mode === '100755' || mode === '120000') modes.set(entry.slice(tab + 1), mode);
    }
    return modes;
  }

  private branchMoved(expected: string, found: string | null) {
    return conflict(`the branch moved: expected ${expected.slice(0, 7)}, found ${found?.slice(0, 7) ?? 'nothing'}`);
  }

  /** Compare-and-swap of the branch ref; a lost race is a conflict. */
  private async moveBranch(to: string, from: string): Promise<void> {
    try {
      await this.git(['update-ref', '-m', 'rewind: commit', this.ref, to, from]);
    } catch (error) {
      const now = await this.readHead();
      if (now !== from) throw this.branchMoved(from, now);
      throw error;
    }
  }

  private async push(created: string, previous: string): Promise<void> {
    const remote = this.remote!;
    const undo = async () => {
      this.reachable.delete(created);
      this.rollbacks.clear();
      this.branchSet = null;
      this.branchSetReady = false;
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

  private maybeFetch(): Promise<void> {
    if (!this.remote) return Promise.resolve();
    if (this.fetching) return this.fetching;
    if (Date.now() - this.lastFetchAt < this.fetchIntervalMs) return Promise.resolve();
    return this.fetchNow().catch((error: unknown) => this.onFetchError(error instanceof Error ? error : new Error(String(error))));
  }

  /** Fast-forwards the branch from the remote (never forced) and mirrors its deployment notes. */
  private fetchNow(): Promise<void> {
    this.lastFetchAt = Date.now();
    const run = this.git([
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      '--update-head-ok',
      this.remote!,
      `${this.ref}:${this.ref}`,
      `+${DEPLOYMENTS_NOTES_REF}*:${DEPLOYMENTS_NOTES_REF}*`,
    ]).then(() => {});
    this.fetching = run.finally(() => {
      this.fetching = null;
    });
    return this.fetching;
  }

  private async ensureCommitGraph(head: string): Promise<void> {
    const objects = resolve(this.gitDir, (await this.git(['rev-parse', '--git-path', 'objects'])).stdout.toString('utf8').trim());
    if (await commitGraphIsFresh(objects, head)) return;
    await this.git(['commit-graph', 'write', '--reachable', '--changed-paths']);
  }
}

function pathspecArgs(pathspec: GitPathspec): string[] {
  return pathspec.kind === 'some' ? pathspec.specs : [];
}
