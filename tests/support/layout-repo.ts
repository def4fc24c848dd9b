/**
 * Writes a layout fixture (tests/support/layout-fixtures.ts) as a real git repo: its files as the first
 * commit, then the given commits. Uses the git CLI through execFile, with fixed identities and dates.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface FixtureCommit {
  message: string;
  changes: Record<string, string | null>;
}

export function writeLayoutRepo(dir: string, files: Record<string, string>, commits: readonly FixtureCommit[] = []): string[] {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } }).trim();
  mkdirSync(dir, { recursive: true });
  git('init', '-q', '-b', 'main');
  const shas: string[] = [];
  const all: FixtureCommit[] = [{ message: 'bootstrap\n', changes: files }, ...commits];
  all.forEach((commit, i) => {
    for (const [path, content] of Object.entries(commit.changes)) {
      const file = join(dir, path);
      if (content === null) rmSync(file, { force: true });
      else {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
    git('add', '-A');
    const date = `2026-03-0${Math.min(i + 1, 9)}T10:00:00Z`;
    execFileSync('git', ['-c', 'user.name=CI', '-c', 'user.email=ci@example.com', 'commit', '-q', '-m', commit.message], {
      cwd: dir,
      env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
    shas.push(git('rev-parse', 'HEAD'));
  });
  return shas;
}
