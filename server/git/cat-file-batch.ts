/**
 * One long-lived `git cat-file --batch` per repository: objects are read over a pipe instead of a
 * process per read. Requests are written in order and git answers in order, so a FIFO of pending
 * requests pairs each answer with its question. The framing is
 *
 *   <oid> SP <type> SP <size> LF <size bytes of content> LF      (found)
 *   <input> SP missing LF                                          (unknown)
 *   <input> SP ambiguous LF                                        (short id naming several objects)
 *
 * and content is binary: it is copied into a buffer of the announced size, never split on newlines.
 * If the process dies, pending requests fail and the next request starts a new one.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { GitError, firstLine, gitEnv } from './git-cli.ts';

export type BatchResult =
  | { kind: 'found'; oid: string; type: string; content: Buffer }
  | { kind: 'missing' }
  | { kind: 'ambiguous' };

interface Pending {
  resolve: (result: BatchResult) => void;
  reject: (error: Error) => void;
}

interface Body {
  oid: string;
  type: string;
  /** Content plus git's trailing LF. */
  buffer: Buffer;
  filled: number;
}

const CLOSE_GRACE_MS = 2000;

export class CatFileBatch {
  private child: ChildProcessWithoutNullStreams | null = null;
  private readonly pending: Pending[] = [];
  private headerParts: Buffer[] = [];
  private body: Body | null = null;
  private stderrTail = '';
  private closed = false;
  private exited: Promise<void> | null = null;

  constructor(private readonly gitDir: string) {}

  /** The current process id (tests kill it to check the restart); undefined when none is running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Reads one object by any name git understands (`<sha>`, `<ref>`, `<sha>^{commit}`, `<tree>:<path>`). */
  read(object: string): Promise<BatchResult> {
    if (this.closed) return Promise.reject(new Error('git cat-file: the batch reader is closed'));
    if (object.includes('\n') || object.length === 0) {
      return Promise.reject(new Error(`git cat-file: invalid object name ${JSON.stringify(object)}`));
    }
    const child = this.ensureChild();
    return new Promise<BatchResult>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      if (this.pending.length === 1) this.setActive(child, true);
      child.stdin.write(`${object}\n`);
    });
  }

  /** Reads several objects with one write: git streams the answers back to back. */
  readMany(objects: readonly string[]): Promise<BatchResult[]> {
    return Promise.all(objects.map((object) => this.read(object)));
  }

  /** Stops the process; pending reads finish first (git answers everything it has read before EOF). */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    const exited = this.exited;
    // Keep Node alive until git has exited (the idle reader's handles are unreferenced).
    child.ref();
    this.setActive(child, true);
    child.stdin.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      exited,
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, CLOSE_GRACE_MS);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  private ensureChild(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn('git', ['--git-dir', this.gitDir, 'cat-file', '--batch'], {
      env: gitEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child = child;
    this.headerParts = [];
    this.body = null;
    this.stderrTail = '';
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      // Drained continuously so git never blocks on a full pipe; the tail explains a crash.
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    child.stdin.on('error', () => {}); // EPIPE when the process died; 'close' reports it.
    let settle: () => void = () => {};
    this.exited = new Promise<void>((resolve) => (settle = resolve));
    const onGone = (code: number | null, error?: Error) => {
      if (this.child !== child) return;
      this.child = null;
      const failure = new GitError('cat-file', code, error ? error.message : this.stderrTail || 'the process exited', error);
      for (const request of this.pending.splice(0)) request.reject(failure);
      this.headerParts = [];
      this.body = null;
      settle();
    };
    child.on('error', (error) => onGone(null, error));
    child.on('close', (code) => {
      onGone(code);
      settle();
    });
    // An idle reader must not keep Node alive: handles are referenced only while a request waits.
    child.unref();
    this.setActive(child, false);
    return child;
  }

  private setActive(child: ChildProcessWithoutNullStreams, active: boolean): void {
    for (const stream of [child.stdout, child.stderr, child.stdin] as const) {
      const handle = stream as unknown as { ref?: () => void; unref?: () => void };
      if (active) handle.ref?.();
      else handle.unref?.();
    }
  }

  private onData(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const body = this.body;
      if (body) {
        const take = Math.min(body.buffer.length - body.filled, chunk.length - offset);
        chunk.copy(body.buffer, body.filled, offset, offset + take);
        body.filled += take;
        offset += take;
        if (body.filled === body.buffer.length) {
          this.body = null;
          this.settle({ kind: 'found', oid: body.oid, type: body.type, content: body.buffer.subarray(0, body.buffer.length - 1) });
        }
        continue;
      }
      const newline = chunk.indexOf(10, offset);
      if (newline === -1) {
        this.headerParts.push(chunk.subarray(offset));
        return;
      }
      this.headerParts.push(chunk.subarray(offset, newline));
      offset = newline + 1;
      const header = Buffer.concat(this.headerParts).toString('utf8');
      this.headerParts = [];
      this.onHeader(header);
    }
  }

  private onHeader(header: string): void {
    if (header.endsWith(' missing')) return this.settle({ kind: 'missing' });
    if (header.endsWith(' ambiguous')) return this.settle({ kind: 'ambiguous' });
    const match = /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(header);
    if (!match) {
      const error = new GitError('cat-file', null, `unexpected answer: ${firstLine(header).slice(0, 200)}`);
      for (const request of this.pending.splice(0)) request.reject(error);
      this.child?.kill();
      return;
    }
    this.body = { oid: match[1]!, type: match[2]!, buffer: Buffer.allocUnsafe(Number(match[3]) + 1), filled: 0 };
  }

  private settle(result: BatchResult): void {
    const request = this.pending.shift();
    if (this.pending.length === 0 && this.child) this.setActive(this.child, false);
    request?.resolve(result);
  }
}
