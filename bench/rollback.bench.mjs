// Rollback preview and execution over the git store and the SQLite request store, on a target of 502
// files (10 services × 50 files, plus a binding and variables): a service rollback restoring 50 files
// and a full rollback restoring 80, against the raw git plumbing floor for the same change:
// `read-tree`, `update-index --add --remove` (from a scratch work tree holding the new files, which
// also writes their blobs; deleted ones are absent), `write-tree`, `commit-tree`,
// `update-ref <new> <old>`, each through execFile.
//
// - preview: `RollbackService.preview` (branch head, target head, two tree listings and blob reads,
//   the plan, its hash, and the diff with patches, field changes and Secret masking);
// - execute: `RollbackService.createRequest` on a target whose policy needs no approval (plan, hash,
//   request + audit in SQLite, the CAS commit through the git store, the completed state + audit).
// Each run previews, executes the same rollback (alternating between restoring the good and the bad
// release, so every run commits the same number of files), then times the floor: interleaved, so
// load on the machine weighs on all three alike. Median of RUNS after WARMUP; ratio = ours / floor
// (goal ≤ 2). Runs under tsx (`npm run bench rollback`): it imports the TS sources.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { RandomIds, StaticTargetCatalog, StaticUserDirectory, systemClock } from '#core/basic-adapters.ts';
import { RollbackService } from '#core/rollback-service.ts';
import { defaultLayout } from '#core/target-config.ts';
import { importCommits, initRepo } from '#server/git/fast-import.ts';
import { GitRevisionStore } from '#server/git/git-revision-store.ts';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';
import { median, round } from './stats.mjs';

const execFileAsync = promisify(execFile);

const RUNS = 21;
const WARMUP = 3;
const SERVICES = Array.from({ length: 10 }, (_, i) => `svc-${i}`);
const FILES_PER_SERVICE = 50;
const ROOT = 'tenants/acme/staging/';
const USER = { email: 'bench@example.com', name: 'Bench', roles: ['requester'] };
const TARGET = {
  tenant: 'acme',
  environment: 'staging',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 0, blockSelfApproval: true, requesters: ['requester'], approvers: ['approver'], breakGlass: [] },
  layout: defaultLayout('acme', 'staging', SERVICES),
};

const fileOf = (service, i) => `${ROOT}services/${service}/manifest-${String(i).padStart(2, '0')}.yaml`;

