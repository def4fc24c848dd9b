// The history endpoint over the git store on a 50,000-commit repo (12,000 commits touch
// tenants/acme/production/, 4 services): one 50-row page at depths 0, 1,000, 6,000 and 11,900
// revisions, against raw `git log <cursor> -n 50 -- <path>` from the same cursor. Median of 15 runs;
// ratio = ours / git. The repo is built once with fast-import and cached in the OS temp dir.
// Runs under tsx (`node --import tsx scripts/bench.mjs history-endpoint`): it imports the TS sources.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SequentialIds, StaticTargetCatalog, StaticUserDirectory, systemClock } from '#core/basic-adapters.ts';
import { SimulatedClusterStatus } from '#demo/simulated-cluster.ts';
import { formatRollbackMessage } from '#core/commit-message.ts';
import { defaultLayout } from '#core/target-config.ts';
import { createApiApp } from '#server/api/app.ts';
import { importCommits, initRepo } from '#server/git/fast-import.ts';
import { GitRevisionStore } from '#server/git/git-revision-store.ts';
import { median, round } from './stats.mjs';

const execFileAsync = promisify(execFile);

/** Bump when the generated repo changes, so a stale cache is not reused. */
const REPO_VERSION = 'v1';
const TOTAL = 50_000;
const ACME_SHARE = 6; // of every 25 commits: 12,000 of 50,000
const SERVICES = ['api-gateway', 'payments', 'checkout', 'search'];
const ROOT = 'tenants/acme/production/';
const DEPTHS = [0, 1000, 6000, 11_900];
const RUNS = 15;
const LIMIT = 50;
const USER = { email: 'bench@example.com', name: 'Bench', roles: ['admin'] };

function values(service, build, replicas) {
  const env = Array.from({ length: 8 }, (_, i) => `    - name: SETTING_${i}\n      value: "${(build * (i + 3)) % 997}"\n`).join('');
  return `image:\n  repository: registry.example.com/acme/${service}\n  tag: v1.${build % 50}.${build}\nreplicas: ${replicas}\nresources:\n  requests:\n    cpu: 250m\n    memory: 256Mi\n  limits:\n    cpu: "1"\n    memory: 512Mi\ncontainer:\n  env:\n${env}`;
}

/** 50,000 commits; acme/production gets 12,000 of them, with a service rollback every 2,000. */
function syntheticCommits() {
  const start = Date.parse('2026-01-01T00:00:00Z');
  const commits = [];
  const acmeIds = [];
  let acme = 0;
  for (let i = 0; i < TOTAL; i++) {
    const timestamp = new Date(start + i * 60_000).toISOString();
    const author = { name: `dev${i % 7}`, email: `dev${i % 7}@example.com` };
    const id = `c${i}`;
    if (i === 0) {
      const changes = { [`${ROOT}kustomization.yaml`]: 'resources: []\n', [`${ROOT}variables.yaml`]: 'logLevel: info\n' };
      for (const service of SERVICES) changes[`${ROOT}services/${service}/values.yaml`] = values(service, 0, 2);
      commits.push({ id, timestamp, author, message: 'bootstrap acme/production\n', changes });
      acmeIds.push(id);
      acme++;
      continue;
    }
    if (i % 25 < ACME_SHARE) {
      const service = SERVICES[acme % SERVICES.length];
      const path = `${ROOT}services/${service}/values.yaml`;
      if (acme % 2000 === 0 && acmeIds.length > 8) {
        // Roll the service back to its state 8 acme commits earlier (at least one change of it ago).
        const targetId = acmeIds[acmeIds.length - 8];
        const content = `${values(service, acme, 3)}# rollback ${acme}\n`;
        commits.push({
          id,
          timestamp,
          author,
          changes: { [path]: content },
          message: {
            refersTo: [targetId],
            build: (shaOf) =>
              formatRollbackMessage({
                tenant: 'acme',
                environment: 'production',
                targetSha: shaOf(targetId),
                mode: 'service',
                service,
                justification: `bench rollback ${acme}`,
                author: author.email,
                approval: 'Approved by bench (quorum: 1/1)',
                requestId: `rbk-bench${acme}`,
              }),
          },
        });
      } else {
        const changes = { [path]: values(service, acme, 2 + (acme % 5)) };
        if (acme % 100 === 0) changes[`${ROOT}variables.yaml`] = `logLevel: ${acme % 200 === 0 ? 'debug' : 'info'}\n`;
        commits.push({
          id,
          timestamp,
          author,
          changes,
          message: `release ${service} v1.${acme % 50}.${acme}\n\nBuild ${acme} of ${service}.\n`,
          ...(acme % 500 === 250 ? { deployStatus: 'failed' } : {}),
        });
      }
      acmeIds.push(id);
      acme++;
    } else {
      const tenant = `t${i % 40}`;
      const path = `tenants/${tenant}/production/services/svc${i % 3}/values.yaml`;
      const content = values(`svc${i % 3}`, i, 2);
      commits.push({ id, timestamp, author, changes: { [path]: content }, message: `release ${tenant} svc${i % 3} build ${i}\n` });
    }
  }
  return { commits, acmeCount: acme };
}

