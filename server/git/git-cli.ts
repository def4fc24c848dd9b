/**
 * Running the git CLI: always `execFile` (no shell, so no quoting bugs and no injection), a stable
 * C locale, never a credential prompt, and the inherited environment otherwise (GIT_SSH_COMMAND,
 * proxies, HOME for the user's config all keep working).
 */
import { execFile, type ChildProcess } from 'node:child_process';

/** Output can be large (a 2,000-commit log page with messages, a big tree listing). */
export const GIT_MAX_BUFFER = 512 * 1024 * 1024;

/**
 * Variables that would silently change what our commands mean: which repository or index they use,
 * or how pathspecs are interpreted. Every command names its repository with `--git-dir` and its
 * pathspec magic explicitly, so these are dropped from the inherited environment.
 */
const OVERRIDDEN = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_PREFIX',
  'GIT_NAMESPACE',
  'GIT_LITERAL_PATHSPECS',
  'GIT_GLOB_PATHSPECS',
  'GIT_NOGLOB_PATHSPECS',
  'GIT_ICASE_PATHSPECS',
];

export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of OVERRIDDEN) delete env[name];
  return { ...env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', ...extra };
}

export interface GitOptions {
  /** Fed to the command's stdin. */
  input?: string | Buffer;
  /** Added to (and overriding) the inherited environment. */
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (e.g. 1 for `merge-base --is-ancestor`). */
  okCodes?: readonly number[];
  /** Working directory; defaults to the process's. Commands name their repository with `--git-dir`. */
  cwd?: string;
  /** Kills git after this long (network commands: fetch, push, ls-remote); default none. */
  timeoutMs?: number;
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/** A failed git command, naming the subcommand and the first line git wrote to stderr. */
export class GitError extends Error {
  readonly subcommand: string;
  readonly code: number | null;
  readonly stderr: string;
  constructor(subcommand: string, code: number | null, stderr: string, cause?: unknown) {
    const first = firstLine(stderr);
    super(`git ${subcommand} failed${code === null ? '' : ` (exit ${code})`}${first ? `: ${first}` : ''}`, cause === undefined ? undefined : { cause });
    this.name = 'GitError';
    this.subcommand = subcommand;
    this.code = code;
    this.stderr = stderr;
  }
}

export function firstLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).find((line) => line.length > 0) ?? '';
}

/** The subcommand of an argument list: the first argument that is not a global option. */
export function subcommandOf(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-c' || arg === '-C' || arg === '--git-dir' || arg === '--work-tree') {
      i++;
      continue;
    }
    if (!arg.startsWith('-')) return arg;
  }
  return args[0] ?? '(none)';
}

/** Runs `git <args>` and resolves with raw stdout; rejects with a GitError unless the exit code is ok. */
export function runGit(args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  const ok = options.okCodes ?? [];
  return new Promise((resolve, reject) => {
    const child: ChildProcess = execFile(
      'git',
      args,
      {
        encoding: 'buffer',
        maxBuffer: GIT_MAX_BUFFER,
        env: gitEnv(options.env),
        windowsHide: true,
        ...(options.cwd ? { cwd: options.cwd } : {}),
        ...(options.timeoutMs ? { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const } : {}),
      },
      (error, stdout, stderrBuffer) => {
        const stderr = stderrBuffer.toString('utf8');
        if (!error) {
          resolve({ stdout, stderr, code: 0 });
          return;
        }
        const code = typeof error.code === 'number' ? error.code : null;
        if (error.killed && options.timeoutMs) {
          reject(new GitError(subcommandOf(args), null, `timed out after ${options.timeoutMs / 1000} s`, error));
          return;
        }
        if (code !== null && ok.includes(code)) {
          resolve({ stdout, stderr, code });
          return;
        }
        // Spawn failures (git not installed) and maxBuffer overruns have no exit code; say what happened.
        const reason = stderr || (code === null ? error.message : '');
        reject(new GitError(subcommandOf(args), code, reason, error));
      },
    );
    feedStdin(child, options.input);
  });
}

/** Runs git and returns stdout as UTF-8 text. */
export async function gitText(args: readonly string[], options: GitOptions = {}): Promise<string> {
  return (await runGit(args, options)).stdout.toString('utf8');
}

/**
 * Writes `input` to a child's stdin and closes it. A child that exits without reading everything
 * makes the write fail with EPIPE; that is not an error of its own (the exit status tells the story).
 */
export function feedStdin(child: ChildProcess, input: string | Buffer | undefined): void {
  const stdin = child.stdin;
  if (!stdin) return;
  stdin.on('error', () => {});
  if (input === undefined) stdin.end();
  else stdin.end(input);
}
