/**
 * Writing many commits fast with `git fast-import`: one process, one pack, no work tree. Used by the
 * demo repo, the benchmarks and the tests.
 *
 * A commit's message may name earlier commits by sha (a rollback names its target): such a message is
 * built once those shas exist. The writer then asks fast-import for them with `get-mark` on the same
 * stream (the answers come back on stdout) and goes on; everything else is streamed without waiting.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitError, gitEnv, runGit } from './git-cli.ts';

export const NOTES_REF = 'refs/notes/rewind-deployments';

export type ImportMessage =
  | string
  /** Built when the commits named in `refersTo` have shas (they must come earlier in the import). */
  | { refersTo: readonly string[]; build: (shaOf: (id: string) => string) => string };

export interface ImportCommit {
  /** Names this commit for `refersTo` and in the returned map; defaults to its index. */
  id?: string;
  /** ISO 8601; git keeps whole seconds. */
  timestamp: string;
  author: { name: string; email: string };
  message: ImportMessage;
  /** Repo path → full new content; null deletes the file. */
  changes: Record<string, string | null>;
  /** Written as a git note `status: <value>` under refs/notes/rewind-deployments. */
  deployStatus?: 'success' | 'failed';
}

export interface ImportOptions {
  branch?: string;
  /** Identity and time of the notes commit (default: the last commit's author and time). */
  notesAuthor?: { name: string; email: string; timestamp: string };
}

export interface ImportResult {
  /** Shas in import order. */
  shas: string[];
  /** Commit id (or index as a string) → sha. */
  byId: Map<string, string>;
}

/** Bytes buffered before a write to the fast-import pipe. */
const WRITE_CHUNK = 1 << 20;

function unixDate(timestamp: string): string {
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) throw new Error(`invalid timestamp ${JSON.stringify(timestamp)}`);
  return `${Math.floor(ms / 1000)} +0000`;
}

/** fast-import paths: C-style quoted when they would otherwise be misread. */
function quotePath(path: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what needs quoting
  if (!/^"|[\n"\\\u0000-\u001f]/.test(path)) return path;
  // eslint-disable-next-line no-control-regex -- see above
  return `"${path.replace(/[\\"\u0000-\u001f]/g, (ch) => {
    if (ch === '\\' || ch === '"') return `\\${ch}`;
    if (ch === '\n') return '\\n';
    if (ch === '\t') return '\\t';
    return `\\${ch.charCodeAt(0).toString(8).padStart(3, '0')}`;
  })}"`;
}

function identity(author: { name: string; email: string }, timestamp: string): string {
  return `${author.name} <${author.email}> ${unixDate(timestamp)}`;
}

function data(text: string): string {
  return `data ${Buffer.byteLength(text, 'utf8')}\n${text}\n`;
}

