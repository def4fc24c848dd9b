/**
 * Writes a commit without a work tree, in one `git fast-import` process: the changed blobs inline,
 * deletions, on top of `expectedHead` (`from`), the new commit's id read back with `get-mark`. The
 * objects of a commit of fewer than 100 objects are written loose (`fastimport.unpackLimit`, git's
 * own default for what a push receives), as `hash-object -w` did, so no pack piles up per rollback; a
 * larger one is one pack, as a push of it would be. The temporary ref fast-import needs is reset
 * away in the same stream, so no ref moves here. The store moves the branch with a compare-and-swap (`update-ref <new> <old>`).
 *
 * This replaced a temporary index (`read-tree`, `ls-tree`, `hash-object` over scratch files,
 * `update-index`, `write-tree`, `commit-tree`: six processes and a scratch directory) in decision 041;
 * the commit object is the same bytes.
 */
import { randomBytes } from 'node:crypto';
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

/** Bytes git strips from the ends of a name or email (ident.c `crud`). */
const isCrud = (c: string) => c <= ' ' || '.,:;<>"\\\''.includes(c);

/**
 * A name or email as `commit-tree` records it from GIT_AUTHOR_*: crud trimmed from both ends, then
 * `<`, `>` and newlines dropped anywhere (ident.c `strbuf_addstr_without_crud`).
 */
export function identPart(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isCrud(text[start]!)) start++;
  while (end > start && isCrud(text[end - 1]!)) end--;
  return text.slice(start, end).replace(/[<>\n]/g, '');
}

/** A path as a fast-import C-style quoted string (any path is safe so, spaces and leading quotes too). */
function quoted(path: string): string {
  return `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function data(text: string): Buffer[] {
  const body = Buffer.from(text, 'utf8');
  return [Buffer.from(`data ${body.length}\n`), body, Buffer.from('\n')];
}

/**
 * The ids of new commits, each on top of the one before and the first on top of `base`, written in
 * one fast-import stream (one commit, or a series of rollbacks of different targets, decision 049).
 * `keptModes` gives the modes to keep of paths that exist (an executable bit, a symlink), read at
 * `base` for every commit (the series' commits write disjoint paths); every other written file is a
 * regular file (100644).
 */
export async function writeCommits(
  git: GitRunner,
  base: string,
  requests: readonly Omit<CommitRequest, 'expectedHead'>[],
  keptModes: (paths: readonly string[]) => Promise<Map<string, string>>,
): Promise<string[]> {
  if (requests.length === 0) return [];
  const written = requests.map((request) => {
    const paths = Object.keys(request.changes);
    for (const path of paths) if (!isWritablePath(path)) throw new Error(`cannot commit the path ${JSON.stringify(path)}`);
    return {
      request,
      date: gitDate(request.timestamp),
      writes: paths.filter((path) => request.changes[path] !== null && request.changes[path] !== undefined),
      deletes: paths.filter((path) => request.changes[path] === null),
    };
  });
  const modes = await keptModes([...new Set(written.flatMap((commit) => commit.writes))]);

  const ref = `refs/rewind/commit-${randomBytes(8).toString('hex')}`;
  const stream: Buffer[] = [];
  written.forEach(({ request, date, writes, deletes }, index) => {
    const ident = `${identPart(request.author.name)} <${identPart(request.author.email)}> ${date}`;
    stream.push(
      Buffer.from(`commit ${ref}\nmark :${index + 1}\nauthor ${ident}\ncommitter ${ident}\n`),
      ...data(request.message),
      Buffer.from(`from ${index === 0 ? base : `:${index}`}\n`),
      ...deletes.map((path) => Buffer.from(`D ${quoted(path)}\n`)),
      ...writes.flatMap((path) => [Buffer.from(`M ${modes.get(path) ?? '100644'} inline ${quoted(path)}\n`), ...data(request.changes[path]!)]),
      Buffer.from('\n'),
    );
  });
  // Each commit ends at its blank line; their ids come back on stdout (--cat-blob-fd=1); `reset`
  // without `from` leaves the temporary ref uncreated.
  stream.push(Buffer.from(`${written.map((_, index) => `get-mark :${index + 1}\n`).join('')}reset ${ref}\n\ndone\n`));
  const output = await git(
    ['-c', 'fastimport.unpackLimit=100', 'fast-import', '--quiet', '--done', '--date-format=raw', '--cat-blob-fd=1'],
    { input: Buffer.concat(stream) },
  );
  const created = output.stdout.toString('utf8').trim().split('\n');
  if (created.length !== requests.length || !created.every((id) => /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(id))) {
    throw new GitError('fast-import', null, `expected ${requests.length} commit id(s), got ${JSON.stringify(created.join(' ').slice(0, 100))}`);
  }
  return created;
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
