/**
 * A FieldDiffer and a RollbackComputer that parse large YAML in a worker thread, so the real server's
 * event loop keeps answering other requests (history, SSE, approvals, `/api/me`) meanwhile
 * (docs/decisions/015-field-diff-worker.md, 021-rollback-yaml-off-the-event-loop.md).
 *
 * A rollback job has a time budget from the moment the worker starts it: over it, the call rejects
 * with a 422 naming the file the worker was on, the worker is replaced, and the jobs queued behind the
 * runaway one are sent to the new worker.
 *
 * One long-lived worker, started on the first call that needs it; calls queue in it and are answered
 * in order. Batches of fewer than `minChars` characters (both sides, all pairs) stay in-process: the
 * round trip would cost more than they do. When the worker fails or exits, the calls it had reject
 * with an error saying so, and the next call starts a new worker. `close()` terminates it.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { inProcessFieldDiffer } from '#core/file-diffs.ts';
import { RewindError, unprocessable } from '#core/errors.ts';
import type { FieldDiffResult } from '#core/field-diff.ts';
import type { FieldDiffer, FieldDiffPair } from '#core/ports.ts';
import { inProcessRollbackComputer, rollbackJobChars, type RollbackComputer, type RollbackJob, type RollbackJobResult } from '#core/rollback-compute.ts';
import type { Logger } from '#server/api/http-errors.ts';
import type { FieldDiffAnswer, FieldDiffJob } from './field-diff-worker.ts';

/** Batches below this many characters are diffed in-process (a 64 KB manifest parses in a few ms). */
export const WORKER_MIN_CHARS = 64 * 1024;

/**
 * How long a rollback job may run in the worker. Legitimate previews of megabyte manifests take well
 * under a second; this leaves room for a busy machine and stops what no one should wait for.
 */
export const ROLLBACK_BUDGET_MS = 20_000;

/** The worker's entry: registers tsx, then loads field-diff-worker.ts. */
const WORKER_ENTRY = new URL('./field-diff-worker.mjs', import.meta.url);

export interface WorkerFieldDifferOptions {
  /** Batches with fewer characters than this run in-process (default WORKER_MIN_CHARS; 0: never). */
  minChars?: number;
  /** Worker start and unexpected exits are logged here. */
  log?: Logger;
  /** Heap limits of the worker thread (Node's defaults when absent). */
  resourceLimits?: ResourceLimits;
  /** Time budget of a rollback job, from when the worker starts it (default ROLLBACK_BUDGET_MS). */
  rollbackBudgetMs?: number;
}

interface Pending {
  job: FieldDiffJob;
  resolve: (answer: FieldDiffResult[] | RollbackJobResult) => void;
  reject: (error: Error) => void;
  /** The file a rollback job's work was last reported on. */
  file?: string;
  timer?: ReturnType<typeof setTimeout>;
}

interface RunningWorker {
  worker: Worker;
  threadId: number;
  pending: Map<number, Pending>;
  /** Set by close(): the exit that follows is expected. */
  closing?: true;
}

function onlyFileOf(job: FieldDiffJob): string | undefined {
  if (!('rollback' in job)) return undefined;
  const paths = new Set([...job.rollback.headFiles.keys(), ...job.rollback.targetFiles.keys()]);
  return paths.size === 1 ? [...paths][0] : undefined;
}

function batchChars(pairs: readonly FieldDiffPair[]): number {
  let chars = 0;
  for (const pair of pairs) chars += (pair.oldText?.length ?? 0) + (pair.newText?.length ?? 0);
  return chars;
}

export class WorkerFieldDiffer {
  /** The FieldDiffer to pass in ApiDeps (bound: may be called detached). */
  readonly diff: FieldDiffer = (pairs) => this.#diff(pairs);
  /** The RollbackComputer to pass in ApiDeps (bound: may be called detached). */
  readonly compute: RollbackComputer = (job) => this.#compute(job);

  readonly #minChars: number;
  readonly #log: Logger;
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #rollbackBudgetMs: number;
  #current: RunningWorker | null = null;
  #nextId = 1;
  #closed = false;
  #started = 0;

