/**
 * Builds the server's ClusterStatus from `cluster:` (decision 017): reads the token and CA, starts one
 * poller for the agent's objects, relays changes as `cluster.changed`, and asks the agent to sync
 * after a rollback when configured. Without `cluster:` it is `NoClusterStatus`.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import type { EventBus } from '#core/events.ts';
import { NoClusterStatus } from '#core/no-cluster-status.ts';
import type { Clock, ClusterStatus, DeliveryLedger, RequestStore, RevisionStore } from '#core/ports.ts';
import { commitTime } from '#core/rollout.ts';
import type { TargetConfig } from '#core/target-config.ts';
import { ConfigError } from '#server/config/load-config.ts';
import { pollErrorClass, type AgentClient, type PollErrorClass } from './agent.ts';
import { AgentClusterStatus } from './agent-cluster-status.ts';
import { ArgoCdClient } from './argocd.ts';
import { isInCluster, MIN_HOOK_TOKEN_LENGTH, type ClusterConfig } from './cluster-config.ts';
import { FluxClient } from './flux.ts';
import { fileToken, inClusterApiServer, SERVICE_ACCOUNT_DIR } from './in-cluster.ts';
import { ObjectPoller } from './object-poller.ts';
import { createWebhookApp } from './webhooks.ts';

export interface ClusterRuntime {
  cluster: ClusterStatus;
  /** The agent client (call counts for the bench), when an agent is configured. */
  client: (AgentClient & { calls: number }) | null;
  poller: ObjectPoller | null;
  /** `/api/hooks/argocd` and `/api/hooks/flux`, when `cluster.webhooks` is configured. */
  hooks: Hono | null;
  /**
   * `/readyz`'s `cluster` check, from the poller's cache (never a call to the agent): resolves with
   * what was read, throws naming every object whose last read failed and why.
   */
  readiness: (() => Promise<string>) | null;
  close(): Promise<void>;
}

export interface CreateClusterOptions {
  config: ClusterConfig | undefined;
  targets: readonly TargetConfig[];
  events: EventBus;
  clock: Clock;
  revisions: RevisionStore;
  /** Also remembers accepted webhook deliveries (replay protection across restarts). */
  requests: RequestStore & DeliveryLedger;
  log: (entry: Record<string, unknown>) => void;
  /** Counts a failed read of an agent object by reason class (`rewind_agent_poll_errors_total`). */
  onPollError?: (agent: 'argocd' | 'flux', reason: PollErrorClass) => void;
  env?: NodeJS.ProcessEnv;
  /** The mounted service account (token, ca.crt) for Flux in a pod; tests point it elsewhere. */
  serviceAccountDir?: string;
  /** Resolves relative token / CA paths (the config file's directory). */
  baseDir?: string;
}

/** A secret from an environment variable or a file; a missing one stops the start with the key named. */
export function readSecret(key: string, source: { env?: string | undefined; file?: string | undefined }, env: NodeJS.ProcessEnv): string {
  if (source.env) {
    const value = env[source.env]?.trim();
    if (!value) throw new ConfigError(`${key}: the environment variable ${source.env} is not set or empty`);
    return value;
  }
  if (source.file) {
    if (!existsSync(source.file)) throw new ConfigError(`${key}: the file ${source.file} does not exist`);
    const value = readFileSync(source.file, 'utf8').trim();
    if (!value) throw new ConfigError(`${key}: the file ${source.file} is empty`);
    return value;
  }
  throw new ConfigError(`${key}: no token configured`);
}

function readCa(key: string, file: string | undefined): Buffer | undefined {
  if (!file) return undefined;
  if (!existsSync(file)) throw new ConfigError(`${key}.caFile: the file ${file} does not exist`);
  return readFileSync(file);
}

