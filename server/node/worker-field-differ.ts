/**
 * A FieldDiffer that parses large YAML in a worker thread, so the real server's event loop keeps
 * answering other requests (history, SSE, approvals) meanwhile (docs/decisions/015-field-diff-worker.md).
 *
 * One long-lived worker, started on the first call that needs it; calls queue in it and are answered
 * in order. Batches of fewer than `minChars` characters (both sides, all pairs) stay in-process: the
 * round trip would cost more than they do. When the worker fails or exits, the calls it had reject
 * with an error saying so, and the next call starts a new worker. `close()` terminates it.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { inProcessFieldDiffer } from '#core/file-diffs.ts';
import type { FieldDiffResult } from '#core/field-diff.ts';
import type { FieldDiffer, FieldDiffPair } from '#core/ports.ts';
import type { Logger } from '#server/api/http-errors.ts';
import type { FieldDiffAnswer, FieldDiffJob } from './field-diff-worker.ts';

/** Batches below this many characters are diffed in-process (a 64 KB manifest parses in a few ms). */
export const WORKER_MIN_CHARS = 64 * 1024;

/** The worker's entry: registers tsx, then loads field-diff-worker.ts. */
const WORKER_ENTRY = new URL('./field-diff-worker.mjs', import.meta.url);

export interface WorkerFieldDifferOptions {
  /** Batches with fewer characters than this run in-process (default WORKER_MIN_CHARS; 0: never). */
  minChars?: number;
  /** Worker start and unexpected exits are logged here. */
  log?: Logger;
  /** Heap limits of the worker thread (Node's defaults when absent). */
  resourceLimits?: ResourceLimits;
}

interface Pending {
  resolve: (results: FieldDiffResult[]) => void;
  reject: (error: Error) => void;
}

interface RunningWorker {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Set by close(): the exit that follows is expected. */
  closing?: true;
}

function batchChars(pairs: readonly FieldDiffPair[]): number {
  let chars = 0;
  for (const pair of pairs) chars += (pair.oldText?.length ?? 0) + (pair.newText?.length ?? 0);
  return chars;
}

export class WorkerFieldDiffer {
  /** The FieldDiffer to pass in ApiDeps (bound: may be called detached). */
  readonly diff: FieldDiffer = (pairs) => this.#diff(pairs);

  readonly #minChars: number;
  readonly #log: Logger;
  readonly #resourceLimits: ResourceLimits | undefined;
  #current: RunningWorker | null = null;
  #nextId = 1;
  #closed = false;
  #started = 0;

  constructor(options: WorkerFieldDifferOptions = {}) {
    this.#minChars = options.minChars ?? WORKER_MIN_CHARS;
    this.#log = options.log ?? (() => {});
    this.#resourceLimits = options.resourceLimits;
  }

  /** How many worker threads this differ has started (a new one after each failure). */
  get workersStarted(): number {
    return this.#started;
  }

  /**
   * Terminates the worker, if one runs: calls still waiting for it reject. Calls after this that need
   * the worker reject too (small batches still run in-process).
   */
  async close(): Promise<void> {
    this.#closed = true;
    const running = this.#current;
    if (!running) return;
    this.#current = null;
    running.closing = true;
    this.#fail(running, new Error('the field-diff worker was closed before it answered'));
    await running.worker.terminate();
  }

  /**
   * Starts the worker now rather than on the first large field diff, which would otherwise wait for
   * its start (about half a second on two cores) in the middle of an incident. Idle, it does not keep
   * the process alive.
   */
  warmUp(): void {
    if (!this.#closed && !this.#current) this.#start();
  }

  #diff(pairs: readonly FieldDiffPair[]): Promise<FieldDiffResult[]> {
    if (batchChars(pairs) < this.#minChars) return inProcessFieldDiffer(pairs);
    if (this.#closed) return Promise.reject(new Error('the field-diff worker is closed'));
    const running = this.#current ?? this.#start();
    const id = this.#nextId++;
    return new Promise<FieldDiffResult[]>((resolve, reject) => {
      running.pending.set(id, { resolve, reject });
      // The worker keeps the process alive only while it owes an answer.
      if (running.pending.size === 1) running.worker.ref();
      const job: FieldDiffJob = { id, pairs };
      try {
        running.worker.postMessage(job);
      } catch (error) {
        running.pending.delete(id);
        if (running.pending.size === 0) running.worker.unref();
        throw error;
      }
    });
  }

  #start(): RunningWorker {
    const worker = new Worker(WORKER_ENTRY, this.#resourceLimits ? { resourceLimits: this.#resourceLimits } : {});
    const running: RunningWorker = { worker, pending: new Map() };
    this.#current = running;
    this.#started++;
    worker.unref();
    // Read now: `worker.threadId` is -1 once the thread has stopped.
    const threadId = worker.threadId;
    this.#log({ level: 'info', msg: 'field-diff worker started', threadId });

    worker.on('message', (answer: FieldDiffAnswer) => {
      const pending = running.pending.get(answer.id);
      if (!pending) return;
      running.pending.delete(answer.id);
      if (running.pending.size === 0) worker.unref();
      if ('error' in answer) pending.reject(new Error(`field diff failed in the worker: ${answer.error}`));
      else pending.resolve(answer.results);
    });
    worker.on('messageerror', (error) => {
      // An answer that could not be read: which call it belonged to is unknown, so the worker is replaced.
      this.#lost(running, new Error(`the field-diff worker sent an unreadable answer: ${error.message}`));
      void worker.terminate();
    });
    worker.on('error', (error) => {
      // An uncaught error or a heap limit reached; 'exit' follows.
      this.#log({ level: 'error', msg: 'field-diff worker failed', threadId, error: error.message, calls: running.pending.size });
      this.#lost(running, new Error(`the field-diff worker failed: ${error.message}`));
    });
    worker.on('exit', (code) => {
      const calls = running.pending.size;
      this.#log({ level: running.closing ? 'info' : 'error', msg: 'field-diff worker exited', threadId, code, calls });
      this.#lost(running, new Error(`the field-diff worker exited (code ${code}) before it answered`));
    });
    return running;
  }

  /** The worker is gone or unusable: its calls reject, and the next call starts a new one. */
  #lost(running: RunningWorker, error: Error): void {
    if (this.#current === running) this.#current = null;
    this.#fail(running, error);
  }

  #fail(running: RunningWorker, error: Error): void {
    const pending = [...running.pending.values()];
    running.pending.clear();
    running.worker.unref();
    for (const call of pending) call.reject(error);
  }
}
