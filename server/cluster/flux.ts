/**
 * Flux over the Kubernetes API: a Kustomization (kustomize.toolkit.fluxcd.io/v1) or HelmRelease
 * (helm.toolkit.fluxcd.io/v2) read for its Ready condition, `status.lastAppliedRevision` and
 * `status.lastAttemptedRevision` (`main@sha1:<sha>`); a reconcile is requested by merge-patching the
 * `reconcile.fluxcd.io/requestedAt` annotation, as `flux reconcile` does (decision 019).
 */
import { z } from 'zod';
import type { ClusterOperation, Health, RevisionOutcome, Sync } from '#core/cluster-schemas.ts';
import type { Clock, SyncRequestResult } from '#core/ports.ts';
import { commitOf, ShapeError, type AgentClient, type ObjectReport } from './agent.ts';
import { AgentCallError, callJson, errorMessageOf } from './http-json.ts';

const conditionSchema = z.object({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional().nullable(),
  message: z.string().optional().nullable(),
  lastTransitionTime: z.string().optional().nullable(),
});

const fluxObjectSchema = z.object({
  metadata: z.object({ name: z.string() }),
  status: z
    .object({
      conditions: z.array(conditionSchema).optional().nullable(),
      lastAppliedRevision: z.string().optional().nullable(),
      lastAttemptedRevision: z.string().optional().nullable(),
      /** HelmRelease (helm.toolkit.fluxcd.io/v2): snapshots of the Helm releases, newest by `version`. */
      history: z
        .array(z.object({ chartName: z.string(), chartVersion: z.string(), version: z.number().int(), status: z.string(), lastDeployed: z.string().optional().nullable() }))
        .optional()
        .nullable(),
    })
    .optional()
    .nullable(),
});

type FluxObject = z.infer<typeof fluxObjectSchema>;

const iso = (value: string | null | undefined): string | null => {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};

export function reportOfFluxObject(object: FluxObject): ObjectReport {
  const status = object.status ?? {};
  const conditions = status.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  const reconciling = conditions.find((c) => c.type === 'Reconciling' && c.status === 'True');
  const applied = commitOf(status.lastAppliedRevision);
  const attempted = commitOf(status.lastAttemptedRevision);
  let health: Health = 'unknown';
  let phase: ClusterOperation['phase'] | null = null;
  if (reconciling || ready?.status === 'Unknown') {
    health = 'progressing';
    phase = 'running';
  } else if (ready?.status === 'True') {
    health = 'healthy';
    phase = 'succeeded';
  } else if (ready?.status === 'False') {
    health = 'degraded';
    phase = 'failed';
  }
  const sync: Sync = !applied.sha || !attempted.sha ? 'unknown' : applied.sha === attempted.sha && phase !== 'running' ? 'synced' : 'out-of-sync';
  const at = iso(ready?.lastTransitionTime);
  const outcomes: RevisionOutcome[] = [];
  if (phase === 'failed' && attempted.sha) outcomes.push({ sha: attempted.sha, outcome: 'failed', at });
  if (applied.sha) outcomes.push({ sha: applied.sha, outcome: 'success', at: phase === 'succeeded' ? at : null });
  return {
    health,
    sync,
    liveRevision: applied.sha,
    operation: phase
      ? { phase, agentPhase: `Ready=${ready?.status ?? 'Unknown'}${ready?.reason ? ` (${ready.reason})` : ''}`, message: ready?.message ?? reconciling?.message ?? '', revision: attempted.sha, startedAt: null, finishedAt: phase === 'running' ? null : at }
      : null,
    outcomes,
    resources: [],
    note: applied.note ?? (applied.sha ? null : helmNote(status.history) ?? attempted.note) ?? (ready ? null : 'no Ready condition yet'),
  };
}

/**
 * A HelmRelease v2 names no commit: its live state is a Helm release of a chart version
 * (`status.history`), so the live revision stays unknown and says what the agent does report.
 */
function helmNote(history: NonNullable<FluxObject['status']>['history']): string | null {
  const latest = [...(history ?? [])].sort((a, b) => b.version - a.version)[0];
  if (!latest) return null;
  return `the HelmRelease runs chart ${latest.chartName}@${latest.chartVersion} (Helm release v${latest.version}, ${latest.status}), which names no git commit`;
}

export interface FluxClientOptions {
  apiServer: string;
  /** A fixed token, or one read again on every call (a rotating service-account token file). */
  token: string | (() => string);
  ca?: Buffer | undefined;
  timeoutMs: number;
  kind: 'Kustomization' | 'HelmRelease';
  namespace: string;
  clock: Clock;
}

const API_PATH = {
  Kustomization: 'apis/kustomize.toolkit.fluxcd.io/v1/namespaces/{ns}/kustomizations/{name}',
  HelmRelease: 'apis/helm.toolkit.fluxcd.io/v2/namespaces/{ns}/helmreleases/{name}',
} as const;

export class FluxClient implements AgentClient {
  readonly source = 'flux' as const;
  readonly label = 'Flux';
  readonly objectKind: string;
  calls = 0;

  constructor(private readonly options: FluxClientOptions) {
    this.objectKind = options.kind;
  }

  private url(name: string): string {
    const path = API_PATH[this.options.kind].replace('{ns}', encodeURIComponent(this.options.namespace)).replace('{name}', encodeURIComponent(name));
    const base = this.options.apiServer.endsWith('/') ? this.options.apiServer : `${this.options.apiServer}/`;
    return new URL(path, base).toString();
  }

  private async call(name: string, method: 'GET' | 'PATCH', body?: unknown) {
    this.calls += 1;
    const answer = await callJson({
      url: this.url(name),
      method,
      token: typeof this.options.token === 'function' ? this.options.token() : this.options.token,
      ca: this.options.ca,
      timeoutMs: this.options.timeoutMs,
      body,
      contentType: 'application/merge-patch+json',
    });
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    const detail = errorMessageOf(answer.body);
    const suffix = detail ? `: ${detail}` : '';
    const what = `${this.options.kind} ${this.options.namespace}/${name}`;
    if (answer.status === 401) throw new AgentCallError(`the Kubernetes API refused the token (401)${suffix}`, 401);
    if (answer.status === 403) throw new AgentCallError(`the Kubernetes API denied access to ${what} (403)${suffix}`, 403);
    if (answer.status === 404) throw new AgentCallError(`there is no ${what} (404)`, 404);
    throw new AgentCallError(`the Kubernetes API answered ${answer.status}${suffix}`, answer.status);
  }

  async read(name: string): Promise<ObjectReport> {
    const parsed = fluxObjectSchema.safeParse(await this.call(name, 'GET'));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ShapeError(`Flux answered an unexpected shape for ${this.options.kind} ${name} (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'})`);
    }
    return reportOfFluxObject(parsed.data);
  }

  /** Flux cannot be told a revision: it reconciles its source, which fetches the branch head. */
  async requestSync(name: string): Promise<SyncRequestResult> {
    try {
      const requestedAt = this.options.clock.now().toISOString();
      await this.call(name, 'PATCH', { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt } } });
      return { accepted: true, message: `Flux reconciles ${this.options.kind} ${name} (requested at ${requestedAt})` };
    } catch (error) {
      return { accepted: false, message: error instanceof Error ? error.message : String(error) };
    }
  }
}
