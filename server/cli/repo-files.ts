import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The files on `branch` of the repo at `repoPath` (bare or not), or an Error with one sentence to print. */
export async function listBranchFiles(repoPath: string, branch: string): Promise<string[]> {
  if (!existsSync(repoPath)) throw new Error(`the repository path ${repoPath} does not exist`);
  try {
    const { stdout } = await execFileAsync('git', ['-C', repoPath, 'ls-tree', '-r', '-z', '--name-only', '--end-of-options', `refs/heads/${branch}`], {
      maxBuffer: 256 * 1024 * 1024,
      timeout: 60_000,
    });
    return stdout.split('\0').filter(Boolean);
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    if (/not a git repository/i.test(stderr)) throw new Error(`${repoPath} is not a git repository`);
    throw new Error(`cannot read branch ${branch} of ${repoPath}: ${stderr.trim().split('\n')[0] || (error as Error).message}`);
  }
}

/** Where a command writes: stdout and stderr, injectable for tests. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};
