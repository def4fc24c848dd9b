/**
 * Writes a commit without a work tree: the parent's tree read into a temporary index
 * (`GIT_INDEX_FILE`), the changed blobs hashed, `write-tree`, `commit-tree`. The branch does not move
 * here; the store moves it with a compare-and-swap (`update-ref <new> <old>`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conflict } from '#core/errors.ts';
import type { CommitRequest } from '#core/ports.ts';
import type { GitRunner } from './branch-membership.ts';
import { GitError } from './git-cli.ts';

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

/** The id of a new commit holding `request.changes` on top of `request.expectedHead`. */
export async function writeCommit(git: GitRunner, request: CommitRequest): Promise<string> {
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
      const output = await git(['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: blobFiles.join('\n') + '\n' });
      return output.stdout.toString('utf8').split('\n').filter(Boolean);
    };
    // These three do not depend on each other: run them at once, so the critical path is as long as
    // the plumbing floor's (read-tree → update-index → write-tree → commit-tree → update-ref).
    const [, modes, oids] = await Promise.all([
      git(['read-tree', request.expectedHead], { env }),
      modesAt(git, request.expectedHead, writes),
      hashBlobs(),
    ]);
    if (oids.length !== writes.length) throw new GitError('hash-object', null, `expected ${writes.length} ids, got ${oids.length}`);
    const zero = '0'.repeat(40);
    const indexInfo = [
      ...deletes.map((path) => `0 ${zero}\t${path}\0`),
      ...writes.map((path, i) => `${modes.get(path) ?? '100644'} ${oids[i]}\t${path}\0`),
    ].join('');
    if (indexInfo) await git(['update-index', '-z', '--index-info'], { env, input: indexInfo });
    const tree = (await git(['write-tree'], { env })).stdout.toString('utf8').trim();

    const identity = {
      GIT_AUTHOR_NAME: request.author.name,
      GIT_AUTHOR_EMAIL: request.author.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: request.author.name,
      GIT_COMMITTER_EMAIL: request.author.email,
      GIT_COMMITTER_DATE: date,
    };
    const created = (
      await git(['commit-tree', '--no-gpg-sign', tree, '-p', request.expectedHead], { env: identity, input: request.message })
    ).stdout
      .toString('utf8')
      .trim();
    return created;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function modesAt(git: GitRunner, commit: string, paths: readonly string[]): Promise<Map<string, string>> {
  const modes = new Map<string, string>();
  if (paths.length === 0) return modes;
  const listing = await git(['ls-tree', '-z', '--full-tree', commit, '--', ...paths.map((p) => `:(literal)${p}`)]);
  for (const entry of listing.stdout.toString('utf8').split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab === -1) continue;
    const mode = entry.slice(0, entry.indexOf(' '));
    // Keep an executable bit or a symlink; anything else (a directory, a submodule) becomes a file.
    if (mode === '100755' || mode === '120000') modes.set(entry.slice(tab + 1), mode);
  }
  return modes;
}

export function branchMoved(expected: string, found: string | null) {
  return conflict(`the branch moved: expected ${expected.slice(0, 7)}, found ${found?.slice(0, 7) ?? 'nothing'}`);
}

/** Compare-and-swap of the branch ref; a lost race is a conflict. */
export async function moveBranch(git: GitRunner, ref: string, to: string, from: string, readHead: () => Promise<string | null>): Promise<void> {
  try {
    await git(['update-ref', '-m', 'rewind: commit', ref, to, from]);
  } catch (error) {
    const now = await readHead();
    if (now !== from) throw branchMoved(from, now);
    throw error;
  }
}
