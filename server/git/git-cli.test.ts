import { describe, expect, it, vi } from 'vitest';
import { GitError, gitEnv, gitText, runGit, subcommandOf } from './git-cli.ts';

// Real work (git processes) on a busy machine: generous limits, never vitest's 5 s (decision 024).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

describe('git CLI runner', () => {
  it('names the subcommand and the first line of stderr when git fails', async () => {
    const failure = runGit(['--git-dir', '/nonexistent/rewind', 'rev-parse', 'HEAD']);
    await expect(failure).rejects.toBeInstanceOf(GitError);
    await expect(failure).rejects.toThrow(/^git rev-parse failed \(exit 128\): fatal: not a git repository/);
  });

  it('feeds stdin and returns stdout', async () => {
    const out = await gitText(['hash-object', '--stdin'], { input: 'hello\n' });
    expect(out.trim()).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('treats listed exit codes as answers', async () => {
    const result = await runGit(['check-ref-format', 'refs/heads/a..b'], { okCodes: [1] });
    expect(result.code).toBe(1);
  });

  it('runs in the C locale without prompts, dropping variables that would redirect git', () => {
    const saved = process.env.GIT_DIR;
    process.env.GIT_DIR = '/elsewhere';
    try {
      const env = gitEnv({ GIT_INDEX_FILE: '/tmp/index' });
      expect(env.LC_ALL).toBe('C');
      expect(env.GIT_TERMINAL_PROMPT).toBe('0');
      expect(env.GIT_DIR).toBeUndefined();
      expect(env.GIT_INDEX_FILE).toBe('/tmp/index');
      expect(env.PATH).toBe(process.env.PATH);
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = saved;
    }
  });

  it('finds the subcommand behind global options', () => {
    expect(subcommandOf(['--git-dir', '/r', '-c', 'a=b', 'log', '-n', '1'])).toBe('log');
  });

  it('kills a command that outlives its time limit and says so', async () => {
    // A credential helper that hangs stands for a remote that never answers.
    const started = performance.now();
    const hung = runGit(['-c', 'credential.helper=!sleep 10 #', 'credential', 'fill'], { input: 'protocol=https\nhost=example.invalid\n\n', timeoutMs: 300 });
    await expect(hung).rejects.toThrow(/^git credential failed: timed out after 0\.3 s$/);
    expect(performance.now() - started).toBeLessThan(8_000);
  });
});
