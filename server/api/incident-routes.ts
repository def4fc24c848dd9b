/**
 * `GET /api/incident-report?incident=` (an incident's ID or link) or `?request=` (one request without
 * an incident): the post-incident report and its Markdown (decision 033).
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { badRequest, notFound } from '#core/errors.ts';
import { incidentFilterSchema } from '#core/incident.ts';
import type { ClusterObservation } from '#core/incident-cluster.ts';
import { buildIncidentReport, incidentMarkdown, type BadRevision } from '#core/incident-report.ts';
import { targetHead } from '#core/history.ts';
import type { RequestStore, TargetRuntimeStatus } from '#core/ports.ts';
import { isApplied } from '#core/rollout.ts';
import type { TargetConfig } from '#core/target-config.ts';
import { readRevisionDetail } from '#core/revision-details.ts';
import { requestIdSchema, type AuditEvent, type RollbackRequest } from '#core/schemas.ts';
import type { ApiEnv, RouteDeps } from './api-context.ts';
import { parseQuery } from './request-params.ts';

export const querySchema = z.object({ incident: incidentFilterSchema.optional(), request: requestIdSchema.optional() });
/** An incident with more requests than this is reported on its newest ones. */
const MAX_REQUESTS = 200;
const HOUR = 3_600_000;

async function requestsOf(store: RequestStore, query: z.infer<typeof querySchema>): Promise<RollbackRequest[]> {
  if (query.request) {
    const request = await store.getRequest(query.request);
    if (!request) throw notFound(`rollback request ${query.request} not found`);
    return [request];
  }
  const page = await store.listRequests({ incident: query.incident! }, null, MAX_REQUESTS);
  if (page.items.length === 0) throw notFound(`no rollback request belongs to incident ${query.incident}`);
  return page.items;
}

/** The agent's current report on each committed rollback's target (decision 044); one read per target. */
async function clusterObservations(deps: RouteDeps, requests: readonly RollbackRequest[]): Promise<ClusterObservation[]> {
  const statuses = new Map<string, Promise<TargetRuntimeStatus>>();
  const statusOf = (target: TargetConfig) => {
    const key = `${target.tenant}/${target.environment}`;
    let status = statuses.get(key);
    if (!status) {
      status = targetHead(deps.revisions, target)
        .then((head) => deps.cluster.status(target, head?.sha ?? null))
        .catch((error: unknown): TargetRuntimeStatus => ({
          source: 'none',
          health: 'unknown',
          sync: 'unknown',
          services: [],
          liveRevision: null,
          operation: null,
          observedAt: null,
          outcomes: [],
          reason: `the cluster status could not be read: ${error instanceof Error ? error.message : String(error)}`,
        }));
      statuses.set(key, status);
    }
    return status;
  };
  const observations: ClusterObservation[] = [];
  for (const request of requests) {
    if (!request.commitSha) continue;
    const target = await deps.catalog.get(request.tenant, request.environment);
    if (!target) continue;
    const status = await statusOf(target);
    const applied = status.source === 'none' ? null : await isApplied(deps.revisions, target, status.liveRevision, request.commitSha).catch(() => null);
    observations.push({ requestId: request.id, tenant: request.tenant, environment: request.environment, commitSha: request.commitSha, status, applied });
  }
  return observations;
}

export function registerIncidentRoutes(app: Hono<ApiEnv>, deps: RouteDeps): void {
  app.get('/api/incident-report', async (c) => {
    const query = parseQuery(c, querySchema);
    if (!query.incident === !query.request) throw badRequest('give either incident (an incident ID or link) or request (a rollback request id)');
    const store = deps.requests;
    if (!store) throw notFound('this Rewind keeps no rollback requests');
    const requests = await requestsOf(store, query);

    const badRevisions: BadRevision[] = [];
    for (const key of new Set(requests.map((r) => `${r.tenant}/${r.environment}/${r.baseSha}`))) {
      const [tenant = '', environment = '', sha = ''] = key.split('/');
      const target = await deps.catalog.get(tenant, environment);
      const detail = target ? await readRevisionDetail(deps, target, sha).catch(() => null) : null;
      if (detail) {
        const { revision } = detail;
        badRevisions.push({ sha, summary: revision.summary, timestamp: revision.timestamp, outcome: detail.deployment.outcome, tenant, environment });
      }
    }

    const events: AuditEvent[] = [];
    for (const request of requests) events.push(...(await store.listAudit({ requestId: request.id }, null, 500)).items);
    // Break-glass sessions of the requesters around the incident: they are not events of a request.
    const times = [...badRevisions.map((b) => b.timestamp), ...events.map((e) => e.at)].map(Date.parse);
    const [from, to] = [Math.min(...times) - HOUR, Math.max(...times) + HOUR];
    for (const actor of new Set(requests.map((r) => r.requestedBy))) {
      for (const type of ['break-glass.opened', 'break-glass.closed']) {
        const found = await store.listAudit({ actor, type }, null, 50);
        events.push(...found.items.filter((e) => Date.parse(e.at) >= from && Date.parse(e.at) <= to));
      }
    }

    const incident = query.incident ? requests.find((r) => r.incident)?.incident : undefined;
    const cluster = await clusterObservations(deps, requests);
    const report = buildIncidentReport({ ...(incident ? { incident } : {}), requests, events, badRevisions, cluster });
    // Names for the Markdown (decision 047); a directory that cannot be read leaves the emails.
    const people = new Map((await deps.users.list().catch(() => [])).map((u) => [u.email.toLowerCase(), u.name]));
    return c.json({ report, markdown: incidentMarkdown(report, (email) => people.get(email.toLowerCase())) });
  });
}
