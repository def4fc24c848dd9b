/**
 * The field-diff worker thread (see worker-field-differ.ts; docs/decisions/015-field-diff-worker.md).
 * Each `{ id, pairs }` message is answered with `{ id, results }`: `diffYamlFieldsDetailed` of each pair,
 * in order, as `inProcessFieldDiffer` computes them; or `{ id, error }` when that throws. Started through
 * field-diff-worker.mjs, which registers tsx first.
 */
import { parentPort } from 'node:worker_threads';
import { diffYamlFieldsDetailed, type FieldDiffResult } from '#core/field-diff.ts';
import type { FieldDiffPair } from '#core/ports.ts';

export interface FieldDiffJob {
  id: number;
  pairs: readonly FieldDiffPair[];
}

export type FieldDiffAnswer = { id: number; results: FieldDiffResult[] } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('field-diff-worker.ts runs in a worker thread');

port.on('message', (job: FieldDiffJob) => {
  let answer: FieldDiffAnswer;
  try {
    answer = { id: job.id, results: job.pairs.map((pair) => diffYamlFieldsDetailed(pair.oldText, pair.newText)) };
  } catch (error) {
    answer = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  try {
    port.postMessage(answer);
  } catch (error) {
    // A value the structured clone cannot copy: the caller gets an error, not a silent hang.
    port.postMessage({ id: job.id, error: `could not send the field changes: ${error instanceof Error ? error.message : String(error)}` });
  }
});
