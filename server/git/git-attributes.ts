/**
 * Whether git attributes could decide how git diffs a file here (`binary`, `-diff`), for the field
 * table's diff without patches (decision 050): where none can, git's own rule (a NUL in the first
 * 8000 bytes) says which files are binary, and no patch is needed to know it.
 *
 * Attributes come from outside the trees (a work tree's files and index, `$GIT_DIR/info/attributes`,
 * `core.attributesFile` or its default, the system file) and, in newer git, from a tree for a bare
 * repository. So: anything outside the trees → yes, once per store; else a `.gitattributes` at the root
 * or in a directory above a changed path, in any commit compared or at the branch head → yes.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CatFileBatch } from './cat-file-batch.ts';
import type { GitResult } from './git-cli.ts';

type Git = (args: readonly string[], options?: { okCodes?: readonly number[] }) => Promise<GitResult>;

/** The repository's own attributes file: looked at on every question (a file check, no process). */
export function repoAttributesFile(gitDir: string): boolean {
  return existsSync(join(gitDir, 'info', 'attributes'));
}

/** The settings and files of the machine and the repository's config, read once per store (at open). */
export async function attributesOutsideTrees(git: Git, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  // One process for both settings (names come back lower-cased; a bool as git normalises it).
  const settings = (await git(['config', '--bool-or-str', '--get-regexp', '^core\\.(bare|attributesfile)$'], { okCodes: [1] })).stdout.toString('utf8');
  const value = (name: string) => new RegExp(`^core\\.${name} (.*)$`, 'm').exec(settings)?.[1]?.trim();
  if (value('bare') !== 'true') return true;
  if ((value('attributesfile') ?? '') !== '') return true;
  const xdg = env.XDG_CONFIG_HOME ? join(env.XDG_CONFIG_HOME, 'git', 'attributes') : join(env.HOME ?? homedir(), '.config', 'git', 'attributes');
  if (existsSync(xdg)) return true;
  return !env.GIT_ATTR_NOSYSTEM && existsSync('/etc/gitattributes');
}

/** The `.gitattributes` paths that could apply to `paths`: the root's and every directory's above them. */
export function attributeFilesFor(paths: readonly string[]): string[] {
  const files = new Set<string>(['.gitattributes']);
  for (const path of paths) {
    const parts = path.split('/');
    for (let depth = 1; depth < parts.length; depth++) files.add(`${parts.slice(0, depth).join('/')}/.gitattributes`);
  }
  return [...files];
}

export async function attributesInTrees(batch: CatFileBatch, paths: readonly string[], commits: readonly string[]): Promise<boolean> {
  const objects = commits.flatMap((commit) => attributeFilesFor(paths).map((file) => `${commit}:${file}`));
  return (await batch.readMany(objects)).some((found) => found.kind === 'found');
}
