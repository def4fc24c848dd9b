// Entry of the field-diff worker thread (worker-field-differ.ts). On Node 20 a worker thread does not
// inherit the parent's tsx loader: neither `register()` (bin/rewind.mjs) nor `--import tsx` (in the
// parent's or the worker's execArgv) lets `new Worker('x.ts')` load TypeScript. So the worker
// registers tsx itself, as bin/rewind.mjs does, then loads the TypeScript worker code.
import { register } from 'tsx/esm/api';

register();
await import('./field-diff-worker.ts');
