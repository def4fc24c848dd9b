/**
 * `rewind serve` as a child process, for the fault tests that kill it (tests/operations) and the
 * approvals bench's replicas (bench/approvals-load.bench.mjs). It runs in a
 * process group of its own, so `kill('SIGKILL')` takes its git children with it, as the end of a
 * container does: a push that outlived its server would land after the server's death was noticed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface RewindProcess {
  child: ChildProcess;
  url: string;
  /** Resolves with the first match of `pattern` in the output so far or to come. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  output(): string;
  /** The HTTP API of this process. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Signals the whole process group and waits for the server to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  exited: Promise<void>;
}

export interface RewindProcessOptions {
  configFile: string;
  dataDir: string;
  env?: Record<string, string>;
  /** How long the start may take (default 120 s: a loaded machine, a mirror to fetch). */
  startTimeoutMs?: number;
}

/** Starts `rewind serve` on a free loopback port and waits for its "serving" line. */
export async function startRewindProcess(options: RewindProcessOptions): Promise<RewindProcess> {
  const args = ['bin/rewind.mjs', 'serve', '--config', options.configFile, '--data-dir', options.dataDir, '--host', '127.0.0.1', '--port', '0', '--static', options.dataDir];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = out.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  const append = (chunk: string) => {
    out += chunk;
    check();
  };
  child.stdout!.setEncoding('utf8').on('data', append);
  child.stderr!.setEncoding('utf8').on('data', append);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const waitFor = (pattern: RegExp, timeoutMs = 90_000) =>
    new Promise<RegExpMatchArray>((resolvePattern, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} in:\n${out}`)), timeoutMs);
      waiters.push({
        pattern,
        resolve: (m) => {
          clearTimeout(timer);
          resolvePattern(m);
        },
      });
      check();
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`rewind serve exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${out}`));
      });
    });
  const kill = async (signal: NodeJS.Signals) => {
    if (!alive()) return;
    try {
      process.kill(-child.pid!, signal);
    } catch {
      child.kill(signal);
    }
    await exited;
  };
  let url: string;
  try {
    [, url = ''] = await waitFor(/Rewind is serving (http:\/\/\S+\/)/, options.startTimeoutMs ?? 120_000);
    // The start-up lines (reconciliation among them) follow "serving", possibly in a later chunk.
    await waitFor(/ {2}identity: /, 30_000);
  } catch (error) {
    await kill('SIGKILL');
    throw error;
  }
  return {
    child,
    url,
    waitFor,
    output: () => out,
    api: (path, init) => fetch(new URL(path.replace(/^\//, ''), url), init),
    kill,
    exited,
  };
}