export function createCluster(options: CreateClusterOptions): ClusterRuntime {
  const { config, events, clock, log } = options;
  const env = options.env ?? process.env;
  const resolvePath = (path: string | undefined) => (path && options.baseDir && !path.startsWith('/') ? `${options.baseDir}/${path}` : path);
  if (!config) return { cluster: new NoClusterStatus(), client: null, poller: null, hooks: null, readiness: null, close: async () => {} };

  let client: AgentClient & { calls: number };
  let settings: { naming: string | Record<string, string>; namingKey: string; serviceResource: string; syncAfterRollback: boolean; confirmWithin: number; pollInterval: number };
  if (config.argocd) {
    const argo = config.argocd;
    const token = readSecret('cluster.argocd.tokenEnv/tokenFile', { env: argo.tokenEnv, file: resolvePath(argo.tokenFile) }, env);
    client = new ArgoCdClient({ url: argo.url, token, ca: readCa('cluster.argocd', resolvePath(argo.caFile)), timeoutMs: argo.timeout });
    settings = { naming: argo.application, namingKey: 'cluster.argocd.application', serviceResource: argo.serviceResource, syncAfterRollback: argo.syncAfterRollback, confirmWithin: argo.confirmWithin, pollInterval: argo.pollInterval };
  } else {
    const flux = config.flux!;
    const inCluster = isInCluster(flux);
    const accountDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
    const tokenFile = resolvePath(flux.tokenFile) ?? (inCluster && !flux.tokenEnv ? `${accountDir}/token` : undefined);
    const token = tokenFile
      ? fileToken(flux.tokenFile ? 'cluster.flux.tokenFile' : 'cluster.flux (in-cluster service account token)', tokenFile)
      : readSecret('cluster.flux.tokenFile/tokenEnv', { env: flux.tokenEnv }, env);
    const caFile = resolvePath(flux.caFile) ?? (inCluster && existsSync(`${accountDir}/ca.crt`) ? `${accountDir}/ca.crt` : undefined);
    const apiServer = flux.apiServer ?? inClusterApiServer(env);
    client = new FluxClient({ apiServer, token, ca: readCa('cluster.flux', caFile), timeoutMs: flux.timeout, kind: flux.kind, namespace: flux.namespace, clock });
    settings = { naming: flux.kustomization, namingKey: 'cluster.flux.kustomization', serviceResource: '{service}', syncAfterRollback: flux.syncAfterRollback, confirmWithin: flux.confirmWithin, pollInterval: flux.pollInterval };
  }

  let byObject = new Map<string, TargetConfig[]>();
  const poller = new ObjectPoller({
    client,
    clock,
    intervalMs: settings.pollInterval,
    log,
    onChange: (name) => publishFor(name),
    onError: (_name, error) => options.onPollError?.(client.source, pollErrorClass(error)),
  });
  const cluster = new AgentClusterStatus({ client, poller, naming: settings.naming, namingKey: settings.namingKey, serviceResource: settings.serviceResource, confirmWithinMs: settings.confirmWithin });
  byObject = cluster.watch(options.targets);
  poller.start();

  const publishFor = (name: string) => {
    for (const target of byObject.get(name) ?? []) events.publish({ type: 'cluster.changed', tenant: target.tenant, environment: target.environment });
  };
  const hooks = config.webhooks
    ? createWebhookApp({
        ...webhookSecrets(config.webhooks, env, resolvePath),
        now: () => clock.now(),
        ledger: options.requests,
        record: ({ object, outcome }) => {
          cluster.recordOutcome(object, outcome);
          log({ level: 'info', msg: 'outcome webhook', object, sha: outcome.sha, outcome: outcome.outcome });
          publishFor(object);
        },
      })
    : null;
  const unsubscribe = settings.syncAfterRollback ? syncAfterRollback({ ...options, cluster, confirmWithinMs: settings.confirmWithin }) : () => {};
  return {
    cluster,
    client,
    poller,
    hooks,
    readiness: async () => clusterReadiness(client, poller),
    close: async () => {
      unsubscribe();
      await poller.stop();
    },
  };
}

/** The webhooks' HMAC secret and Argo CD bearer token; a missing or short one stops the start, naming the key. */
export function webhookSecrets(
  hooks: NonNullable<ClusterConfig['webhooks']>,
  env: NodeJS.ProcessEnv,
  resolvePath: (path: string | undefined) => string | undefined = (path) => path,
): { secret: string | undefined; argocdToken: string | undefined } {
  const secret = hooks.secretEnv || hooks.secretFile ? readSecret('cluster.webhooks.secretEnv/secretFile', { env: hooks.secretEnv, file: resolvePath(hooks.secretFile) }, env) : undefined;
  const key = 'cluster.webhooks.argocdTokenEnv/argocdTokenFile';
  const argocdToken = hooks.argocdTokenEnv || hooks.argocdTokenFile ? readSecret(key, { env: hooks.argocdTokenEnv, file: resolvePath(hooks.argocdTokenFile) }, env) : undefined;
  if (argocdToken !== undefined && (argocdToken.length < MIN_HOOK_TOKEN_LENGTH || /\s/.test(argocdToken))) {
    throw new ConfigError(`${key}: the token must be at least ${MIN_HOOK_TOKEN_LENGTH} characters without spaces (it is ${argocdToken.length}); make one with: openssl rand -hex 32`);
  }
  return { secret, argocdToken };
}

/** What the poller last read of every object: which failed and why, or how many answered. */
export function clusterReadiness(client: AgentClient, poller: ObjectPoller): string {
  const states = poller.snapshot();
  const failing = states.filter(({ state }) => state.error);
  const kind = `${client.objectKind}${states.length === 1 ? '' : 's'}`;
  if (failing.length > 0) {
    const shown = failing.slice(0, 5).map(({ name, state }) => `${name}: ${state.error}`);
    const more = failing.length > shown.length ? `; and ${failing.length - shown.length} more` : '';
    throw new Error(`${client.label}: ${failing.length} of ${states.length} ${kind} could not be read (${shown.join('; ')}${more})`);
  }
  const read = states.filter(({ state }) => state.report).length;
  const pending = states.length - read;
  return `${client.label}: ${read} of ${states.length} ${kind} read${pending ? ` (${pending} not read yet)` : ''}`;
}

/**
 * After a rollback commit, asks the agent to apply it now. Only for a commit younger than
 * `confirmWithin` (a note on an old request must not re-sync an old commit), once per request.
 */
function syncAfterRollback(options: CreateClusterOptions & { cluster: AgentClusterStatus; confirmWithinMs: number }): () => void {
  const handled = new Set<string>();
  const { events, requests, revisions, targets, cluster, clock, log } = options;
  return events.subscribe((event) => {
    if (event.type !== 'request.updated' || !event.requestId || handled.has(event.requestId)) return;
    const id = event.requestId;
    void (async () => {
      const request = await requests.getRequest(id);
      if (!request || request.state !== 'completed' || !request.commitSha || handled.has(id)) return;
      const target = targets.find((t) => t.tenant === request.tenant && t.environment === request.environment);
      if (!target) return;
      handled.add(id);
      const committedAt = await commitTime(revisions, target.layout.paths, request.commitSha, request.createdAt);
      if (clock.now().getTime() - committedAt.getTime() > options.confirmWithinMs) return;
      const result = await cluster.requestSync(target, request.commitSha);
      log({ level: result.accepted ? 'info' : 'warn', msg: 'sync after rollback', requestId: id, commitSha: request.commitSha, accepted: result.accepted, detail: result.message });
    })().catch((error: unknown) => log({ level: 'warn', msg: 'sync after rollback failed', requestId: id, error: error instanceof Error ? error.message : String(error) }));
  });
}
