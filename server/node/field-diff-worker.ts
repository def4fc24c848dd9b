/**
 * The YAML worker thread (see worker-field-differ.ts; docs/decisions/015-field-diff-worker.md and
 * 021-rollback-yaml-off-the-event-loop.md). It answers two kinds of jobs, in order:
 * - `{ id, pairs }`: `diffYamlFieldsDetailed` of each pair, as `inProcessFieldDiffer` computes them,
 *   answered `{ id, results }`;
 * - `{ id, rollback }`: `computeRollback` of a RollbackJob (plan and preview diff), answered
 *   `{ id, rollback }`; it says `{ id, started: true }` when it begins and `{ id, file }` as each file's
 *   work starts, so the caller's time budget runs from the start and names the file it ran out on.
 * A job that throws is answered `{ id, error }` (with the RewindError's code and details when it is one).
 * Started through field-diff-worker.mjs, which registers tsx first.
 */
import { parentPort } from 'node:worker_threads';
import { RewindError, type ErrorCode, type ErrorDetails } from '#core/errors.ts';
import { diffYamlFieldsDetailed, type FieldDiffResult } from '#core/field-diff.ts';
import type { FieldDiffPair } from '#core/ports.ts';
import { computeRollback, type RollbackJob, type RollbackJobResult } from '#core/rollback-compute.ts';

export type FieldDiffJob = { id: number; pairs: readonly FieldDiffPair[] } | { id: number; rollback: RollbackJob };

export type FieldDiffAnswer =
  | { id: number; results: FieldDiffResult[] }
  | { id: number; rollback: RollbackJobResult }
  | { id: number; started: true }
  | { id: number; file: string }
  | { id: number; error: string; rewind?: { code: ErrorCode; details: ErrorDetails } };

const port = parentPort;
if (!port) throw new Error('field-diff-worker.ts runs in a worker thread');

port.on('message', (job: FieldDiffJob) => {
  let answer: FieldDiffAnswer;
  try {
    if ('rollback' in job) {
      port.postMessage({ id: job.id, started: true } satisfies FieldDiffAnswer);
      answer = { id: job.id, rollback: computeRollback(job.rollback, (file) => port.postMessage({ id: job.id, file } satisfies FieldDiffAnswer)) };
    } else {
      answer = { id: job.id, results: job.pairs.map((pair) => diffYamlFieldsDetailed(pair.oldText, pair.newText)) };
    }
  } catch (error) {
    answer =
      error instanceof RewindError
        ? { id: job.id, error: error.message, rewind: { code: error.code, details: error.details } }
        : { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  try {
    port.postMessage(answer);
  } catch (error) {
    // A value the structured clone cannot copy: the caller gets an error, not a silent hang.
    port.postMessage({ id: job.id, error: `could not send the answer: ${error instanceof Error ? error.message : String(error)}` });
  }
});