async function syntheticRepo() {
  const dir = join(tmpdir(), `rewind-bench-history-${REPO_VERSION}`);
  if (existsSync(join(dir, 'rewind-bench-ready'))) return { dir, built: null };
  const started = performance.now();
  const building = mkdtempSync(join(tmpdir(), `rewind-bench-history-building-`));
  const gitDir = await initRepo(building, { bare: true });
  const { commits, acmeCount } = syntheticCommits();
  if (acmeCount !== 12_000) throw new Error(`expected 12,000 acme commits, generated ${acmeCount}`);
  await importCommits(gitDir, commits, { branch: 'main' });
  writeFileSync(join(building, 'rewind-bench-ready'), `${REPO_VERSION}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  return { dir, built: performance.now() - started };
}

export async function run(report) {
  const { dir, built } = await syntheticRepo();
  if (built !== null) report({ name: 'history.synthetic_repo.build', value: Math.round(built), unit: 'ms' });
  const openedAt = performance.now();
  const revisions = await GitRevisionStore.open({ repoPath: dir, branch: 'main' });
  report({ name: 'history.synthetic_repo.open', value: Math.round(performance.now() - openedAt), unit: 'ms' });
  const target = {
    tenant: 'acme',
    environment: 'production',
    plan: 'enterprise',
    features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
    policy: { requiredApprovals: 1, blockSelfApproval: true, requesters: ['admin'], approvers: ['admin'], breakGlass: ['admin'] },
    layout: defaultLayout('acme', 'production', SERVICES),
  };
  /** A history page fetcher over the API app built on `store`. */
  const pager = (store) => {
    const app = createApiApp({
      revisions: store,
      catalog: new StaticTargetCatalog([target]),
      cluster: new SimulatedClusterStatus(store),
      users: new StaticUserDirectory([USER]),
      clock: systemClock,
      ids: new SequentialIds(),
      identity: { mode: 'demo', defaultUser: USER.email },
    });
    return async (cursor) => {
      const query = `limit=${LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await app.fetch(new Request(`http://x/api/targets/acme/production/history?${query}`));
      if (response.status !== 200) throw new Error(`history answered ${response.status}: ${await response.text()}`);
      const body = await response.json();
      if (body.revisions.length !== LIMIT) throw new Error(`expected ${LIMIT} revisions, got ${body.revisions.length}`);
      return body;
    };
  };
  const rawLog = (cursor) =>
    execFileAsync('git', ['--git-dir', dir, 'log', cursor ? cursor.slice('c1.'.length) : 'refs/heads/main', '-n', String(LIMIT), '--', ROOT], {
      maxBuffer: 64 << 20,
    });

  try {
    const page = pager(revisions);
    // The first page builds the rolled-back index (cached per branch head): timed once, on its own.
    const firstAt = performance.now();
    await page(null);
    report({ name: 'history.first_page_with_rollback_index', value: round(performance.now() - firstAt), unit: 'ms' });

    // Walk once, untimed, to the cursors at each depth.
    const cursors = new Map([[0, null]]);
    let cursor = null;
    for (let depth = LIMIT; depth <= Math.max(...DEPTHS); depth += LIMIT) {
      cursor = (await page(cursor)).nextCursor;
      if (DEPTHS.includes(depth)) cursors.set(depth, cursor);
    }

    for (const depth of DEPTHS) {
      const cursor = cursors.get(depth);
      const ours = [];
      const git = [];
      for (let i = 0; i < 2; i++) {
        await page(cursor);
        await rawLog(cursor);
      }
      for (let i = 0; i < RUNS; i++) {
        let t = performance.now();
        await page(cursor);
        ours.push(performance.now() - t);
        t = performance.now();
        await rawLog(cursor);
        git.push(performance.now() - t);
      }
      const value = median(ours);
      const baseline = median(git);
      report({ name: `history.page50.depth_${depth}`, value: round(value), unit: 'ms', baseline: round(baseline), ratio: round(value / baseline) });
    }

    // A commit lands: the next page rebuilds the rolled-back index for the new head, and the store
    // only searches the new commits for rollbacks. The branch is put back afterwards (the cached repo
    // stays as built).
    const before = await revisions.branchHead();
    const movedRuns = [];
    try {
      for (let i = 0; i < 5; i++) {
        await revisions.commit({
          expectedHead: await revisions.branchHead(),
          changes: { [`${ROOT}services/payments/values.yaml`]: values('payments', 90_000 + i, 4) },
          message: `release payments bench ${i}\n`,
          author: { name: 'bench', email: 'bench@example.com' },
        });
        const t = performance.now();
        await page(null);
        movedRuns.push(performance.now() - t);
      }
    } finally {
      await execFileAsync('git', ['--git-dir', dir, 'update-ref', 'refs/heads/main', before]);
    }
    report({ name: 'history.first_page_after_branch_moved', value: round(median(movedRuns)), unit: 'ms' });

    // Cursors this server process did not hand out (after a restart, or from another replica): the
    // store checks that they are on the branch. The first check asks git (`merge-base --is-ancestor`,
    // which walks down to the cursor: 11,900 revisions deep here) and has the store list the branch's
    // commits in the background a second later; checks after that are set lookups. A fresh store per
    // run, its rolled-back index built first, untimed.
    const unseen = { first: [], later: [] };
    const git = [];
    for (let i = 0; i < 7; i++) {
      const fresh = await GitRevisionStore.open({ repoPath: dir, branch: 'main' });
      try {
        const freshPage = pager(fresh);
        await freshPage(null);
        let t = performance.now();
        await freshPage(cursors.get(11_900));
        unseen.first.push(performance.now() - t);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        t = performance.now();
        await freshPage(cursors.get(1000));
        unseen.later.push(performance.now() - t);
        t = performance.now();
        await rawLog(cursors.get(11_900));
        git.push(performance.now() - t);
      } finally {
        await fresh.close();
      }
    }
    const baseline = median(git);
    for (const [which, runs] of Object.entries(unseen)) {
      const value = median(runs);
      report({ name: `history.page50.unseen_cursor.${which}`, value: round(value), unit: 'ms', baseline: round(baseline), ratio: round(value / baseline) });
    }
  } finally {
    await revisions.close();
  }
}
