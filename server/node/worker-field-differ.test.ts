import { afterEach, describe, expect, it, vi } from 'vitest';
import { inProcessFieldDiffer } from '#core/file-diffs.ts';
import { RewindError } from '#core/errors.ts';
import { computeRollback, type RollbackJob } from '#core/rollback-compute.ts';
import { defaultLayout, type TargetConfig } from '#core/target-config.ts';
import type { FieldDiffPair } from '#core/ports.ts';
import { WORKER_MIN_CHARS, WorkerFieldDiffer, type WorkerFieldDifferOptions } from './worker-field-differ.ts';

// Real work (worker threads parsing large YAML) on a busy machine: generous limits, never vitest's 5 s (decision 024).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

/** A values manifest of about `services` × 20 lines: nested maps, lists of named maps, scalars. */
function manifest(services: number, edit: (i: number) => string = () => 'v1'): string {
  let text = 'global:\n  registry: registry.example.com\n  imagePullSecrets:\n    - name: pull\nservices:\n';
  for (let i = 0; i < services; i++) {
    text +=
      `  - name: svc-${i}\n    image:\n      repository: team/svc-${i}\n      tag: ${edit(i)}\n    replicas: ${(i % 5) + 1}\n` +
      `    env:\n      - name: LOG_LEVEL\n        value: info\n      - name: REGION\n        value: eu-${i % 3}\n` +
      `    resources:\n      limits: { cpu: 500m, memory: 256Mi }\n      requests: { cpu: 100m, memory: 128Mi }\n` +
      `    ports:\n      - name: http\n        containerPort: 8080\n    labels:\n      team: t${i % 7}\n      tier: backend\n`;
  }
  return text;
}

/** About 400 KB per side; every 50th service changes its tag. */
const LARGE_OLD = manifest(1_300);
const LARGE_NEW = manifest(1_300, (i) => (i % 50 === 0 ? 'v2' : 'v1'));

const MULTI_OLD = [
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api, namespace: shop }\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api:1\n',
  'apiVersion: v1\nkind: Service\nmetadata: { name: api, namespace: shop }\nspec:\n  ports: [{ port: 80 }]\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: old }\ndata: { a: "1" }\n',
].join('---\n');
const MULTI_NEW = [
  'apiVersion: v1\nkind: Service\nmetadata: { name: api, namespace: shop }\nspec:\n  ports: [{ port: 8080 }]\n',
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api, namespace: shop }\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api:2\n        - name: sidecar\n          image: envoy:1\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: new }\ndata: { b: "2" }\n',
].join('---\n');

const CASES: { name: string; pair: FieldDiffPair }[] = [
  { name: 'scalar change', pair: { oldText: 'image:\n  tag: v1\n', newText: 'image:\n  tag: v2\n' } },
  { name: 'added file', pair: { oldText: null, newText: 'replicas: 2\nenv: [{ name: A, value: "1" }]\n' } },
  { name: 'deleted file', pair: { oldText: 'replicas: 2\n', newText: null } },
  { name: 'unparseable side', pair: { oldText: 'a: 1\n', newText: 'a: [1, 2\n' } },
  { name: 'duplicate keys', pair: { oldText: 'a: 1\n', newText: 'a: 1\na: 2\n' } },
  { name: 'multi-document, no Secret', pair: { oldText: MULTI_OLD, newText: MULTI_NEW } },
  {
    name: 'special values',
    pair: { oldText: 'a: .nan\nb: -.inf\nc: ~\nd: 2026-01-01\n__proto__: { x: 1 }\n', newText: 'a: 1\nb: .inf\nc: 0\nd: "2026-01-02"\n__proto__: { x: 2 }\ne: { f: [1, null] }\n' },
  },
  {
    name: 'Secret values masked',
    pair: { oldText: 'apiVersion: v1\nkind: Secret\nmetadata: { name: db }\nstringData: { password: hunter2 }\n', newText: 'apiVersion: v1\nkind: Secret\nmetadata: { name: db }\nstringData: { password: hunter3 }\n' },
  },
  { name: 'truncated (over 2,000 changes)', pair: { oldText: manifest(700), newText: manifest(700, (i) => `v${i}`).replaceAll('info', 'debug').replaceAll('backend', 'frontend') } },
  { name: 'too large', pair: { oldText: `a: ${'x'.repeat(1_000_001)}\n`, newText: 'a: 1\n' } },
];

const differs: WorkerFieldDiffer[] = [];
function differ(options: WorkerFieldDifferOptions = {}): WorkerFieldDiffer {
  const made = new WorkerFieldDiffer(options);
  differs.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(differs.splice(0).map((d) => d.close()));
});