/** A ~1.2 KB Deployment-like manifest; `build` changes the image tag and two values. */
function manifest(service, i, build) {
  const env = Array.from({ length: 10 }, (_, k) => `            - name: SETTING_${k}\n              value: "${k === 3 ? build * 7 : k * 11 + i}"\n`).join('');
  return (
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${service}-${i}\n  labels:\n    app: ${service}\nspec:\n` +
    `  replicas: ${2 + (build % 3)}\n  template:\n    spec:\n      containers:\n        - name: app\n` +
    `          image: registry.example.com/acme/${service}:v1.${build}.0\n          env:\n${env}`
  );
}

async function git(gitDir, args, options = {}) {
  const { stdout } = await execFileAsync('git', ['--git-dir', gitDir, ...args], { maxBuffer: 64 << 20, ...options });
  return stdout;
}

async function gitWithInput(gitDir, args, input, env) {
  return new Promise((resolve, reject) => {
    const child = execFile('git', ['--git-dir', gitDir, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
    child.stdin.end(input);
  });
}

/** The plumbing floor: the same new files committed on `head` with five git commands. */
async function plumbingCommit(gitDir, scratch, head, changes) {
  mkdirSync(scratch, { recursive: true });
  const index = join(scratch, `index-${Math.random().toString(36).slice(2)}`);
  const env = { ...process.env, GIT_INDEX_FILE: index, GIT_WORK_TREE: scratch };
  await git(gitDir, ['read-tree', head], { env });
  const paths = Object.keys(changes);
  for (const path of paths) {
    if (changes[path] === null) continue;
    mkdirSync(dirname(join(scratch, path)), { recursive: true });
    writeFileSync(join(scratch, path), changes[path]);
  }
  await git(gitDir, ['--work-tree', scratch, 'update-index', '--add', '--remove', '--', ...paths], { env, cwd: scratch });
  const tree = (await git(gitDir, ['write-tree'], { env })).trim();
  const ident = { GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };
  const commit = (await gitWithInput(gitDir, ['commit-tree', tree, '-p', head], 'floor\n', ident)).trim();
  await git(gitDir, ['update-ref', 'refs/heads/floor', commit, head]);
  rmSync(index, { force: true });
  return commit;
}

async function time(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export async function run(report) {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-bench-rollback-'));
  try {
    const gitDir = await initRepo(join(dir, 'repo'), { branch: 'main' });
    const at = (minute) => new Date(Date.UTC(2026, 10, 1, 9, minute)).toISOString();
    const author = { name: 'CI', email: 'ci@example.com' };
    const state = (builds) => {
      const changes = {};
      SERVICES.forEach((service, s) => {
        for (let i = 0; i < FILES_PER_SERVICE; i++) changes[fileOf(service, i)] = manifest(service, i, builds[s] ?? 1);
      });
      return changes;
    };
    const bootstrap = {
      ...state([]),
      [`${ROOT}kustomization.yaml`]: `resources:\n${SERVICES.map((s) => `- services/${s}\n`).join('')}`,
      [`${ROOT}variables.yaml`]: 'region: eu-west-1\nlogLevel: info\n',
      'README.md': 'bench repo\n',
    };
    // The bad release: 50 files of svc-0 (48 manifests changed, 2 files added) and 30 of svc-1.
    const bad = {};
    for (let i = 0; i < 48; i++) bad[fileOf('svc-0', i)] = manifest('svc-0', i, 2);
    bad[`${ROOT}services/svc-0/extra-a.yaml`] = 'added: true\n';
    bad[`${ROOT}services/svc-0/extra-b.yaml`] = 'added: true\n';
    for (let i = 0; i < 30; i++) bad[fileOf('svc-1', i)] = manifest('svc-1', i, 2);
    const { shas } = await importCommits(gitDir, [
      { timestamp: at(0), author, message: 'bootstrap\n', changes: bootstrap },
      { timestamp: at(1), author, message: 'release svc-0 v1.2.0, svc-1 v1.2.0\n', changes: bad },
      { timestamp: at(2), author, message: 'docs\n', changes: { 'README.md': 'bench repo, docs\n' } },
    ], { branch: 'main' });
    const [good, badSha] = shas;
    const fileCount = Object.keys(bootstrap).filter((p) => p.startsWith(ROOT)).length;
    if (fileCount !== 502) throw new Error(`expected 502 target files, got ${fileCount}`);

    const store = await GitRevisionStore.open({ repoPath: gitDir, branch: 'main' });
    const requests = await SqlRequestStore.open(join(dir, 'db', 'rewind.db'));
    const service = new RollbackService({
      revisions: store,
      requests,
      catalog: new StaticTargetCatalog([TARGET]),
      clock: systemClock,
      ids: new RandomIds(),
      users: new StaticUserDirectory([USER]),
    });
    const scratch = join(dir, 'scratch');
    mkdirSync(scratch);
        try {
      for (const [mode, label, expected] of [
        ['service', 'service (50 files of a 500-file target)', 50],
        ['full', 'full (80 files of a 500-file target)', 80],
      ]) {
        const selection = mode === 'service' ? { mode, service: 'svc-0' } : { mode };
        // The floor's change: the good release's files on top of the bad one (the head now).
        const head = (await git(gitDir, ['rev-parse', 'main'])).trim();
        const planned = await service.preview(TARGET, { ...selection, targetSha: good });
        if (planned.files.length !== expected) throw new Error(`${mode} preview changes ${planned.files.length} files, expected ${expected}`);
        const goodFiles = await store.readFiles(selection.mode === 'service' ? [`${ROOT}services/svc-0/`] : [ROOT], good);
        const changes = Object.fromEntries(planned.files.map((file) => [file.path, goodFiles.get(file.path) ?? null]));
        // Interleaved, so load on the machine weighs on all three alike: preview, then execute the
        // same rollback (alternating between restoring the good and the bad release), then the floor.
        const previews = [];
        const executions = [];
        const floors = [];
        for (let i = 0; i < WARMUP + RUNS; i++) {
          const targetSha = i % 2 === 0 ? good : badSha;
          const previewMs = await time(() => service.preview(TARGET, { ...selection, targetSha }));
          let result;
          const executeMs = await time(async () => {
            result = await service.createRequest(USER, { tenant: 'acme', environment: 'staging', ...selection, targetSha, justification: `bench ${i}` });
          });
          if (result.request.state !== 'completed') throw new Error(`execution ${i} ended ${result.request.state}: ${result.request.error}`);
          await git(gitDir, ['update-ref', 'refs/heads/floor', head]); // the CAS below expects it there
          const floorMs = await time(() => plumbingCommit(gitDir, join(scratch, `${mode}-${i}`), head, changes));
          if (i < WARMUP) continue;
          previews.push(previewMs);
          executions.push(executeMs);
          floors.push(floorMs);
        }
        const floor = median(floors);
        const preview = median(previews);
        const execute = median(executions);
        report({ name: `rollback.preview.${mode}`, detail: label, value: round(preview), unit: 'ms', baseline: round(floor), ratio: round(preview / floor) });
        report({ name: `rollback.execute.${mode}`, detail: label, value: round(execute), unit: 'ms', baseline: round(floor), ratio: round(execute / floor) });
      }
    } finally {
      await store.close();
      await requests.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
