/**
 * Assembles the real server: configuration, the git repo (the demo repo is created on first start),
 * the SQLite request store, the API app over them, and the HTTP listener that also serves the SPA.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { RandomIds, StaticTargetCatalog, StaticUserDirectory, systemClock } from '#core/basic-adapters.ts';
import { SimulatedClusterStatus } from '#demo/simulated-cluster.ts';
import { reconcileInterruptedRequests } from '#core/reconcile-requests.ts';
import type { RollbackHooks } from '#core/rollback-service.ts';
import type { User } from '#core/schemas.ts';
import type { TargetConfig } from '#core/target-config.ts';
import { generateDemoRepo } from '#demo/demo-data.ts';
import { createApiApp } from '#server/api/app.ts';
import type { IdentityOptions } from '#server/api/identity.ts';
import { configSchema, identityModeOf, identityProblem, type RewindConfig } from '#server/config/config-schema.ts';
import { ConfigError, parseConfig } from '#server/config/load-config.ts';
import { resolveTargets } from '#server/config/resolve-targets.ts';
import { writeDemoRepo } from '#server/git/demo-repo.ts';
import { GitRevisionStore } from '#server/git/git-revision-store.ts';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';
import { createServerApp, isTrustedAddress, jsonLogger, listen } from './http-server.ts';
import { WorkerFieldDiffer } from './worker-field-differ.ts';

const execFileAsync = promisify(execFile);

export interface ServeOptions {
  repo?: string | undefined;
  configFile?: string | undefined;
  dataDir?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  staticDir?: string | undefined;
  /** Quiet request logs (tests). */
  log?: (entry: Record<string, unknown>) => void;
  /**
   * Crash-safety test seam: after a rollback commit and before the database records it, print
   * `REWIND_TEST_PAUSED_AFTER_COMMIT <request id> <commit sha>` and wait forever, so a test can kill
   * the process in that window. Defaults to the environment variable REWIND_TEST_CRASH_AFTER_COMMIT=1.
   */
  pauseAfterCommit?: boolean | undefined;
  /**
   * Start the field-diff worker with the server instead of on the first large field diff (`rewind
   * serve` does; tests leave it off so that dozens of servers do not each start a thread).
   */
  prestartFieldDiffWorker?: boolean | undefined;
}

export interface RunningServer {
  url: string;
  repoPath: string;
  close(): Promise<void>;
}

function loadConfig(file: string | undefined): RewindConfig {
  if (!file) return configSchema.parse({ targets: { pattern: { services: 'tenants/{tenant}/{environment}/services/{service}/' } } });
  if (!existsSync(file)) throw new ConfigError(`config file ${file} does not exist`);
  return parseConfig(readFileSync(file, 'utf8'), file);
}

