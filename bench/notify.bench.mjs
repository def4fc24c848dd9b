// Notification delivery latency (`npm run bench notify`, decision 038): the SQLite request store with
// the outbox, the server's sender (woken on commit, as the server's live events do) and a local
// receiver that answers 200 after 50 ms. Latency = from the commit of the state change (its outbox
// message) to the receiver's answer. Sequential: one state change at a time; burst: 200 at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SequentialIds, StaticTargetCatalog, StaticUserDirectory, systemClock } from '#core/basic-adapters.ts';
import { withNotificationOutbox } from '#core/notification-outbox.ts';
import { NotificationSender } from '#server/notify/notification-sender.ts';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';
import { startWebhookReceiver } from '../tests/support/webhook-receiver.ts';

const ANSWER_MS = 50;
const SEQUENTIAL = 100;
const BURST = 200;

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

export async function run(report) {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-notify-bench-'));
  const receiver = await startWebhookReceiver(() => ({ status: 200, delayMs: ANSWER_MS }));
  const sql = await SqlRequestStore.open(join(dir, 'rewind.db'));
  const store = withNotificationOutbox(sql, {
    routing: { baseUrl: 'https://rewind.example.com', channels: [{ name: 'ops', type: 'webhook' }] },
    users: new StaticUserDirectory([]),
    catalog: new StaticTargetCatalog([]),
    clock: systemClock,
  });
  const sender = new NotificationSender({
    store: sql,
    channels: new Map([['ops', { name: 'ops', type: 'webhook', url: receiver.url, secret: 'whsec-bench' }]]),
    clock: systemClock,
    ids: new SequentialIds(),
    pollMs: 1000,
  });
  sender.start();
  let n = 0;
  const committed = new Map();
  const breakGlass = async () => {
    const id = `evt-${++n}`;
    await store.transaction((tx) =>
      tx.appendAudit({ id, at: new Date().toISOString(), actor: 'olu@example.com', type: 'break-glass.opened', breakGlass: true, details: { justification: 'bench', minutes: 30 } }),
    );
    committed.set(`ntf-${id}-ops`, performance.now());
    sender.wake();
  };
  const latencies = (from) => receiver.accepted.slice(from).map((a) => a.at + ANSWER_MS - committed.get(a.delivery));
  try {
    for (let i = 0; i < SEQUENTIAL; i++) {
      await breakGlass();
      await receiver.waitFor(i + 1, 30_000);
    }
    const sequential = latencies(0);
    report({ name: 'notify: delivery latency p50 (sequential, receiver answers in 50 ms)', value: Math.round(percentile(sequential, 50)), unit: 'ms' });
    report({ name: 'notify: delivery latency p99 (sequential, receiver answers in 50 ms)', value: Math.round(percentile(sequential, 99)), unit: 'ms' });

    const started = performance.now();
    await Promise.all(Array.from({ length: BURST }, () => breakGlass()));
    await receiver.waitFor(SEQUENTIAL + BURST, 120_000);
    const burst = latencies(SEQUENTIAL);
    report({ name: `notify: delivery latency p50 (burst of ${BURST})`, value: Math.round(percentile(burst, 50)), unit: 'ms' });
    report({ name: `notify: delivery latency p99 (burst of ${BURST})`, value: Math.round(percentile(burst, 99)), unit: 'ms' });
    report({ name: `notify: burst of ${BURST} delivered in`, value: Math.round(performance.now() - started), unit: 'ms' });
    report({ name: 'notify: duplicates the receiver dropped', value: receiver.duplicates, unit: 'count' });
  } finally {
    await sender.stop();
    await receiver.close();
    await sql.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
