import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import type { FieldSelection, RollbackDetail, RollbackMode } from '../../../../core/schemas.ts';
import type { BackendAdapter } from '../../../api/backend-adapter.ts';

/** Everything this feature caches sits under `rollback`, so it never collides with another feature's keys. */
export const rollbackKeys = {
  all: ['rollback'] as const,
  target: (tenant: string, environment: string) => ['rollback', 'target', tenant, environment] as const,
  revisions: (tenant: string, environment: string) => ['rollback', 'target', tenant, environment, 'revisions'] as const,
  revision: (tenant: string, environment: string, id: string) =>
    ['rollback', 'target', tenant, environment, 'revision', id] as const,
  changes: (tenant: string, environment: string, from: string) =>
    ['rollback', 'target', tenant, environment, 'changes', from] as const,
  preview: (tenant: string, environment: string, selection: PreviewSelection) =>
    ['rollback', 'target', tenant, environment, 'preview', selection] as const,
  request: (id: string) => ['rollback', 'request', id] as const,
};

export interface PreviewSelection {
  mode: RollbackMode;
  targetSha: string;
  service?: string;
  fields?: FieldSelection[];
}

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
    queryFn: ({ signal }) => backend.compare(tenant, environment, from, 'head', signal),
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

const ACTIVE_POLL_MS = 1_000;
const PENDING_POLL_MS = 5_000;

/** A rollback request with its diff; polled while it may still change state. */
export const rollbackDetailQueryOptions = (backend: BackendAdapter, id: string) =>
  queryOptions({
    queryKey: rollbackKeys.request(id),
    queryFn: ({ signal }) => backend.getRollback(id, signal),
    refetchInterval: (query) => pollInterval(query.state.data),
  });

function pollInterval(data: RollbackDetail | undefined): number | false {
  const state = data?.request.state;
  if (state === 'executing' || state === 'approved') return ACTIVE_POLL_MS;
  if (state === 'pending') return PENDING_POLL_MS;
  return false;
}
