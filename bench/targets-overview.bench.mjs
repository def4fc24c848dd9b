// The targets overview (`GET /api/targets`, the dashboard's first page) on a replica that has just
// started (decision 061): 200 targets of two services each on a 5,000-commit repo, 180 of them
// changed now and then, 20 only by the first commit (quiet: their newest commit is deep in history).
// Cold: a store just opened, nothing cached; warm: the same overview again. Baseline: raw git giving
// the same answers the way a script would, one `git log -n 1 -- <the target's paths>` per target, four
// at a time. Median of RUNS; ratio = ours / git. Every answer is checked against the baseline's.
// Runs under tsx (`node --import tsx scripts/bench.mjs targets-overview`): it imports the TS sources.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SequentialIds, StaticTargetCatalog, StaticUserDirectory, systemClock } from '#core/basic-adapters.ts';
import { defaultLayout } from '#core/target-config.ts';
import { NoClusterStatus } from '#core/no-cluster-status.ts';
import { createApiApp } from '#server/api/app.ts';
import { importCommits, initRepo } from '#server/git/fast-import.ts';
import { GitRevisionStore } from '#server/git/git-revision-store.ts';
import { median, round } from './stats.mjs';

const execFileAsync = promisify(execFile);

const TARGETS = 200;
const QUIET = 20;
const COMMITS = 5_000;
const RUNS = 5;
const AT_ONCE = 4;
const SERVICES = ['api', 'web'];
const USER = { email: 'bench@example.com', name: 'Bench', roles: ['admin'] };

const tenantOf = (i) => `t${String(i).padStart(3, '0')}`;
const values = (service, build) => `image:\n  repository: registry.example.com/${service}\n  tag: v1.${build}\nreplicas: ${2 + (build % 3)}\n`;

async function makeRepo(dir) {
  const gitDir = await initRepo(dir, { bare: true });
  const at = (i) => new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000).toISOString();
  const author = { name: 'CI', email: 'ci@example.com' };
  const bootstrap = {};
  for (let t = 0; t < TARGETS; t++) for (const service of SERVICES) bootstrap[`tenants/${tenantOf(t)}/production/services/${service}/values.yaml`] = values(service, 0);
  const commits = [{ timestamp: at(0), author, message: 'bootstrap\n', changes: bootstrap }];
  for (let i = 1; i < COMMITS; i++) {
    // The busy targets, some more than others (every 7th commit goes to the first ten).
    const t = i % 7 === 0 ? QUIET + (i % 10) : QUIET + ((i * 31) % (TARGETS - QUIET));
    const service = SERVICES[i % SERVICES.length];
    commits.push({ timestamp: at(i), author, message: `release ${tenantOf(t)} ${service} v1.${i}\n`, changes: { [`tenants/${tenantOf(t)}/production/services/${service}/values.yaml`]: values(service, i) } });
  }
  await importCommits(gitDir, commits, { branch: 'main' });
  // The commit-graph with changed-path Bloom filters the store keeps (server/git/commit-graph.ts), for git too.
  await execFileAsync('git', ['--git-dir', gitDir, 'commit-graph', 'write', '--reachable', '--changed-paths']);
  return gitDir;
}

export async function run(report) {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-bench-overview-'));
  try {
    const gitDir = await makeRepo(join(dir, 'repo'));
    const targets = Array.from({ length: TARGETS }, (_, t) => ({
      tenant: tenantOf(t),
      environment: 'production',
      plan: 'enterprise',
      features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
      policy: { requiredApprovals: 1, blockSelfApproval: true, requesters: ['admin'], approvers: ['admin'], breakGlass: ['admin'] },
      layout: defaultLayout(tenantOf(t), 'production', SERVICES),
    }));
    const pathsOf = (t) => SERVICES.map((service) => `tenants/${tenantOf(t)}/production/services/${service}/`);

    // Raw git: one log per target, AT_ONCE at a time.
    const gitAnswers = async () => {
      const answers = new Array(TARGETS);
      let next = 0;
      await Promise.all(
        Array.from({ length: AT_ONCE }, async () => {
          while (next < TARGETS) {
            const t = next++;
            const { stdout } = await execFileAsync('git', ['--git-dir', gitDir, 'log', '--first-parent', '-n', '1', '--format=%H', 'refs/heads/main', '--', ...pathsOf(t)]);
            answers[t] = stdout.trim();
          }
        }),
      );
      return answers;
    };

    const overview = async (store) => {
      const app = createApiApp({
        revisions: store,
        catalog: new StaticTargetCatalog(targets),
        cluster: new NoClusterStatus(),
        users: new StaticUserDirectory([USER]),
        clock: systemClock,
        ids: new SequentialIds(),
        identity: { mode: 'demo', defaultUser: USER.email },
      });
      return async () => {
        const response = await app.fetch(new Request('http://x/api/targets'));
        if (response.status !== 200) throw new Error(`the overview answered ${response.status}: ${await response.text()}`);
        return (await response.json()).targets;
      };
    };

    const expected = await gitAnswers();
    const gitTimes = [];
    const coldTimes = [];
    const warmTimes = [];
    for (let run = 0; run < RUNS; run++) {
      let started = performance.now();
      await gitAnswers();
      gitTimes.push(performance.now() - started);

      const store = await GitRevisionStore.open({ repoPath: gitDir, branch: 'main' });
      try {
        const read = await overview(store);
        started = performance.now();
        const listed = await read();
        coldTimes.push(performance.now() - started);
        started = performance.now();
        await read();
        warmTimes.push(performance.now() - started);
        if (run === 0) {
          const heads = new Map(listed.map((target) => [target.tenant, target.head?.sha ?? null]));
          const wrong = targets.filter((target, t) => heads.get(target.tenant) !== expected[t]);
          if (wrong.length > 0) throw new Error(`targets-overview: ${wrong.length} targets' newest commit differs from git's, e.g. ${wrong[0].tenant}`);
        }
      } finally {
        await store.close();
      }
    }
    const baseline = round(median(gitTimes));
    const detail = `${TARGETS} targets (${QUIET} quiet), ${COMMITS} commits; git: one log -n 1 per target, ${AT_ONCE} at a time`;
    report({ name: 'targets-overview.cold', detail: `${detail}; a store just opened`, value: round(median(coldTimes)), unit: 'ms', baseline, ratio: round(median(coldTimes) / baseline) });
    report({ name: 'targets-overview.warm', detail: `${detail}; the same overview again`, value: round(median(warmTimes)), unit: 'ms', baseline, ratio: round(median(warmTimes) / baseline) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