/** How many turns of the event loop (setImmediate) ran until `promise` settled. */
async function loopTurnsWhile(promise: Promise<unknown>): Promise<number> {
  let settled = false;
  let turns = 0;
  const tick = () => {
    if (settled) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  await promise.finally(() => (settled = true));
  return turns;
}

describe('WorkerFieldDiffer', () => {
  it('answers what the in-process differ answers, in order, for each kind of input', { timeout: 180_000 }, async () => {
    const inWorker = differ({ minChars: 0 });
    const pairs = CASES.map((c) => c.pair);
    const expected = await inProcessFieldDiffer(pairs);
    // The cases cover what they say they do.
    expect(expected.map((r) => r.incomplete)).toEqual([undefined, undefined, undefined, 'unparseable', 'unparseable', undefined, undefined, undefined, 'truncated', 'too-large']);
    expect(expected[5]!.changes.length).toBeGreaterThan(5);
    expect(expected[7]!.changes[0]).toMatchObject({ redacted: true });

    expect(await inWorker.diff(pairs)).toStrictEqual(expected);
    for (const [index, { name, pair }] of CASES.entries()) {
      expect(await inWorker.diff([pair]), name).toStrictEqual([expected[index]]);
    }
    expect(await inWorker.diff([{ oldText: LARGE_OLD, newText: LARGE_NEW }])).toStrictEqual(await inProcessFieldDiffer([{ oldText: LARGE_OLD, newText: LARGE_NEW }]));
    expect(await inWorker.diff([])).toEqual([]);
    expect(inWorker.workersStarted).toBe(1);
  });

  it('keeps small batches in-process and starts one worker for large ones', { timeout: 60_000 }, async () => {
    const logs: Record<string, unknown>[] = [];
    const d = differ({ log: (entry) => logs.push(entry) });
    const small = CASES.slice(0, 6).map((c) => c.pair);
    expect(small.reduce((n, p) => n + (p.oldText?.length ?? 0) + (p.newText?.length ?? 0), 0)).toBeLessThan(WORKER_MIN_CHARS);
    expect(await d.diff(small)).toStrictEqual(await inProcessFieldDiffer(small));
    expect(d.workersStarted).toBe(0);

    expect(LARGE_OLD.length).toBeGreaterThan(380_000);
    const results = await Promise.all([d.diff([{ oldText: LARGE_OLD, newText: LARGE_NEW }]), d.diff([{ oldText: LARGE_NEW, newText: LARGE_OLD }])]);
    expect(results[0]![0]!.changes).toHaveLength(26);
    expect(results[1]![0]!.changes.map((c) => [c.from, c.to])).toEqual(results[0]![0]!.changes.map((c) => [c.to, c.from]));
    expect(d.workersStarted).toBe(1);
    expect(logs).toEqual([{ level: 'info', msg: 'field-diff worker started', threadId: expect.any(Number) }]);
  });

  it('keeps the event loop turning while a large field diff runs', { timeout: 60_000 }, async () => {
    const pair = [{ oldText: LARGE_OLD, newText: `${LARGE_NEW}extra: 1\n` }];
    // In-process, the parse holds the loop: the promise is settled before the loop turns once.
    expect(await loopTurnsWhile(inProcessFieldDiffer(pair))).toBe(0);
    // In the worker (which has parsed neither text yet) the loop keeps turning meanwhile.
    const inWorker = differ();
    const running = inWorker.diff(pair);
    let timerFired = false;
    setTimeout(() => (timerFired = true), 0);
    expect(await loopTurnsWhile(running.then(() => expect(timerFired).toBe(true)))).toBeGreaterThan(0);
    expect((await running)[0]!.changes).toHaveLength(27);
  });

  it('rejects the calls of a worker that crashed, and starts a new one for the next call', { timeout: 60_000 }, async () => {
    const logs: Record<string, unknown>[] = [];
    // A heap too small for a parse of a ~1 MB pair (the worker itself starts in about 12 MB).
    const d = differ({ minChars: 0, resourceLimits: { maxOldGenerationSizeMb: 24 }, log: (entry) => logs.push(entry) });
    expect(await d.diff([CASES[0]!.pair])).toStrictEqual(await inProcessFieldDiffer([CASES[0]!.pair]));
    const huge = manifest(2_400);
    expect(huge.length).toBeGreaterThan(900_000);
    expect(huge.length).toBeLessThan(1_000_000);
    const crashing = d.diff([{ oldText: huge, newText: `${huge}x: 1\n` }]);
    const queued = d.diff([CASES[1]!.pair]);
    await expect(crashing).rejects.toThrow(/^the field-diff worker failed: .*memory/);
    await expect(queued).rejects.toThrow(/^the field-diff worker failed/);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', msg: 'field-diff worker failed', calls: 2 }));

    expect(await d.diff([CASES[5]!.pair])).toStrictEqual(await inProcessFieldDiffer([CASES[5]!.pair]));
    expect(d.workersStarted).toBe(2);
  });

  it('warmUp() starts the worker ahead of the first call, once, and not after close()', { timeout: 60_000 }, async () => {
    const d = differ();
    d.warmUp();
    d.warmUp();
    expect(d.workersStarted).toBe(1);
    expect((await d.diff([{ oldText: LARGE_OLD, newText: LARGE_NEW }]))[0]!.changes).toHaveLength(26);
    expect(d.workersStarted).toBe(1);
    await d.close();
    d.warmUp();
    expect(d.workersStarted).toBe(1);
  });

  it('close() terminates the worker: waiting calls reject, later ones that need it too', { timeout: 60_000 }, async () => {
    const logs: Record<string, unknown>[] = [];
    const d = differ({ log: (entry) => logs.push(entry) });
    const running = expect(d.diff([{ oldText: LARGE_OLD, newText: `${LARGE_NEW}closing: 1\n` }])).rejects.toThrow('the field-diff worker was closed before it answered');
    await d.close();
    await running;
    // The thread has stopped by the time close() resolves.
    expect(logs.at(-1)).toEqual({ level: 'info', msg: 'field-diff worker exited', threadId: expect.any(Number), code: expect.any(Number), calls: 0 });
    await expect(d.diff([{ oldText: LARGE_OLD, newText: LARGE_NEW }])).rejects.toThrow('the field-diff worker is closed');
    expect(await d.diff([CASES[0]!.pair])).toHaveLength(1);
    expect(d.workersStarted).toBe(1);
    await d.close();
  });
});

const TARGET: TargetConfig = {
  tenant: 'acme',
  environment: 'production',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 0, blockSelfApproval: true, requesters: ['requester'], approvers: ['approver'], breakGlass: ['break-glass'] },
  layout: defaultLayout('acme', 'production', ['api', 'web']),
};
const API_FILE = 'tenants/acme/production/services/api/values.yaml';
const WEB_FILE = 'tenants/acme/production/services/web/values.yaml';
/** A service rollback of the large manifest, previewed (plan, patches, masking, field changes). */
const rollbackJob = (file = API_FILE, service = 'api'): RollbackJob => ({
  target: TARGET,
  mode: 'service',
  service,
  headFiles: new Map([[file, LARGE_NEW]]),
  targetFiles: new Map([[file, LARGE_OLD]]),
  diff: { from: 'a'.repeat(40), to: 'b'.repeat(40) },
});

