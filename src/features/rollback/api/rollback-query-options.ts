import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { hasDeferredFields, withComputedFields } from '#core/compare-fields.ts';
import type { AuditEvent, RollbackDetail, RollbackRequest } from '#core/schemas.ts';
import type { BackendAdapter } from '#src/api/backend-adapter.ts';
import { rollbackKeys, type PreviewSelection } from './rollback-keys.ts';

export { rollbackKeys, type PreviewSelection } from './rollback-keys.ts';

const FIRST_PAGE = 30;
const NEXT_PAGE = 100;

/** The target's recent revisions to pick from, newest first; older pages on request. */
export const revisionsInfiniteQueryOptions = (backend: BackendAdapter, tenant: string, environment: string) =>
  infiniteQueryOptions({
    queryKey: rollbackKeys.revisions(tenant, environment),
    queryFn: ({ pageParam, signal }) =>
      backend.history(
        tenant,
        environment,
        pageParam ? { limit: NEXT_PAGE, cursor: pageParam } : { limit: FIRST_PAGE },
        signal,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    staleTime: 15_000,
  });

/** One revision named by a (possibly abbreviated) id, for a link to a revision older than the loaded list. */
export const revisionLookupQueryOptions = (backend: BackendAdapter, tenant: string, environment: string, id: string) =>
  queryOptions({
    queryKey: rollbackKeys.revision(tenant, environment, id),
    queryFn: async ({ signal }) => {
      // The search also matches summaries that name the sha (a revert): ask for a few, keep the exact one.
      const page = await backend.history(tenant, environment, { q: id, limit: 20 }, signal);
      return page.revisions.find((revision) => revision.sha.startsWith(id)) ?? null;
    },
    staleTime: 60_000,
  });

/** What changed between the chosen revision and the head: the services and fields a rollback could restore. */
export const changesSinceQueryOptions = (backend: BackendAdapter, tenant: string, environment: string, from: string) =>
  queryOptions({
    queryKey: rollbackKeys.changes(tenant, environment, from),
    queryFn: async ({ signal }) => {
      const diff = await backend.compare(tenant, environment, from, 'head', signal);
      // Picking fields needs them all: fetch the ones a large compare deferred, for the same two shas.
      if (!hasDeferredFields(diff)) return diff;
      return withComputedFields(diff, await backend.compareFields(tenant, environment, diff.from, diff.to, signal));
    },
    staleTime: 15_000,
  });

/** Exactly what the rollback would commit now. Always planned afresh: the branch may have moved. */
export const previewQueryOptions = (backend: BackendAdapter, tenant: string, environment: string, selection: PreviewSelection) =>
  queryOptions({
    queryKey: rollbackKeys.preview(tenant, environment, selection),
    queryFn: ({ signal }) => backend.previewRollback(tenant, environment, selection, signal),
    staleTime: 0,
    // A refusal (403, 404, 409) will not heal on its own; the step it concerns says what to change.
    retry: false,
  });

/**
 * Live updates (`request.updated`) refresh a request page; polling is only the fallback while the
 * request is executing (its outcome is what the person waits for), and while the cluster is still
 * applying a completed rollback (`cluster.changed` events push it too; polling covers a lost stream).
 */
// An approval that reaches the quorum is answered before its commit (decision 049): a second at most
// to the outcome when the live stream is lost.
const EXECUTING_POLL_MS = 1_000;
const VERIFYING_POLL_MS = 3_000;
const UNCONFIRMED_POLL_MS = 10_000;

/** A rollback request with its diff and, once completed, its verification. */
export const rollbackDetailQueryOptions = (backend: BackendAdapter, id: string) =>
  queryOptions({
    queryKey: rollbackKeys.request(id),
    queryFn: ({ signal }) => backend.getRollback(id, signal),
    refetchInterval: (query) => pollInterval(query.state.data),
  });

function pollInterval(data: RollbackDetail | undefined): number | false {
  const state = data?.request.state;
  if (state === 'executing' || state === 'approved') return EXECUTING_POLL_MS;
  const rollout = data?.verification?.rollout.state;
  // Until the agent confirms the rollback (or says it degraded), keep watching, also past the deadline.
  if (state === 'completed' && (rollout === 'committed' || rollout === 'syncing')) return VERIFYING_POLL_MS;
  if (state === 'completed' && rollout === 'unconfirmed') return UNCONFIRMED_POLL_MS;
  return false;
}

const TIMELINE_PAGE = 500;
/** 25,000 events: far more than a request makes (a few per review and note), but a bound all the same. */
const TIMELINE_MAX_PAGES = 50;

export interface RequestAuditEvents {
  /** This request's events, oldest first. */
  events: AuditEvent[];
  /** Reading stopped before the end: the oldest events of the request were not read. */
  partial: boolean;
}

/**
 * The audit events of one request: `GET /api/audit?requestId=` (decision 016), newest first by cursor
 * until the last page, or until 50 pages of 500.
 */
export const requestAuditQueryOptions = (backend: BackendAdapter, request: Pick<RollbackRequest, 'id'>) =>
  queryOptions({
    queryKey: rollbackKeys.timeline(request.id),
    queryFn: async ({ signal }): Promise<RequestAuditEvents> => {
      const found: AuditEvent[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < TIMELINE_MAX_PAGES; page += 1) {
        const result = await backend.listAudit({ requestId: request.id }, cursor, { limit: TIMELINE_PAGE, signal });
        // The server filters; this only guards the timeline against another request's events.
        found.push(...result.events.filter((event) => event.requestId === request.id));
        cursor = result.nextCursor;
        if (!cursor) return { events: found.reverse(), partial: false };
      }
      return { events: found.reverse(), partial: true };
    },
    staleTime: 5_000,
  });

/** The request's notifications per channel (decision 038); `request.updated` refreshes them with the request. */
export const requestNotificationsQueryOptions = (backend: BackendAdapter, id: string) =>
  queryOptions({
    queryKey: rollbackKeys.notifications(id),
    queryFn: ({ signal }) => backend.rollbackNotifications(id, signal),
    staleTime: 5_000,
  });

/** Open requests (pending, approved, executing), newest first: the "in progress" lists (decision 039). */
export const openRequestsQueryOptions = (backend: BackendAdapter, tenant?: string, environment?: string) =>
  queryOptions({
    queryKey: rollbackKeys.open(tenant, environment),
    queryFn: ({ signal }) => backend.listRollbacks({ open: true, tenant, environment, limit: 50 }, signal),
    staleTime: 15_000,
  });
