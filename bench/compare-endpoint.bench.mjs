// The compare endpoint over the git store against raw `git diff --histogram` on the same revisions.
// One synthetic repo per size: a target t/e whose service `app` has a single-document, Kubernetes-like
// values manifest (nested maps, lists of maps with `name`, scalars) of about 40 (one service item, a
// typical values file: its fields come with the text), 2,000, 20,000 and 100,000 lines, and two
// revisions on top of the base one:
//   - edited: 1% of the lines are scalar values changed, scattered over the file;
//   - moved: a contiguous block of about 5% of the lines (whole items of the `services` list) moved
//     further down.
// Timed: `GET /api/targets/t/e/compare?from=<base>&to=<rev>` through the API app (`app.fetch`, the
// body read as text, as a client would), against `git diff --histogram <base> <rev> -- <paths>` run
// with execFile. Median of RUNS runs (9, or BENCH_RUNS) after WARMUP, interleaved; ratio = ours / git.
// Findings and figures: docs/decisions/009-compare-performance.md.
//
// Ours runs in two conditions, both reported:
//   - cold: a fresh store and app for every run, which has served the target's history page (as when
//     the compare is opened from the history panel), with core's parse caches emptied: the cost of
//     the first look at a pair of revisions;
//   - warm: the same app asked again, the cost of a reload or of a second reviewer.
// The `ratio` of the cold line is the one the target (≤ 1.5) is about.
// Since docs/decisions/014 a change with more than 4,096 characters of YAML to parse answers with its
// text diff and `fieldDiff: 'deferred'`; the field changes come from `GET .../compare/fields`, timed
// as `fields_cold` (fresh app, caches emptied, after the compare, as the view asks for it) and
// reported with the same baseline: the field table's wait after the text diff is on screen.
//
// Figures of the field table (fields_cold): docs/decisions/042 and 050. Each line carries the load
// average before and after its runs (`load`).
//
// Runs under tsx (`npm run bench compare-endpoint`): it imports the TS sources. BENCH_SIZES=2000,20000
// measures only those sizes. The repos are built
// once with fast-import and cached in the OS temp dir.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SequentialIds, StaticTargetCatalog, StaticUserDirectory, systemClock } from '#core/basic-adapters.ts';
import { SimulatedClusterStatus } from '#demo/simulated-cluster.ts';
import { defaultLayout } from '#core/target-config.ts';
import { clearTextCaches } from '#core/yaml-documents.ts';
import { createApiApp } from '#server/api/app.ts';
import { importCommits, initRepo } from '#server/git/fast-import.ts';
import { GitRevisionStore } from '#server/git/git-revision-store.ts';
import { median, round } from './stats.mjs';

const execFileAsync = promisify(execFile);

/** Bump when the generated repos change, so a stale cache is not reused. */
const REPO_VERSION = 'v1';
const SIZES = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(",").map(Number) : [40, 2_000, 20_000, 100_000];
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const WARMUP = 2;
const SERVICE = 'app';
const FILE = `tenants/t/e/services/${SERVICE}/values.yaml`;
const USER = { email: 'bench@example.com', name: 'Bench', roles: ['admin'] };

// --- The manifest ----------------------------------------------------------------------------------

