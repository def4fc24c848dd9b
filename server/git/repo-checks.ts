/**
 * What is checked before Rewind serves a repository: that the path is one, that no work tree has the
 * served branch checked out (issue 11: a commit that moves a checked-out branch leaves that clone's
 * index and files behind, and its next `git commit -a` silently undoes every rollback), and which
 * branch is served when none is configured (the repository's default, its HEAD).
 */
import { realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { GitRunner } from './branch-membership.ts';
import { GitError, firstLine, runGit } from './git-cli.ts';

/** The absolute git dir of `repoPath` (a bare repository or a work tree's top directory), or an Error with one sentence. */
export async function locateGitDir(repoPath: string): Promise<string> {
  const info = await stat(repoPath).catch(() => null);
  if (!info) throw new Error(`The repository path ${repoPath} does not exist.`);
  if (!info.isDirectory()) throw new Error(`The repository path ${repoPath} is not a directory.`);
  const real = await realpath(repoPath);
  try {
    // The ceiling stops git from walking up: a plain directory inside some other repo is not a repo.
    const out = await runGit(['rev-parse', '--absolute-git-dir'], { cwd: real, env: { GIT_CEILING_DIRECTORIES: dirname(real) } });
    return out.stdout.toString('utf8').trim();
  } catch (error) {
    const reason = error instanceof GitError ? firstLine(error.stderr).replace(/^fatal: /, '') : String(error);
    throw new Error(`${repoPath} is not a git repository (git says: ${reason}).`);
  }
}

/** The work trees of the repository that have `branch` checked out (none for a bare clone that has no linked work tree). */
export async function workTreesWith(git: GitRunner, branch: string): Promise<string[]> {
  const listing = (await git(['worktree', 'list', '--porcelain'])).stdout.toString('utf8');
  const found: string[] = [];
  for (const block of listing.split('\n\n')) {
    const lines = block.split('\n');
    const path = lines.find((line) => line.startsWith('worktree '))?.slice('worktree '.length);
    if (path !== undefined && lines.includes(`branch refs/heads/${branch}`) && !lines.includes('bare')) found.push(path);
  }
  return found;
}

/** Why Rewind refuses to commit to `branch` of `repoPath`, checked out in `workTrees`. */
export function checkedOutRefusal(repoPath: string, branch: string, workTrees: readonly string[]): string {
  return (
    `${repoPath} has the branch "${branch}" checked out in the work tree ${workTrees.join(', ')}. Rewind commits without a work tree, ` +
    `so that clone's index and files would not follow its rollbacks, and the next "git commit -a" there would undo them. ` +
    `Serve a bare clone instead (git clone --bare <url> infra.git, then repo.path: infra.git), or let Rewind keep its own mirror ` +
    `(repo.url: <url> instead of repo.path), or check out another branch in that clone and push Rewind's commits with repo.remote.`
  );
}

/** The branch HEAD names (`main` for `refs/heads/main`), or null when HEAD is detached or names no branch. */
export async function defaultBranch(git: GitRunner): Promise<string | null> {
  const out = await git(['symbolic-ref', '--quiet', 'HEAD'], { okCodes: [1, 128] });
  const ref = out.code === 0 ? out.stdout.toString('utf8').trim() : '';
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
}

/** The repository's branches, for an error that says which ones there are. */
export async function branchNames(git: GitRunner, limit = 10): Promise<string[]> {
  const out = await git(['for-each-ref', `--count=${limit}`, '--format=%(refname:short)', 'refs/heads/']).catch(() => null);
  return out ? out.stdout.toString('utf8').split('\n').filter(Boolean) : [];
}