async function listFiles(repoPath: string, branch: string): Promise<string[]> {
  const { stdout } = await execFileAsync('git', ['-C', repoPath, 'ls-tree', '-r', '-z', '--name-only', `refs/heads/${branch}`], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout.split('\0').filter(Boolean);
}

export async function createRewindServer(options: ServeOptions): Promise<RunningServer> {
  const log = options.log ?? jsonLogger;
  const config = loadConfig(options.configFile);
  const host = options.host ?? config.server.host;
  // Fails closed before anything else (issue 11): no silent demo identity beyond loopback.
  const refusal = identityProblem(config, host);
  if (refusal) throw new ConfigError(`${options.configFile ?? 'the built-in config'}: ${refusal}`);
  const dataDir = resolve(options.dataDir ?? config.server.dataDir);
  mkdirSync(dataDir, { recursive: true });

  const explicitRepo = options.repo ?? config.repo.path;
  const usingDemo = !explicitRepo;
  const repoPath = resolve(explicitRepo ?? join(dataDir, 'repo'));
  if (usingDemo && !existsSync(repoPath)) {
    console.log(`Creating the demo infrastructure repo in ${repoPath} (once)...`);
    await writeDemoRepo(repoPath, { size: 'default' });
  }
  if (!existsSync(repoPath)) throw new Error(`--repo ${repoPath} does not exist`);

  const revisions = await GitRevisionStore.open({ repoPath, branch: config.repo.branch, remote: config.repo.remote });
  const demo = usingDemo && !options.configFile ? generateDemoRepo() : null;

  let targets: TargetConfig[];
  const warnings: string[] = [];
  if (demo) {
    targets = demo.targets;
  } else {
    const resolved = resolveTargets(config, await listFiles(repoPath, config.repo.branch));
    targets = resolved.targets;
    warnings.push(...resolved.warnings);
  }
  const users: User[] = config.users.length
    ? config.users
    : (demo?.users ?? [{ email: 'demo@localhost', name: 'Demo user', roles: ['requester', 'approver', 'break-glass', 'admin'] }]);

  const identity: IdentityOptions =
    identityModeOf(config) === 'proxy'
      ? { mode: 'proxy', isTrustedProxy: (c) => isTrustedAddress(c, config.identity.trustedProxies) }
      : { mode: 'demo', defaultUser: config.identity.defaultUser ?? users[0]!.email };

  const requests = await SqlRequestStore.open(join(dataDir, 'rewind.db'));
  const catalog = new StaticTargetCatalog(targets);
  const ids = new RandomIds();
  // Before serving: settle requests a previous run left `executing` (stopped between commit and record).
  // A failure here must not keep the console down: those requests stay `executing` until the next start.
  const reconciled = await reconcileInterruptedRequests({ revisions, requests, catalog, clock: systemClock, ids }).catch((error: unknown) => {
    warnings.push(`could not reconcile interrupted rollbacks: ${error instanceof Error ? error.message : String(error)}`);
    return { completed: [], failed: [] };
  });
  const pauseAfterCommit = options.pauseAfterCommit ?? process.env.REWIND_TEST_CRASH_AFTER_COMMIT === '1';
  const rollbackHooks: RollbackHooks | undefined = pauseAfterCommit
    ? {
        afterCommit: ({ requestId, commitSha }) => {
          console.log(`REWIND_TEST_PAUSED_AFTER_COMMIT ${requestId} ${commitSha}`);
          return new Promise<void>(() => {});
        },
      }
    : undefined;
  // Large field diffs parse YAML in a worker thread, started on first use (decision 015).
  const fieldDiffer = new WorkerFieldDiffer({ log });
  const api = createApiApp({
    revisions,
    requests,
    catalog,
    cluster: new SimulatedClusterStatus(revisions, systemClock),
    users: new StaticUserDirectory(users),
    clock: systemClock,
    ids,
    identity,
    log,
    fieldDiffer: fieldDiffer.diff,
    // Rollback plans and previews parse user-controlled YAML: in the same worker, with a time budget (decision 021).
    rollbackComputer: fieldDiffer.compute,
    ...(rollbackHooks ? { rollbackHooks } : {}),
  });
  const app = createServerApp({ api, staticDir: options.staticDir, log });
  const { server, port } = await listen(app, host, options.port ?? config.server.port);
  if (options.prestartFieldDiffWorker) fieldDiffer.warmUp();
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;

  console.log(`Rewind is serving ${url}`);
  console.log(`  repo:    ${repoPath} (branch ${config.repo.branch})${usingDemo ? ' [demo]' : ''}`);
  console.log(`  config:  ${options.configFile ? resolve(options.configFile) : 'built-in defaults'}`);
  console.log(`  data:    ${dataDir}`);
  console.log(`  targets: ${targets.map((t) => `${t.tenant}/${t.environment}`).join(', ') || '(none)'}`);
  console.log(`  identity: ${identityModeOf(config)}${config.identity.mode === undefined ? ' (default: no users configured, loopback only)' : ''}`);
  for (const warning of warnings) console.warn(`  warning: ${warning}`);
  for (const { id, commitSha } of reconciled.completed) console.log(`  reconciled: ${id} completed (commit ${commitSha.slice(0, 7)} was on the branch)`);
  for (const id of reconciled.failed) console.log(`  reconciled: ${id} failed (interrupted before its commit; execute it again)`);
  if (pauseAfterCommit) console.warn('  warning: REWIND_TEST_CRASH_AFTER_COMMIT is set: rollbacks pause after their commit (test only)');

  return {
    url,
    repoPath,
    close: async () => {
      await new Promise<void>((done) => server.close(() => done()));
      await fieldDiffer.close();
      await revisions.close();
      await requests.close();
    },
  };
}
