import { queryOptions } from '@tanstack/react-query';
import type { BackendAdapter } from '#src/api/backend-adapter.ts';

/**
 * Under the history's key, so whatever refreshes a target's history (a new revision, a rollback that
 * changes a status) refreshes its revision pages too.
 */
export const revisionQueryOptions = (backend: BackendAdapter, tenant: string, environment: string, sha: string) =>
  queryOptions({
    queryKey: ['history', tenant, environment, 'revision', sha] as const,
    queryFn: ({ signal }) => backend.revision(tenant, environment, sha, signal),
    staleTime: 15_000,
  });
