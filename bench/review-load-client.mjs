// The approvals bench's reviewers (bench/approvals-load.bench.mjs), in a worker thread: the load
// generator must not share the server's event loop, as remote clients do not. CONCURRENCY reviewers,
// each with a keep-alive connection to every replica (undici Agent capped at CONCURRENCY connections
// per origin, as browsers behind a proxy reuse theirs), run the jobs in order and post back each
// answer's status, latency and request state.
//
// Reviews are sent as the SPA sends them, with `Prefer: respond-async` (decision 049): the approval
// that reaches the quorum is answered 202 `executing` (without it, `respondAsync: false`, the answer
// waits for the commit: 200 `completed`). When the rollback is then committed is read
// from the live updates: one `/api/events` stream per replica, opened before the load, and for each
// request the first `request.updated` after its 202 (the completed, failed or dismissed request).
import { parentPort, workerData } from 'node:worker_threads';
import { Agent, fetch } from 'undici';
import { threadCpuMs } from './cpu-time.mjs';

const { jobs, urls, concurrency, viewer, respondAsync } = workerData;
const clients = new Agent({ connections: concurrency });
const streams = new Agent();

const closing = new AbortController();

/**
 * requestId → { answered, outcomeAt } of the requests answered 202. As the request page does, each
 * update after the 202 (and the 202 itself) is followed by a read; the outcome's time is when the
 * first read that finds the request no longer `executing` comes back: when a browser would show it.
 * (An update may be the claim's own, whose event can arrive after the 202.)
 */
const awaiting = new Map();
function noticed(requestId, at) {
  const entry = awaiting.get(requestId);
  if (!entry || entry.outcomeAt !== undefined || at < entry.answered) return;
  entry.checks = entry.checks.then(async () => {
    if (entry.outcomeAt !== undefined) return;
    // The list of executing requests is read from the database alone (a request's own page also
    // reads the repository for its verification, which would load the server being measured).
    const response = await fetch(new URL('api/rollbacks?state=executing&limit=200', urls[0]), { dispatcher: streams, headers: { 'X-Forwarded-Email': viewer } });
    const { requests } = await response.json();
    if (!requests.some((request) => request.id === requestId)) entry.outcomeAt = performance.now();
  });
}

async function follow(url) {
  const response = await fetch(new URL('api/events', url), { dispatcher: streams, headers: { 'X-Forwarded-Email': viewer }, signal: closing.signal });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let ready;
  const isReady = new Promise((resolve) => (ready = resolve));
  (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (/^event: ready$/m.test(block)) ready();
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!data || data === '{}') continue;
          const event = JSON.parse(data);
          if (event.type !== 'request.updated' || !event.requestId) continue;
          noticed(event.requestId, performance.now());
        }
      }
    } catch (error) {
      if (!closing.signal.aborted) throw error;
    }
  })();
  await isReady;
}

async function review({ id, approver, replica }) {
  const sent = performance.now();
  const response = await fetch(new URL(`api/rollbacks/${id}/reviews`, urls[replica]), {
    dispatcher: clients,
    method: 'POST',
    headers: { 'X-Forwarded-Email': approver, 'Content-Type': 'application/json', ...(respondAsync ? { Prefer: 'respond-async' } : {}) },
    body: JSON.stringify({ decision: 'approve', comment: 'load test' }),
  });
  const body = await response.json();
  const answered = performance.now();
  if (response.status === 202) {
    // Its outcome's update may have come before the answer itself: read it once now.
    awaiting.set(id, { answered, outcomeAt: undefined, checks: Promise.resolve() });
    noticed(id, answered);
  }
  return {
    id,
    sent,
    answered,
    ms: answered - sent,
    status: response.status,
    state: body.request?.state,
    message: body.error?.message,
    body: response.status === 200 || response.status === 202 || response.status === 400 ? undefined : body,
  };
}

await Promise.all(urls.map(follow));
// The reviewers are connected before the clock starts, as browsers behind a proxy are: one round of
// CONCURRENCY reads per replica opens the pool's connections (a burst of new connections to a busy
// server waited up to 3 s to be accepted, a cost of the bench's start rather than of a review).
await Promise.all(
  urls.flatMap((url) =>
    Array.from({ length: concurrency }, () =>
      fetch(new URL('api/me', url), { dispatcher: clients, headers: { 'X-Forwarded-Email': viewer } }).then((response) => response.arrayBuffer()),
    ),
  ),
);
const answers = [];
let next = 0;
// The bench reads the server's CPU time between these two messages; this thread's own is posted with the second.
parentPort.postMessage({ type: 'started' });
const ownCpuBefore = threadCpuMs();
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < jobs.length) answers.push(await review(jobs[next++]));
  }),
);
const elapsed = performance.now() - started;
parentPort.postMessage({ type: 'loaded', loadGeneratorCpuMs: ownCpuBefore === null ? null : threadCpuMs() - ownCpuBefore });

// Until every request answered 202 has its outcome (or 60 s): a last read covers an update missed.
const executing = answers.filter((answer) => answer.status === 202);
for (const deadline = performance.now() + 60_000; [...awaiting.values()].some((entry) => entry.outcomeAt === undefined) && performance.now() < deadline; ) {
  await new Promise((resolve) => setTimeout(resolve, 50));
}
// Answered synchronously, the answer itself is the outcome.
const synchronous = answers.filter((answer) => answer.status === 200 && answer.state === 'completed');
const committed = [...executing.map((answer) => (awaiting.get(answer.id)?.outcomeAt ?? Number.NaN) - answer.sent), ...synchronous.map((answer) => answer.ms)];
const allCommittedAfter = Math.max(...[...awaiting.values()].map((entry) => entry.outcomeAt ?? Number.NaN), ...synchronous.map((answer) => answer.answered)) - started;
closing.abort();
await clients.close();
await streams.destroy();
parentPort.postMessage({ type: 'done', answers: answers.map(({ ms, status, state, message, body }) => ({ ms, status, state, message, body })), elapsed, committed, allCommittedAfter });
