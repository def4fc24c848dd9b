/**
 * Argo CD over its REST API v1: `GET /api/v1/applications/{name}` and `POST .../{name}/sync`. The
 * Application fields read here follow argo-cd's pkg/apis/application/v1alpha1 types (status.sync,
 * status.health, status.operationState, status.history, status.resources); decision 019.
 */
import { z } from 'zod';
import type { ClusterOperation, Health, RevisionOutcome, Sync } from '#core/cluster-schemas.ts';
import type { SyncRequestResult } from '#core/ports.ts';
import { commitOf, ShapeError, type AgentClient, type ObjectReport } from './agent.ts';
import { AgentCallError, callJson, errorMessageOf } from './http-json.ts';

const time = z.string().optional().nullable();

/** The parts of an Application Rewind reads; everything else is ignored. */
const applicationSchema = z.object({
  metadata: z.object({ name: z.string() }),
  status: z
    .object({
      sync: z.object({ status: z.string(), revision: z.string().optional().nullable() }).optional(),
      health: z.object({ status: z.string(), message: z.string().optional().nullable() }).optional(),
      reconciledAt: time,
      operationState: z
        .object({
          phase: z.string(),
          message: z.string().optional().nullable(),
          startedAt: time,
          finishedAt: time,
          syncResult: z.object({ revision: z.string().optional().nullable() }).optional().nullable(),
          operation: z.object({ sync: z.object({ revision: z.string().optional().nullable() }).optional().nullable() }).optional().nullable(),
        })
        .optional()
        .nullable(),
      history: z.array(z.object({ revision: z.string().optional().nullable(), deployedAt: time })).optional().nullable(),
      resources: z
        .array(
          z.object({
            kind: z.string(),
            name: z.string(),
            status: z.string().optional().nullable(),
            health: z.object({ status: z.string() }).optional().nullable(),
          }),
        )
        .optional()
        .nullable(),
    })
    .optional(),
});

type Application = z.infer<typeof applicationSchema>;

const HEALTH: Record<string, Health> = {
  Healthy: 'healthy',
  Progressing: 'progressing',
  // Paused (a suspended rollout): not done, and not broken.
  Suspended: 'progressing',
  Degraded: 'degraded',
  // Resources the manifests declare are not in the cluster.
  Missing: 'degraded',
  Unknown: 'unknown',
};

const SYNC: Record<string, Sync> = { Synced: 'synced', OutOfSync: 'out-of-sync', Unknown: 'unknown' };

const PHASE: Record<string, ClusterOperation['phase']> = {
  Running: 'running',
  Terminating: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Error: 'failed',
};

const iso = (value: string | null | undefined): string | null => {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};

export function reportOfApplication(app: Application): ObjectReport {
  const status = app.status ?? {};
  const notes: string[] = [];
  const op = status.operationState;
  let operation: ClusterOperation | null = null;
  if (op) {
    const revision = commitOf(op.syncResult?.revision ?? op.operation?.sync?.revision);
    operation = {
      phase: PHASE[op.phase] ?? 'running',
      agentPhase: op.phase,
      message: op.message ?? '',
      revision: revision.sha,
      startedAt: iso(op.startedAt),
      finishedAt: iso(op.finishedAt),
    };
  }
  // History is appended on every successful sync, oldest first.
  const history = (status.history ?? []).flatMap((entry) => {
    const { sha } = commitOf(entry.revision);
    return sha ? [{ sha, at: iso(entry.deployedAt) }] : [];
  });
  const sync = SYNC[status.sync?.status ?? ''] ?? 'unknown';
  // Synced: the cluster matches the compared commit. Otherwise the last applied one is the last
  // successful sync, not the commit Argo CD compared against.
  const compared = commitOf(status.sync?.revision);
  let live: string | null;
  if (sync === 'synced') {
    live = compared.sha;
    if (compared.note) notes.push(compared.note);
  } else {
    live = history.at(-1)?.sha ?? (operation?.phase === 'succeeded' ? operation.revision : null);
  }
  const outcomes: RevisionOutcome[] = history.map(({ sha, at }) => ({ sha, outcome: 'success' as const, at })).reverse();
  if (operation?.phase === 'failed' && operation.revision) {
    outcomes.unshift({ sha: operation.revision, outcome: 'failed', at: operation.finishedAt });
  }
  return {
    health: HEALTH[status.health?.status ?? ''] ?? 'unknown',
    sync,
    liveRevision: live,
    operation,
    outcomes,
    resources: (status.resources ?? []).map((resource) => ({
      kind: resource.kind,
      name: resource.name,
      health: HEALTH[resource.health?.status ?? ''] ?? 'unknown',
      sync: SYNC[resource.status ?? ''] ?? 'unknown',
    })),
    note: notes[0] ?? null,
  };
}

export interface ArgoCdClientOptions {
  url: string;
  token: string;
  ca?: Buffer | undefined;
  timeoutMs: number;
}

export class ArgoCdClient implements AgentClient {
  readonly source = 'argocd' as const;
  readonly label = 'Argo CD';
  readonly objectKind = 'Application';
  /** Calls made, for the bench and tests: bounded by Applications × polls, never by browsers. */
  calls = 0;

  constructor(private readonly options: ArgoCdClientOptions) {}

  private url(path: string): string {
    return new URL(path, this.options.url.endsWith('/') ? this.options.url : `${this.options.url}/`).toString();
  }

  private async call(path: string, method: 'GET' | 'POST', name: string, body?: unknown) {
    this.calls += 1;
    const answer = await callJson({ url: this.url(path), method, token: this.options.token, ca: this.options.ca, timeoutMs: this.options.timeoutMs, body });
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    const detail = errorMessageOf(answer.body);
    const suffix = detail ? `: ${detail}` : '';
    if (answer.status === 401) throw new AgentCallError(`Argo CD refused the token (401)${suffix}`, 401);
    // Argo CD answers 403 both for "not allowed" and for an Application that does not exist.
    if (answer.status === 403) throw new AgentCallError(`Argo CD denied access to Application ${name} (403: missing or not permitted)${suffix}`, 403);
    if (answer.status === 404) throw new AgentCallError(`Argo CD has no Application ${name} (404)`, 404);
    throw new AgentCallError(`Argo CD answered ${answer.status}${suffix}`, answer.status);
  }

  async read(name: string): Promise<ObjectReport> {
    const body = await this.call(`api/v1/applications/${encodeURIComponent(name)}`, 'GET', name);
    const parsed = applicationSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ShapeError(`Argo CD answered an unexpected shape for Application ${name} (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'})`);
    }
    return reportOfApplication(parsed.data);
  }

  async requestSync(name: string, revision: string): Promise<SyncRequestResult> {
    try {
      await this.call(`api/v1/applications/${encodeURIComponent(name)}/sync`, 'POST', name, { name, revision, prune: false });
      return { accepted: true, message: `Argo CD syncs Application ${name} to ${revision.slice(0, 7)}` };
    } catch (error) {
      return { accepted: false, message: error instanceof Error ? error.message : String(error) };
    }
  }
}
