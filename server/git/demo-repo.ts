/**
 * The demo data set as a real git repository: every demo commit with its author and time, rollback
 * messages naming their target's real sha (built by the same demoCommitMessage as the in-memory
 * demo), deploy failures as notes under refs/notes/rewind-deployments. Written with one fast-import.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateDemoRepo, type DemoAnchor, type DemoCommit, type DemoRepo, type DemoSize } from '#demo/demo-data.ts';
import { demoCommitMessage } from '#demo/load-demo.ts';
import { runGit } from './git-cli.ts';
import { importCommits, initRepo, type ImportCommit } from './fast-import.ts';

export interface WriteDemoRepoOptions {
  /** Which demo data set to generate (default 'default'); ignored when `repo` is given. */
  size?: DemoSize;
  /** The demo's "now" (decision 044; default the fixed DEMO_END); ignored when `repo` is given. */
  anchor?: DemoAnchor;
  /** Demo data generated already, e.g. by a test that also needs its targets. */
  repo?: Pick<DemoRepo, 'commits'> & Partial<Pick<DemoRepo, 'anchor'>>;
  /**
   * A bare repository at `dir` (default true), or a work tree with `dir/.git` (false). Rewind serves
   * only a bare one, or one where the served branch is not checked out (docs/decisions/035).
   */
  bare?: boolean;
  /** Check the files out into the work tree (default true for a non-bare repo). */
  checkout?: boolean;
  /** Write the commit-graph with changed-path filters now rather than on first open (default true). */
  commitGraph?: boolean;
}

export const DEMO_BRANCH = 'main';
export const DEMO_IDS_FILE = 'rewind-demo-ids.json';
/** The anchor the demo repo's story is dated from (decision 044), one ISO line; absent before it. */
export const DEMO_ANCHOR_FILE = 'rewind-demo-anchor';

/** The demo commit as fast-import input; a rollback's message is built once its target has a sha. */
export function demoImportCommit(commit: DemoCommit): ImportCommit {
  const rollback = commit.rollback;
  return {
    id: commit.id,
    timestamp: commit.timestamp,
    author: commit.author,
    changes: commit.changes,
    ...(commit.deployStatus ? { deployStatus: commit.deployStatus } : {}),
    message: rollback ? { refersTo: [rollback.targetId], build: (shaOf) => demoCommitMessage(commit, shaOf) } : commit.message,
  };
}

/**
 * Creates a git repository at `dir` (branch `main`) holding the demo commits. Returns demo id → sha,
 * also written to `<git dir>/rewind-demo-ids.json` (see readDemoIds).
 */
export async function writeDemoRepo(dir: string, options: WriteDemoRepoOptions = {}): Promise<Map<string, string>> {
  const existing = await readdir(dir).catch(() => null);
  if (existing && existing.length > 0) throw new Error(`Cannot write the demo repo: ${dir} already exists and is not empty.`);
  const demo = options.repo ?? generateDemoRepo({ size: options.size ?? 'default', ...(options.anchor !== undefined ? { anchor: options.anchor } : {}) });
  const bare = options.bare ?? true;
  const gitDir = await initRepo(dir, { bare, branch: DEMO_BRANCH });
  const { byId } = await importCommits(gitDir, demo.commits.map(demoImportCommit), { branch: DEMO_BRANCH });
  await writeFile(join(gitDir, DEMO_IDS_FILE), `${JSON.stringify(Object.fromEntries(byId), null, 0)}\n`);
  if (demo.anchor) await writeFile(join(gitDir, DEMO_ANCHOR_FILE), `${demo.anchor}\n`);
  if (options.commitGraph ?? true) {
    await runGit(['--git-dir', gitDir, 'commit-graph', 'write', '--reachable', '--changed-paths']);
  }
  if (!bare && (options.checkout ?? true)) {
    await runGit(['--git-dir', gitDir, '--work-tree', dir, 'reset', '--quiet', '--hard', DEMO_BRANCH], { cwd: dir });
  }
  return byId;
}

/** The demo id → sha map written by writeDemoRepo, from the repo directory (bare or not). */
export async function readDemoIds(dir: string): Promise<Map<string, string>> {
  const gitDir = (await runGit(['rev-parse', '--absolute-git-dir'], { cwd: dir })).stdout.toString('utf8').trim();
  const parsed = JSON.parse(await readFile(join(gitDir, DEMO_IDS_FILE), 'utf8')) as Record<string, string>;
  return new Map(Object.entries(parsed));
}

/** The anchor a demo repo's story is dated from, or null for one written before decision 044. */
export async function readDemoAnchor(gitDir: string): Promise<string | null> {
  const text = await readFile(join(gitDir, DEMO_ANCHOR_FILE), 'utf8').catch(() => null);
  const anchor = text?.trim() ?? '';
  return Number.isFinite(Date.parse(anchor)) ? anchor : null;
}

/**
 * For tests: a repository at `dir` (bare by default) holding `commits` on `branch` (default main),
 * written with one fast-import. Returns the git dir and the shas in order.
 */
export async function createRepo(
  dir: string,
  commits: readonly ImportCommit[],
  options: { bare?: boolean; branch?: string } = {},
): Promise<{ gitDir: string; shas: string[] }> {
  const branch = options.branch ?? DEMO_BRANCH;
  const gitDir = await initRepo(dir, { bare: options.bare ?? true, branch });
  const { shas } = commits.length ? await importCommits(gitDir, commits, { branch }) : { shas: [] };
  return { gitDir, shas };
}
