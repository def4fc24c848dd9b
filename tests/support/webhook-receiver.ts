/**
 * A local webhook receiver for notification tests and the notify bench (decision 038): node:http on
 * port 0, answering each POST as `answer` says (status, delay; a delay longer than the sender's
 * timeout is a timeout). It records every attempt and, like a careful receiver, accepts each
 * `X-Rewind-Delivery` once: `accepted` holds the deliveries after duplicates were dropped.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedAttempt {
  delivery: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request arrived. */
  at: number;
}

export interface WebhookReceiver {
  url: string;
  attempts: ReceivedAttempt[];
  accepted: ReceivedAttempt[];
  duplicates: number;
  /** Resolves once `count` deliveries were accepted. */
  waitFor(count: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export type Answer = (attempt: ReceivedAttempt, index: number) => { status: number; delayMs?: number };

export async function startWebhookReceiver(answer: Answer = () => ({ status: 200 })): Promise<WebhookReceiver> {
  const attempts: ReceivedAttempt[] = [];
  const accepted: ReceivedAttempt[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const attempt: ReceivedAttempt = { delivery: String(req.headers['x-rewind-delivery'] ?? ''), headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: performance.now() };
      const index = attempts.push(attempt) - 1;
      const { status, delayMs = 0 } = answer(attempt, index);
      setTimeout(() => {
        // A receiver that processed a delivery the sender gave up waiting for still processed it.
        if (status >= 200 && status < 300) {
          if (seen.has(attempt.delivery)) duplicates += 1;
          else {
            seen.add(attempt.delivery);
            accepted.push(attempt);
            for (const wake of waiters.splice(0)) wake();
          }
        }
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${port}/hook/T000/SECRET-TOKEN`,
    attempts,
    accepted,
    get duplicates() {
      return duplicates;
    },
    async waitFor(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (accepted.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`the receiver accepted ${accepted.length} deliveries of ${count} within ${timeoutMs} ms (${attempts.length} attempts)`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 250));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