  constructor(options: WorkerFieldDifferOptions = {}) {
    this.#minChars = options.minChars ?? WORKER_MIN_CHARS;
    this.#log = options.log ?? (() => {});
    this.#resourceLimits = options.resourceLimits;
    this.#rollbackBudgetMs = options.rollbackBudgetMs ?? ROLLBACK_BUDGET_MS;
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
    return this.#send((id) => ({ id, pairs })) as Promise<FieldDiffResult[]>;
  }

  #compute(job: RollbackJob): Promise<RollbackJobResult> {
    if (rollbackJobChars(job) < this.#minChars) return inProcessRollbackComputer(job);
    return this.#send((id) => ({ id, rollback: job })) as Promise<RollbackJobResult>;
  }

  #send(make: (id: number) => FieldDiffJob): Promise<FieldDiffResult[] | RollbackJobResult> {
    if (this.#closed) return Promise.reject(new Error('the field-diff worker is closed'));
    const job = make(this.#nextId++);
    return new Promise((resolve, reject) => this.#post(this.#current ?? this.#start(), { job, resolve, reject }));
  }

  #post(running: RunningWorker, pending: Pending): void {
    const { id } = pending.job;
    running.pending.set(id, pending);
    // The worker keeps the process alive only while it owes an answer.
    if (running.pending.size === 1) running.worker.ref();
    try {
      running.worker.postMessage(pending.job);
    } catch (error) {
      running.pending.delete(id);
      if (running.pending.size === 0) running.worker.unref();
      pending.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** A rollback job ran over its budget: it fails with a 422; the worker is replaced, the rest re-sent. */
  #overBudget(running: RunningWorker, id: number): void {
    const slow = running.pending.get(id);
    if (!slow) return;
    running.pending.delete(id);
    const seconds = this.#rollbackBudgetMs / 1000;
    // The file the worker last reported; before its first report, the job's only file if it has one.
    slow.file ??= onlyFileOf(slow.job);
    const where = slow.file ? ` on ${slow.file}` : '';
    slow.reject(
      unprocessable(
        `the rollback could not be planned within ${seconds} s${where}: the file is too large or too complex to parse. Nothing was changed`,
        { rule: 'parse-budget', ...(slow.file ? { file: slow.file } : {}) },
      ),
    );
    this.#log({ level: 'warn', msg: 'rollback job over its time budget: worker replaced', threadId: running.threadId, file: slow.file, budgetMs: this.#rollbackBudgetMs });
    const rest = [...running.pending.values()];
    running.pending.clear();
    running.closing = true;
    if (this.#current === running) this.#current = null;
    void running.worker.terminate();
    if (rest.length === 0) return;
    const next = this.#start();
    for (const pending of rest) {
      clearTimeout(pending.timer);
      delete pending.timer;
      delete pending.file;
      this.#post(next, pending);
    }
  }

  #start(): RunningWorker {
    const worker = new Worker(WORKER_ENTRY, this.#resourceLimits ? { resourceLimits: this.#resourceLimits } : {});
    // Read now: `worker.threadId` is -1 once the thread has stopped.
    const threadId = worker.threadId;
    const running: RunningWorker = { worker, pending: new Map(), threadId };
    this.#current = running;
    this.#started++;
    worker.unref();
    this.#log({ level: 'info', msg: 'field-diff worker started', threadId });

    worker.on('message', (answer: FieldDiffAnswer) => {
      const pending = running.pending.get(answer.id);
      if (!pending) return;
      if ('started' in answer) {
        pending.timer = setTimeout(() => this.#overBudget(running, answer.id), this.#rollbackBudgetMs);
        // The budget never keeps the process alive by itself: the worker's ref does while it owes an answer.
        pending.timer.unref?.();
        return;
      }
      if ('file' in answer) {
        pending.file = answer.file;
        return;
      }
      clearTimeout(pending.timer);
      running.pending.delete(answer.id);
      if (running.pending.size === 0) worker.unref();
      if ('error' in answer) {
        // The planner's refusals (a bad selection, a file over the parse budget) keep their status.
        if (answer.rewind) pending.reject(new RewindError(answer.rewind.code, answer.error, answer.rewind.details));
        else pending.reject(new Error(`field diff failed in the worker: ${answer.error}`));
      } else if ('results' in answer) pending.resolve(answer.results);
      else pending.resolve(answer.rollback);
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
    for (const call of pending) {
      clearTimeout(call.timer);
      call.reject(error);
    }
  }
}