/** A small deterministic PRNG (mulberry32), so every run builds the same repos. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n) => String(n).padStart(5, '0');

/** One item of the `services` list: about 60 lines, the shape of a Helm chart's per-service values. */
function serviceItem(i, random) {
  const name = `svc-${pad(i)}`;
  const envCount = 4 + Math.floor(random() * 6);
  const env = Array.from({ length: envCount }, (_, j) =>
    j % 3 === 2
      ? `    - name: DB_PASSWORD_${j}\n      valueFrom:\n        secretKeyRef:\n          name: ${name}-db\n          key: password\n`
      : `    - name: SETTING_${j}\n      value: "${Math.floor(random() * 100_000)}"\n`,
  ).join('');
  return (
    `- name: ${name}\n` +
    `  enabled: ${random() < 0.9}\n` +
    `  replicas: ${1 + Math.floor(random() * 6)}\n` +
    `  image:\n` +
    `    repository: registry.example.com/platform/${name}\n` +
    `    tag: v1.${Math.floor(random() * 40)}.${Math.floor(random() * 300)}\n` +
    `    pullPolicy: IfNotPresent\n` +
    `  imagePullSecrets:\n` +
    `  - name: regcred\n` +
    `  labels:\n` +
    `    app.kubernetes.io/name: ${name}\n` +
    `    app.kubernetes.io/part-of: platform\n` +
    `    team: team-${i % 17}\n` +
    `  annotations:\n` +
    `    prometheus.io/scrape: "true"\n` +
    `    prometheus.io/port: "${9000 + (i % 100)}"\n` +
    `  container:\n` +
    `    env:\n${env}` +
    `    ports:\n` +
    `    - name: http\n` +
    `      containerPort: 8080\n` +
    `      protocol: TCP\n` +
    `    - name: metrics\n` +
    `      containerPort: ${9000 + (i % 100)}\n` +
    `      protocol: TCP\n` +
    `    resources:\n` +
    `      requests:\n` +
    `        cpu: ${50 * (1 + Math.floor(random() * 10))}m\n` +
    `        memory: ${64 * (1 + Math.floor(random() * 16))}Mi\n` +
    `      limits:\n` +
    `        cpu: "${1 + Math.floor(random() * 4)}"\n` +
    `        memory: ${128 * (1 + Math.floor(random() * 16))}Mi\n` +
    `    livenessProbe:\n` +
    `      httpGet:\n` +
    `        path: /healthz\n` +
    `        port: http\n` +
    `      initialDelaySeconds: ${5 + Math.floor(random() * 30)}\n` +
    `      periodSeconds: 10\n` +
    `    readinessProbe:\n` +
    `      httpGet:\n` +
    `        path: /ready\n` +
    `        port: http\n` +
    `      timeoutSeconds: ${1 + Math.floor(random() * 5)}\n` +
    `  service:\n` +
    `    type: ClusterIP\n` +
    `    port: 80\n` +
    `  autoscaling:\n` +
    `    enabled: ${random() < 0.5}\n` +
    `    minReplicas: 2\n` +
    `    maxReplicas: ${4 + Math.floor(random() * 20)}\n` +
    `    targetCPUUtilizationPercentage: ${50 + Math.floor(random() * 40)}\n` +
    `  nodeSelector:\n` +
    `    kubernetes.io/os: linux\n` +
    `  tolerations:\n` +
    `  - key: dedicated\n` +
    `    operator: Equal\n` +
    `    value: platform\n` +
    `    effect: NoSchedule\n`
  );
}

const HEADER =
  '# Platform services (generated by the compare benchmark)\n' +
  'global:\n' +
  '  cluster: prod-eu-1\n' +
  '  domain: platform.example.com\n' +
  '  registry: registry.example.com\n' +
  '  monitoring:\n' +
  '    enabled: true\n' +
  '    interval: 30s\n' +
  'services:\n';

/** The base manifest of about `lines` lines, as whole items (so it stays valid YAML). */
function baseManifest(lines) {
  const random = prng(lines);
  const items = [];
  let count = HEADER.split('\n').length - 1;
  for (let i = 0; count < lines; i++) {
    const item = serviceItem(i, random);
    items.push(item);
    count += item.split('\n').length - 1;
  }
  return { header: HEADER, items };
}

const SCALAR_LINE = /^(\s*(?:- )?)([A-Za-z][\w./-]*): (.+)$/;
/** Keys whose values are never edited: identities (renaming would be another kind of change). */
const FIXED_KEYS = new Set(['name', 'key']);

/** 1% of the lines get a new scalar value, spread evenly (with jitter) over the file. */
function editedManifest(text) {
  const lines = text.split('\n');
  const candidates = [];
  lines.forEach((line, i) => {
    const m = SCALAR_LINE.exec(line);
    if (m && !FIXED_KEYS.has(m[2])) candidates.push(i);
  });
  const wanted = Math.round((lines.length - 1) / 100);
  const random = prng(wanted + 7);
  const step = candidates.length / wanted;
  for (let k = 0; k < wanted; k++) {
    const i = candidates[Math.min(candidates.length - 1, Math.floor(k * step + random() * step))];
    const [, indent, key, value] = SCALAR_LINE.exec(lines[i]);
    let next;
    if (/^\d+$/.test(value)) next = String(Number(value) + 1);
    else if (value === 'true' || value === 'false') next = value === 'true' ? 'false' : 'true';
    else if (/^".*"$/.test(value)) next = `"${value.slice(1, -1)}-r2"`;
    else next = `${value}-r2`;
    lines[i] = `${indent}${key}: ${next}`;
  }
  return { text: lines.join('\n'), edited: wanted };
}

