/**
 * Assembles the real server: configuration, the git repo (the demo repo is created on first start),
 * the request store (SQLite, or PostgreSQL for several replicas) and its commit lock, the API app over
 * them, metrics, and the HTTP listener that also serves the SPA and the operations endpoints.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Server } from 'node:http';
import { RandomIds, StaticTargetCatalog, StaticUserDirectory, systemClock } from '#core/basic-adapters.ts';
import { EventBus } from '#core/events.ts';
import { InProcessCommitLock } from '#core/in-process-commit-lock.ts';
import { SimulatedClusterStatus } from '#demo/simulated-cluster.ts';
import { closeExpiredBreakGlass } from '#core/break-glass-expiry.ts';
import { reconcileInterruptedRequests } from '#core/reconcile-requests.ts';
import type { RollbackHooks } from '#core/rollback-service.ts';
import type { User } from '#core/schemas.ts';
import type { TargetConfig } from '#core/target-config.ts';
import { generateDemoRepo } from '#demo/demo-data.ts';
import { createApiApp } from '#server/api/app.ts';
import { createCluster } from '#server/cluster/create-cluster.ts';
import type { IdentityOptions } from '#server/api/identity.ts';
import { configSchema, identityModeOf, identityProblem, type RewindConfig } from '#server/config/config-schema.ts';
import { ConfigError, parseConfig } from '#server/config/load-config.ts';
import { resolveTargets } from '#server/config/resolve-targets.ts';
import { PostgresCommitLock } from '#server/sql/postgres-commit-lock.ts';
import { PostgresEventRelay } from '#server/sql/postgres-event-relay.ts';
import { redactUrl } from '#server/sql/postgres.ts';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';
import { withNotificationOutbox } from '#core/notification-outbox.ts';
import { NotificationSender } from '#server/notify/notification-sender.ts';
import { redactUrl as redactWebhookUrl, resolveChannels, routingOf, type ResolvedChannel } from '#server/notify/notify-config.ts';
import { createServerApp, isTrustedAddress, jsonLogger, listen } from './http-server.ts';
import { InstrumentedCommitLock, instrumentRequestStore, RewindMetrics } from './metrics.ts';
import { FetchFirstCommitLock } from './fetch-first-commit-lock.ts';
import { InFlightRequests } from './operations.ts';
import { openRepo } from './open-repo.ts';
import { WorkerFieldDiffer } from './worker-field-differ.ts';

const execFileAsync = promisify(execFile);

export interface ServeOptions {
  repo?: string | undefined;
  /** Overrides `repo.branch` (`--branch`). */
  branch?: string | undefined;
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
  /** Test seams of rollback execution (e.g. holding a commit open to test shutdown). */
  rollbackHooks?: RollbackHooks | undefined;
  /** How long `close()` lets in-flight requests and rollback executions finish (default 30 s). */
  shutdownTimeoutMs?: number | undefined;
  /** With PostgreSQL: how often interrupted rollbacks of dead replicas are looked for (default 60 s). */
  reconcileIntervalMs?: number | undefined;
  /** How often sessions that ran out are ended in the audit trail (decision 046); 30 s by default. */
  breakGlassSweepMs?: number | undefined;
  /**
   * Whether this process sends notifications from the outbox (default: yes, unless the environment
   * variable REWIND_TEST_NOTIFICATIONS_PAUSED=1, the crash test's seam: messages are written, not sent).
   */
  sendNotifications?: boolean | undefined;
  /** Retry backoff of the notification sender (tests shorten it; default 1 s doubling to 5 min). */
  notificationBackoff?: { baseDelayMs: number; maxDelayMs: number } | undefined;
}

export interface RunningServer {
  url: string;
  repoPath: string;
  metrics: RewindMetrics;
  /**
   * Graceful stop: `/readyz` turns 503, no new connections, in-flight requests and rollback executions
   * finish (up to `shutdownTimeoutMs`), then everything closes.
   */
  close(): Promise<void>;
}