describe('WorkerFieldDiffer: rollback jobs', () => {
  it('plans and previews in the worker exactly as in-process', { timeout: 300_000 }, async () => {
    // A budget no busy test machine reaches: this test is about equal results.
    const d = differ({ minChars: 0, rollbackBudgetMs: 600_000 });
    const job = rollbackJob();
    const expected = computeRollback(job);
    expect(expected.diff!.fields.length).toBeGreaterThan(10);
    expect(await d.compute(job)).toStrictEqual(expected);
    const field: RollbackJob = { ...job, mode: 'field', fields: [{ file: API_FILE, path: ['services', 0, 'image', 'tag'] }] };
    expect(await d.compute(field)).toStrictEqual(computeRollback(field));
    expect(d.workersStarted).toBe(1);
  });

  it("passes the planner's refusals through with their status and details", { timeout: 60_000 }, async () => {
    const d = differ({ minChars: 0 });
    const bomb = `image: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`;
    const job: RollbackJob = { ...rollbackJob(), mode: 'field', fields: [{ file: API_FILE, path: ['image'] }], headFiles: new Map([[API_FILE, bomb]]) };
    const error = await d.compute(job).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(RewindError);
    expect(error).toMatchObject({ status: 422, field: 'fields', file: API_FILE, rule: 'parse-budget' });
  });

  it('fails a job over its time budget with a 422 naming the file, and runs the queued jobs on a new worker', { timeout: 60_000 }, async () => {
    const logs: Record<string, unknown>[] = [];
    // 1 ms: a preview of 800 KB of YAML takes far longer than that, so the first job always runs over.
    const d = differ({ minChars: 0, rollbackBudgetMs: 1, log: (entry) => logs.push(entry) });
    const first = d.compute(rollbackJob(API_FILE, 'api')).then(() => null, (e: unknown) => e);
    const second = d.compute(rollbackJob(WEB_FILE, 'web')).then(() => null, (e: unknown) => e);
    const error = await first;
    expect(error).toBeInstanceOf(RewindError);
    expect(error).toMatchObject({ status: 422, code: 'UNPROCESSABLE', rule: 'parse-budget', file: API_FILE });
    expect((error as Error).message).toBe(
      `the rollback could not be planned within 0.001 s on ${API_FILE}: the file is too large or too complex to parse. Nothing was changed`,
    );
    // The queued job went to a new worker, where it ran over the same budget (a real budget lets it finish).
    expect(await second).toMatchObject({ status: 422, file: WEB_FILE });
    expect(d.workersStarted).toBe(2);
    expect(logs.filter((l) => l.msg === 'rollback job over its time budget: worker replaced')).toHaveLength(2);
  });

  it('keeps small rollback jobs in-process', { timeout: 60_000 }, async () => {
    const d = differ();
    const small: RollbackJob = { ...rollbackJob(), headFiles: new Map([[API_FILE, 'replicas: 3\n']]), targetFiles: new Map([[API_FILE, 'replicas: 2\n']]) };
    expect((await d.compute(small)).plan.changes).toEqual({ [API_FILE]: 'replicas: 2\n' });
    expect(d.workersStarted).toBe(0);
  });
});

