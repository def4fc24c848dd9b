/**
 * Renders diff markup a few files at a time, in tasks of about RENDER_SLICE_MS, in page order: a
 * compare of many files paints its first diffs at once and never blocks the main thread for the
 * whole page (the browser can paint and take input between slices).
 */
type Job = () => void;

const RENDER_SLICE_MS = 12;
const queue: Job[] = [];
let scheduled = false;

// A message, unlike setTimeout(0), is not clamped to 4 ms once nested.
const channel = typeof MessageChannel === 'undefined' ? null : new MessageChannel();
if (channel) channel.port1.onmessage = () => flush();

function schedule() {
  if (scheduled) return;
  scheduled = true;
  if (channel) channel.port2.postMessage(null);
  else setTimeout(flush, 0);
}

function flush() {
  scheduled = false;
  const started = performance.now();
  while (queue.length > 0 && performance.now() - started < RENDER_SLICE_MS) queue.shift()!();
  if (queue.length > 0) schedule();
}

/** Queues `job`; the returned function takes it back out if it has not run yet. */
export function enqueueRender(job: Job): () => void {
  queue.push(job);
  schedule();
  return () => {
    const index = queue.indexOf(job);
    if (index !== -1) queue.splice(index, 1);
  };
}