/** A contiguous run of items (about 5% of the lines) taken out at 20% of the list and put back at 70%. */
function movedManifest({ header, items }, totalLines) {
  const from = Math.floor(items.length * 0.2);
  let end = from;
  let moved = 0;
  while (moved < totalLines * 0.05 && end < items.length) moved += items[end++].split('\n').length - 1;
  const block = items.slice(from, end);
  const rest = [...items.slice(0, from), ...items.slice(end)];
  const at = Math.floor(items.length * 0.7) - block.length;
  return { text: header + [...rest.slice(0, at), ...block, ...rest.slice(at)].join(''), moved };
}

// --- The repos -------------------------------------------------------------------------------------

async function syntheticRepo(lines) {
  const dir = join(tmpdir(), `rewind-bench-compare-${REPO_VERSION}-${lines}`);
  const ready = join(dir, 'rewind-bench-ready.json');
  if (existsSync(ready)) return { dir, ...JSON.parse(readFileSync(ready, 'utf8')), built: null };
  const started = performance.now();
  const building = mkdtempSync(join(tmpdir(), 'rewind-bench-compare-building-'));
  const gitDir = await initRepo(building, { bare: true });
  const manifest = baseManifest(lines);
  const base = manifest.header + manifest.items.join('');
  const edited = editedManifest(base);
  const moved = movedManifest(manifest, lines);
  const at = (i) => new Date(Date.parse('2026-03-01T00:00:00Z') + i * 60_000).toISOString();
  const author = { name: 'bench', email: 'bench@example.com' };
  const bindings = { 'tenants/t/e/kustomization.yaml': 'resources:\n- services/app\n', 'tenants/t/e/variables.yaml': 'logLevel: info\n' };
  const { byId } = await importCommits(
    gitDir,
    [
      { id: 'base', timestamp: at(0), author, message: 'base\n', changes: { ...bindings, [FILE]: base } },
      { id: 'edited', timestamp: at(1), author, message: 'edit 1% of the lines\n', changes: { [FILE]: edited.text } },
      // Back to the base, then the moved block: both revisions compare against `base`.
      { id: 'reset', timestamp: at(2), author, message: 'back to base\n', changes: { [FILE]: base } },
      { id: 'moved', timestamp: at(3), author, message: 'move a block\n', changes: { [FILE]: moved.text } },
    ],
    { branch: 'main' },
  );
  const info = {
    shas: { base: byId.get('base'), edited: byId.get('edited'), moved: byId.get('moved') },
    lines: base.split('\n').length - 1,
    bytes: Buffer.byteLength(base),
    editedLines: edited.edited,
    movedLines: moved.moved,
  };
  writeFileSync(join(building, 'rewind-bench-ready.json'), JSON.stringify(info));
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  return { dir, ...info, built: performance.now() - started };
}

// --- Timing ----------------------------------------------------------------------------------------

const load1 = () => round(loadavg()[0]);

const TARGET = {
  tenant: 't',
  environment: 'e',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 1, blockSelfApproval: true, requesters: ['admin'], approvers: ['admin'], breakGlass: ['admin'] },
  layout: defaultLayout('t', 'e', [SERVICE]),
};

function apiApp(store) {
  return createApiApp({
    revisions: store,
    catalog: new StaticTargetCatalog([TARGET]),
    cluster: new SimulatedClusterStatus(store),
    users: new StaticUserDirectory([USER]),
    clock: systemClock,
    ids: new SequentialIds(),
    identity: { mode: 'demo', defaultUser: USER.email },
  });
}

async function compare(app, from, to, endpoint = 'compare') {
  const response = await app.fetch(new Request(`http://x/api/targets/t/e/${endpoint}?from=${from}&to=${to}`));
  const body = await response.text();
  if (response.status !== 200) throw new Error(`compare answered ${response.status}: ${body.slice(0, 500)}`);
  return body;
}

