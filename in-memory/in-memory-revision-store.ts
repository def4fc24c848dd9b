/**
 * RevisionStore over an in-memory linear history: the browser's mock backend and the tests use it.
 * Commits keep only the files they changed; a path's change list is indexed so reading a tree at any
 * revision is a binary search per file rather than a replay.
 */
import { ROLLBACK_HEADER_PREFIX } from '#core/commit-message.ts';
import { DEFAULT_PATCH_BOUNDS, unifiedGitPatch, type PatchBounds } from '#core/git-patch.ts';
import { conflict } from '#core/errors.ts';
import type { CommitRecord, CommitRequest, DiffQuery, LogQuery, RawFileDiff, RevisionStore } from '#core/ports.ts';
import { matchesAny } from '#core/target-config.ts';
import { fakeSha } from './fake-sha.ts';

export interface NewCommit {
  timestamp: string;
  author: { name: string; email: string };
  message: string;
  /** Path → full new content; null deletes the file. */
  changes: Record<string, string | null>;
  deployStatus?: 'success' | 'failed';
}

interface StoredCommit extends NewCommit {
  sha: string;
  changedPaths: string[];
}

export class InMemoryRevisionStore implements RevisionStore {
  /** Every file's jsdiff is bounded (time and edit length); beyond, it is a whole-file replacement. */
  constructor(private readonly patchBounds: PatchBounds = DEFAULT_PATCH_BOUNDS) {}

  private readonly commits: StoredCommit[] = [];
  private readonly indexBySha = new Map<string, number>();
  /** Path → ascending indexes of the commits that changed it. */
  private readonly changesByPath = new Map<string, number[]>();

  append(commit: NewCommit): string {
    const parent = this.commits.at(-1)?.sha ?? '';
    const changedPaths = Object.keys(commit.changes).sort();
    const sha = fakeSha(`${parent}\n${commit.timestamp}\n${commit.author.email}\n${commit.message}\n${changedPaths.join('\n')}\n${this.commits.length}`);
    const index = this.commits.length;
    this.commits.push({ ...commit, sha, changedPaths });
    this.indexBySha.set(sha, index);
    for (const path of changedPaths) {
      let list = this.changesByPath.get(path);
      if (!list) this.changesByPath.set(path, (list = []));
      list.push(index);
    }
    return sha;
  }

  /** Records a deployment outcome after the fact, as a CD notification would. */
  setDeployStatus(sha: string, status: 'success' | 'failed'): void {
    const commit = this.commits[this.requireIndex(sha)]!;
    commit.deployStatus = status;
  }

  get size(): number {
    return this.commits.length;
  }

  async branchHead(): Promise<string | null> {
    return this.commits.at(-1)?.sha ?? null;
  }

  async resolveCommit(ref: string): Promise<string | null> {
    if (this.indexBySha.has(ref)) return ref;
    if (!/^[0-9a-f]{4,39}$/.test(ref)) return null;
    let found: string | null = null;
    for (const commit of this.commits) {
      if (commit.sha.startsWith(ref)) {
        if (found) return null; // ambiguous: refuse to guess
        found = commit.sha;
      }
    }
    return found;
  }

  async log(query: LogQuery): Promise<CommitRecord[]> {
    const start =
      query.after !== undefined ? this.requireIndex(query.after) - 1 : query.at !== undefined ? this.requireIndex(query.at) : this.commits.length - 1;
    const found: CommitRecord[] = [];
    for (let i = start; i >= 0 && found.length < query.limit; i--) {
      const record = this.recordFor(this.commits[i]!, query.paths);
      if (record) found.push(record);
    }
    return found;
  }

  async range(query: { paths: readonly string[]; since: string; until: string }): Promise<string[]> {
    const since = this.requireIndex(query.since);
    const until = this.requireIndex(query.until);
    const shas: string[] = [];
    for (let i = until; i > since; i--) {
      const commit = this.commits[i]!;
      if (commit.changedPaths.some((path) => matchesAny(query.paths, path))) shas.push(commit.sha);
    }
    return shas;
  }

  async logRollbacks(paths: readonly string[]): Promise<CommitRecord[]> {
    const found: CommitRecord[] = [];
    for (let i = this.commits.length - 1; i >= 0; i--) {
      const commit = this.commits[i]!;
      if (!commit.message.startsWith(ROLLBACK_HEADER_PREFIX)) continue;
      const record = this.recordFor(commit, paths);
      if (record) found.push(record);
    }
    return found;
  }

  async readFiles(paths: readonly string[], sha: string): Promise<Map<string, string>> {
    const at = this.requireIndex(sha);
    const files = new Map<string, string>();
    for (const [path, indexes] of this.changesByPath) {
      if (!matchesAny(paths, path)) continue;
      const last = lastAtOrBefore(indexes, at);
      if (last === -1) continue;
      const content = this.commits[last]!.changes[path];
      if (content !== null && content !== undefined) files.set(path, content);
    }
    return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  async diff(query: DiffQuery): Promise<RawFileDiff[]> {
    if (query.file !== undefined && !matchesAny(query.paths, query.file)) return [];
    // Exactly the one file: a path holding `*` or `?` is a name here, not a pattern.
    const only = query.file;
    const read = async (sha: string) =>
      only === undefined ? this.readFiles(query.paths, sha) : new Map([...(await this.readFiles(query.paths, sha))].filter(([path]) => path === only));
    const [before, after] = await Promise.all([read(query.from), read(query.to)]);
    const paths = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const diffs: RawFileDiff[] = [];
    for (const path of paths) {
      const oldText = before.get(path) ?? null;
      const newText = after.get(path) ?? null;
      if (oldText === newText) continue;
      diffs.push(unifiedGitPatch(path, oldText, newText, this.patchBounds, query.context));
    }
    return diffs;
  }

  async commit(request: CommitRequest): Promise<string> {
    const head = await this.branchHead();
    if (head !== request.expectedHead) {
      throw conflict(`the branch moved: expected ${request.expectedHead.slice(0, 7)}, found ${head?.slice(0, 7) ?? 'nothing'}`);
    }
    return this.append({
      timestamp: request.timestamp ?? new Date().toISOString(),
      author: request.author,
      message: request.message,
      changes: request.changes,
    });
  }

  private recordFor(commit: StoredCommit, paths: readonly string[]): CommitRecord | null {
    const touched = commit.changedPaths.filter((path) => matchesAny(paths, path));
    if (touched.length === 0) return null;
    const record: CommitRecord = {
      sha: commit.sha,
      timestamp: commit.timestamp,
      author: commit.author,
      message: commit.message,
      paths: touched,
    };
    if (commit.deployStatus) record.deployStatus = commit.deployStatus;
    return record;
  }

  private requireIndex(sha: string): number {
    const index = this.indexBySha.get(sha);
    if (index === undefined) throw new Error(`unknown commit ${sha}`);
    return index;
  }
}

/** Index of the greatest element ≤ `at` in an ascending list, or -1. */
function lastAtOrBefore(sorted: readonly number[], at: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= at) {
      best = sorted[mid]!;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}