/** The database password from the configured environment variable or file (never from a log). */
function databasePassword(database: RewindConfig['database']): string | undefined {
  if (database.passwordEnv) {
    const value = process.env[database.passwordEnv];
    if (value === undefined) throw new ConfigError(`database.passwordEnv names ${database.passwordEnv}, which is not set`);
    return value;
  }
  if (database.passwordFile) {
    if (!existsSync(database.passwordFile)) throw new ConfigError(`database.passwordFile ${database.passwordFile} does not exist`);
    return readFileSync(database.passwordFile, 'utf8').replace(/\r?\n$/, '');
  }
  return undefined;
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
  // Notification URLs and secrets come from the environment or files: a missing one stops the start.
  let channels = new Map<string, ResolvedChannel>();
  try {
    if (config.notifications) channels = resolveChannels(config.notifications, options.configFile ? dirname(resolve(options.configFile)) : process.cwd());
  } catch (error) {
    throw new ConfigError(`${options.configFile ?? 'the built-in config'}: ${(error as Error).message}`);
  }
  const dataDir = resolve(options.dataDir ?? config.server.dataDir);
  mkdirSync(dataDir, { recursive: true });

  const { revisions, repoPath, branch, usingDemo, description } = await openRepo({ config, dataDir, repo: options.repo, branch: options.branch, log, baseDir: options.configFile ? dirname(resolve(options.configFile)) : undefined });
  const demo = usingDemo && !options.configFile ? generateDemoRepo() : null;

  let targets: TargetConfig[];
  const warnings: string[] = [];
  if (demo) {
    targets = demo.targets;
  } else {
    const resolved = resolveTargets(config, await listFiles(repoPath, branch));
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

  const metrics = new RewindMetrics();
  const databaseUrl = config.database.url;
  const poolError = (error: Error) => log({ level: 'warn', msg: 'database connection lost', error: error.message });
  let store: SqlRequestStore;
  let lock: InProcessCommitLock | PostgresCommitLock;
  const events = new EventBus();
  let relay: PostgresEventRelay | null = null;
  if (databaseUrl) {
    const password = databasePassword(config.database);
    store = await SqlRequestStore.openPostgres({ url: databaseUrl, password, readerConnections: config.database.readConnections, writerConnections: config.database.writeConnections, queryTimeoutMs: config.database.queryTimeoutSeconds * 1000, onPoolError: poolError });
    // Replicas of one installation share the commit lock of their branch (of the same remote).
    const lockName = `${config.repo.url ?? ''}#${branch}`;
    lock = new PostgresCommitLock({ url: databaseUrl, password, name: lockName, max: config.database.lockConnections, onPoolError: poolError });
    // Live updates reach browsers on every replica (LISTEN/NOTIFY).
    relay = await PostgresEventRelay.start(events, { url: databaseUrl, password, onError: poolError });
  } else {
    store = await SqlRequestStore.open(join(dataDir, 'rewind.db'));
    lock = new InProcessCommitLock();
  }
  const requests = instrumentRequestStore(store, metrics);
  metrics.watchOutbox(() => requests.notificationBacklog(), systemClock);
  const instrumentedLock = new InstrumentedCommitLock(lock, metrics);
  // With a remote, a commit is planned on what the remote has: fetched once the lock is ours.
  const commitLock = revisions.remote ? new FetchFirstCommitLock(instrumentedLock, () => revisions.refresh()) : instrumentedLock;
  const catalog = new StaticTargetCatalog(targets);
  const ids = new RandomIds();
  const userDirectory = new StaticUserDirectory(users);
  // Every audit event that notifies writes its outbox messages in its own transaction (decision 038).
  const notifying = config.notifications
    ? withNotificationOutbox(requests, { routing: routingOf(config.notifications), users: userDirectory, catalog, clock: systemClock })
    : requests;
  // Settle requests a run left `executing` (stopped between commit and record). Before serving, and
  // with PostgreSQL also periodically: execution leases keep it off requests a live replica runs.
  // A failure here must not keep the console down: those requests stay `executing` until the next try.
  const reconcile = () =>
    reconcileInterruptedRequests({ revisions, requests: notifying, catalog, clock: systemClock, ids, commitLock, events }).catch((error: unknown) => {
      const message = `could not reconcile interrupted rollbacks: ${error instanceof Error ? error.message : String(error)}`;
      if (serving) log({ level: 'warn', msg: message });
      else warnings.push(message);
      return { completed: [], failed: [], busy: [] };
    });
  let serving = false;
  const reconciled = await reconcile();
  const pauseAfterCommit = options.pauseAfterCommit ?? process.env.REWIND_TEST_CRASH_AFTER_COMMIT === '1';
  const rollbackHooks: RollbackHooks | undefined = options.rollbackHooks ?? (pauseAfterCommit
    ? {
        afterCommit: ({ requestId, commitSha }) => {
          console.log(`REWIND_TEST_PAUSED_AFTER_COMMIT ${requestId} ${commitSha}`);
          return new Promise<void>(() => {});
        },
      }
    : undefined);
  // Large field diffs parse YAML in a worker thread, started on first use (decision 015).
  const fieldDiffer = new WorkerFieldDiffer({ log });
  // Only the demo repo gets the simulated cluster; a real repo reads its agent, or knows nothing.
  const clusterRuntime = demo
    ? { cluster: new SimulatedClusterStatus(revisions, systemClock), hooks: null, readiness: null, close: async () => {} }
    : createCluster({
        config: config.cluster,
        targets,
        events,
        clock: systemClock,
        revisions,
        requests,
        log,
        onPollError: (agent, reason) => metrics.agentPollErrors.inc({ agent, reason }),
        baseDir: options.configFile ? dirname(resolve(options.configFile)) : undefined,
      });
  const api = createApiApp({
    revisions,
    requests: notifying,
    catalog,
    cluster: clusterRuntime.cluster,
    events,
    users: userDirectory,
    clock: systemClock,
    ids,
    identity,
    log,
    fieldDiffer: fieldDiffer.diff,
    commitLock,
    // Rollback plans and previews parse user-controlled YAML: in the same worker, with a time budget (decision 021).
    rollbackComputer: fieldDiffer.compute,
    ...(rollbackHooks ? { rollbackHooks } : {}),
  });
  let draining = false;
  const inFlight = new InFlightRequests();
  const app = createServerApp({
    api,
    staticDir: options.staticDir,
    log,
    metrics,
    hooks: clusterRuntime.hooks,
    isDraining: () => draining,
    ...(clusterRuntime.readiness ? { advisory: { cluster: clusterRuntime.readiness } } : {}),
    readiness: {
      database: () => store.ping(),
      repo: async () => {
        if (!(await revisions.branchHead())) throw new Error(`branch ${branch} has no commits`);
      },
    },
  });
  const { server, port } = await listen(app, host, options.port ?? config.server.port, inFlight);
  if (options.prestartFieldDiffWorker) fieldDiffer.warmUp();
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;

  console.log(`Rewind is serving ${url}`);
  console.log(`  repo:    ${description}`);
  console.log(`  config:  ${options.configFile ? resolve(options.configFile) : 'built-in defaults'}`);
  console.log(`  data:    ${dataDir}`);
  console.log(`  database: ${databaseUrl ? `PostgreSQL ${redactUrl(databaseUrl)}` : `SQLite ${join(dataDir, 'rewind.db')}`}`);
  console.log(`  targets: ${targets.map((t) => `${t.tenant}/${t.environment}`).join(', ') || '(none)'}`);
  console.log(`  identity: ${identityModeOf(config)}${config.identity.mode === undefined ? ' (default: no users configured, loopback only)' : ''}`);
  console.log(`  cluster: ${demo ? 'simulated (demo)' : config.cluster?.argocd ? `Argo CD ${config.cluster.argocd.url}` : config.cluster?.flux ? `Flux ${config.cluster.flux.apiServer ?? '(in-cluster service account)'}` : 'none configured: every status is unknown'}`);
  for (const warning of warnings) console.warn(`  warning: ${warning}`);
  for (const { id, commitSha } of reconciled.completed) console.log(`  reconciled: ${id} completed (commit ${commitSha.slice(0, 7)} was on the branch)`);
  for (const id of reconciled.failed) console.log(`  reconciled: ${id} failed (interrupted before its commit; execute it again)`);
  for (const id of reconciled.busy ?? []) console.log(`  reconciled: ${id} left alone (another replica is executing it)`);
  for (const channel of channels.values()) console.log(`  notifications: ${channel.type} ${channel.name} (${redactWebhookUrl(channel.url)})`);
  if (pauseAfterCommit) console.warn('  warning: REWIND_TEST_CRASH_AFTER_COMMIT is set: rollbacks pause after their commit (test only)');

  serving = true;
  const sendNotifications = options.sendNotifications ?? process.env.REWIND_TEST_NOTIFICATIONS_PAUSED !== '1';
  const sender = config.notifications && sendNotifications
    ? new NotificationSender({
        store: requests,
        channels,
        clock: systemClock,
        ids,
        events,
        log,
        maxAttempts: config.notifications.maxAttempts,
        timeoutMs: config.notifications.timeoutMs,
        retentionMs: config.notifications.retentionDays * 86_400_000,
        ...options.notificationBackoff,
      })
    : null;
  // A committed state change publishes a live event: look at the outbox at once instead of at the next poll.
  const stopWaking = sender ? events.subscribe((event) => {
    if (event.type === 'request.updated' || event.type === 'break-glass.changed') sender.wake();
  }) : () => {};
  sender?.start();
  const reconcileTimer = databaseUrl
    ? setInterval(() => {
        void reconcile().then((r) => {
          for (const { id, commitSha } of r.completed) log({ level: 'warn', msg: 'reconciled interrupted rollback', requestId: id, state: 'completed', commitSha });
          for (const id of r.failed) log({ level: 'warn', msg: 'reconciled interrupted rollback', requestId: id, state: 'failed' });
        });
      }, options.reconcileIntervalMs ?? config.database.reconcileIntervalSeconds * 1000)
    : null;
  reconcileTimer?.unref();
  // Break-glass sessions that run out are ended in the audit trail even when nobody looks (decision 046).
  const expiryTimer = setInterval(() => {
    void closeExpiredBreakGlass({ requests: notifying, clock: systemClock, ids, events }).catch((error: unknown) =>
      log({ level: 'warn', msg: 'could not end expired break-glass sessions', error: error instanceof Error ? error.message : String(error) }));
  }, options.breakGlassSweepMs ?? 30_000);
  expiryTimer.unref();

  return {
    url,
    repoPath,
    metrics,
    close: async () => {
      draining = true;
      if (reconcileTimer) clearInterval(reconcileTimer);
      clearInterval(expiryTimer);
      const closed = new Promise<void>((done) => server.close(() => done()));
      // Let what is running finish: a rollback between its commit and its record must record it.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finished = await Promise.race([
        Promise.all([inFlight.idle(), instrumentedLock.idle()]).then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), options.shutdownTimeoutMs ?? 30_000))),
      ]);
      clearTimeout(timer);
      if (!finished) log({ level: 'warn', msg: 'shutdown: gave up waiting for in-flight work', requests: inFlight.size, executions: instrumentedLock.executionsInFlight });
      // Live-update streams and idle keep-alive connections never end by themselves.
      (server as Server).closeAllConnections();
      await closed;
      stopWaking();
      await sender?.stop();
      await clusterRuntime.close();
      await fieldDiffer.close();
      await revisions.close();
      await requests.close();
      if (lock instanceof PostgresCommitLock) await lock.close();
      await relay?.close();
    },
  };
}