async function refSha(gitDir: string, ref: string): Promise<string | null> {
  const out = await runGit(['--git-dir', gitDir, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { okCodes: [1] });
  return out.code === 0 ? out.stdout.toString('utf8').trim() : null;
}

/**
 * Appends `commits` to `branch` (creating it when missing) in the repository at `gitDir`, with notes
 * for their deploy statuses. Returns their shas.
 */
export async function importCommits(gitDir: string, commits: readonly ImportCommit[], options: ImportOptions = {}): Promise<ImportResult> {
  const branch = options.branch ?? 'main';
  const ref = `refs/heads/${branch}`;
  const [parent, notesParent] = await Promise.all([refSha(gitDir, ref), refSha(gitDir, NOTES_REF)]);
  const scratch = await mkdtemp(join(tmpdir(), 'rewind-import-'));
  const marksFile = join(scratch, 'marks');
  try {
    const child = spawn('git', ['--git-dir', gitDir, 'fast-import', '--quiet', '--done', `--export-marks=${marksFile}`], {
      env: gitEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-8192)));
    child.stdin.on('error', () => {});
    const exited = new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    // Answers to get-mark, one line each, in order.
    const waiting: ((line: string) => void)[] = [];
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8');
      let newline: number;
      while ((newline = partial.indexOf('\n')) !== -1) {
        const line = partial.slice(0, newline);
        partial = partial.slice(newline + 1);
        waiting.shift()?.(line);
      }
    });
    const failed = exited.then((code) => {
      throw new GitError('fast-import', code, stderr || 'the process exited early');
    });
    failed.catch(() => {});

    let buffered: string[] = [];
    let bufferedBytes = 0;
    const flush = async () => {
      if (bufferedBytes === 0) return;
      const text = buffered.join('');
      buffered = [];
      bufferedBytes = 0;
      if (!child.stdin.write(text)) {
        await Promise.race([new Promise((resolve) => child.stdin.once('drain', resolve)), failed]);
      }
    };
    const emit = async (text: string) => {
      buffered.push(text);
      bufferedBytes += text.length;
      if (bufferedBytes >= WRITE_CHUNK) await flush();
    };

    const markOf = new Map<string, number>();
    const known = new Map<string, string>();
    const shaOf = (id: string) => {
      const sha = known.get(id);
      if (!sha) throw new Error(`commit ${id} is referred to before it was imported`);
      return sha;
    };
    const fetchShas = async (ids: readonly string[]) => {
      const missing = ids.filter((id) => !known.has(id));
      if (missing.length === 0) return;
      for (const id of missing) {
        const mark = markOf.get(id);
        if (mark === undefined) throw new Error(`commit ${id} is referred to before it was imported`);
        await emit(`get-mark :${mark}\n`);
      }
      const answers = missing.map(() => new Promise<string>((resolve) => waiting.push(resolve)));
      await flush();
      const lines = await Promise.race([Promise.all(answers), failed]);
      missing.forEach((id, i) => known.set(id, lines[i]!.trim()));
    };

    await emit('feature done\n');
    for (let i = 0; i < commits.length; i++) {
      const commit = commits[i]!;
      const id = commit.id ?? String(i);
      const mark = i + 1;
      let message: string;
      if (typeof commit.message === 'string') message = commit.message;
      else {
        await fetchShas(commit.message.refersTo);
        message = commit.message.build(shaOf);
      }
      const lines = [
        `commit ${ref}\n`,
        `mark :${mark}\n`,
        `author ${identity(commit.author, commit.timestamp)}\n`,
        `committer ${identity(commit.author, commit.timestamp)}\n`,
        data(message),
      ];
      if (i === 0 && parent) lines.push(`from ${parent}\n`);
      for (const [path, content] of Object.entries(commit.changes)) {
        if (content === null) lines.push(`D ${quotePath(path)}\n`);
        else lines.push(`M 100644 inline ${quotePath(path)}\n`, data(content));
      }
      lines.push('\n');
      markOf.set(id, mark);
      await emit(lines.join(''));
    }

    const noted = commits.map((commit, i) => ({ commit, mark: i + 1 })).filter(({ commit }) => commit.deployStatus);
    if (noted.length) {
      const last = commits.at(-1)!;
      const who = options.notesAuthor ?? { ...last.author, timestamp: last.timestamp };
      const lines = [`commit ${NOTES_REF}\n`, `committer ${identity(who, who.timestamp)}\n`, data('Deployment outcomes\n')];
      if (notesParent) lines.push(`from ${notesParent}\n`);
      for (const { commit, mark } of noted) lines.push(`N inline :${mark}\n`, data(`status: ${commit.deployStatus}\n`));
      lines.push('\n');
      await emit(lines.join(''));
    }
    await emit('done\n');
    await flush();
    child.stdin.end();
    const code = await exited;
    if (code !== 0) throw new GitError('fast-import', code, stderr);

    const marks = new Map<number, string>();
    for (const line of (await readFile(marksFile, 'utf8')).split('\n')) {
      const match = /^:(\d+) ([0-9a-f]+)$/.exec(line);
      if (match) marks.set(Number(match[1]), match[2]!);
    }
    const shas = commits.map((_, i) => {
      const sha = marks.get(i + 1);
      if (!sha) throw new GitError('fast-import', null, `no sha for commit ${i + 1}`);
      return sha;
    });
    const byId = new Map(commits.map((commit, i) => [commit.id ?? String(i), shas[i]!]));
    return { shas, byId };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `git init` at `dir` with `branch` as the initial branch (bare unless asked otherwise). */
export async function initRepo(dir: string, options: { bare?: boolean; branch?: string } = {}): Promise<string> {
  const args = ['init', '--quiet', `--initial-branch=${options.branch ?? 'main'}`];
  if (options.bare ?? true) args.push('--bare');
  await runGit([...args, dir]);
  return (await runGit(['rev-parse', '--absolute-git-dir'], { cwd: dir })).stdout.toString('utf8').trim();
}

/** Writes a deployment outcome note on `sha` (replacing an earlier one), as a CD hook would. */
export async function setDeployStatus(gitDir: string, sha: string, status: 'success' | 'failed'): Promise<void> {
  await runGit(['--git-dir', gitDir, 'notes', `--ref=${NOTES_REF}`, 'add', '--force', '--message', `status: ${status}`, sha], {
    env: { GIT_AUTHOR_NAME: 'rewind', GIT_AUTHOR_EMAIL: 'rewind@localhost', GIT_COMMITTER_NAME: 'rewind', GIT_COMMITTER_EMAIL: 'rewind@localhost' },
  });
}