export async function run(report) {
  for (const lines of SIZES) {
    const repo = await syntheticRepo(lines);
    if (repo.built !== null) report({ name: `compare.${lines}.synthetic_repo.build`, value: Math.round(repo.built), unit: 'ms' });
    const open = () => GitRevisionStore.open({ repoPath: repo.dir, branch: 'main', writeCommitGraph: false });
    const rawDiff = (from, to) =>
      execFileAsync('git', ['--git-dir', repo.dir, 'diff', '--histogram', from, to, '--', ...TARGET.layout.paths], { maxBuffer: 512 << 20 });

    // A one-item manifest has no block to move.
    for (const change of lines >= 1_000 ? ['edited', 'moved'] : ['edited']) {
      const from = repo.shas.base;
      const to = repo.shas[change];
      const warmStore = await open();
      try {
        const warmApp = apiApp(warmStore);
        const body = await compare(warmApp, from, to);
        const diff = JSON.parse(body);
        const file = diff.files.find((f) => f.path === FILE);
        const gitPatch = (await rawDiff(from, to)).stdout;
        // Sanity: the same change as git's (counts), and what the response holds.
        const gitAdds = gitPatch.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++')).length;
        if (!file || file.additions !== gitAdds) throw new Error(`compare and git disagree: ${file?.additions} vs ${gitAdds} additions`);

        const cold = [];
        const warm = [];
        const git = [];
        const fieldsCold = [];
        const deferred = file.fieldDiff === 'deferred';
        const loadBefore = load1();
        for (let i = 0; i < WARMUP + RUNS; i++) {
          const fresh = await open();
          try {
            const app = apiApp(fresh);
            const history = await app.fetch(new Request('http://x/api/targets/t/e/history?limit=50'));
            if (history.status !== 200) throw new Error(`history answered ${history.status}`);
            await history.text();
            const timed = async (fn) => {
              const t = performance.now();
              await fn();
              return performance.now() - t;
            };
            let coldMs = 0;
            let warmMs = 0;
            let gitMs = 0;
            let fieldsMs = 0;
            const steps = [
              async () => {
                // Parsed texts are cached by content in the process (core's TextCache): forget them.
                clearTextCaches();
                coldMs = await timed(() => compare(app, from, to));
                if (deferred) {
                  // The view's second request: the same revisions' field changes, nothing parsed yet.
                  clearTextCaches();
                  fieldsMs = await timed(() => compare(app, from, to, 'compare/fields'));
                }
              },
              async () => (warmMs = await timed(() => compare(warmApp, from, to))),
              async () => (gitMs = await timed(() => rawDiff(from, to))),
            ];
            // Alternate the order, so that none of the three always runs after another's garbage.
            for (const step of i % 2 === 0 ? steps : [steps[2], steps[1], steps[0]]) await step();
            if (i >= WARMUP) {
              cold.push(coldMs);
              warm.push(warmMs);
              git.push(gitMs);
              fieldsCold.push(fieldsMs);
            }
          } finally {
            await fresh.close();
          }
        }
        const baseline = median(git);
        const extra = {
          lines: repo.lines,
          fileBytes: repo.bytes,
          changedLines: change === 'edited' ? repo.editedLines : repo.movedLines,
          responseBytes: Buffer.byteLength(body),
          patchBytes: Buffer.byteLength(gitPatch),
          fields: diff.fields.length,
          ...(file.fieldDiff ? { fieldDiff: file.fieldDiff } : {}),
          // The machine's 1-minute load average before and after these runs: ratios on a loaded box swing.
          load: [loadBefore, load1()],
        };
        const fieldsBody = deferred ? JSON.parse(await compare(warmApp, from, to, 'compare/fields')) : null;
        for (const [which, runs] of [
          ['cold', cold],
          ['warm', warm],
          ...(deferred ? [['fields_cold', fieldsCold]] : []),
        ]) {
          if (which === 'fields_cold') {
            const finalState = fieldsBody.files.find((f) => f.path === FILE)?.fieldDiff;
            Object.assign(extra, { fields: fieldsBody.fields.length, fieldDiff: finalState ?? 'complete' });
          }
          const value = median(runs);
          report({ name: `compare.${lines}_lines.${change}.${which}`, value: round(value), unit: 'ms', baseline: round(baseline), ratio: round(value / baseline), ...extra });
        }
      } finally {
        await warmStore.close();
      }
    }
  }
}
