import { queryOptions, type QueryClient } from '@tanstack/react-query';
import type { Target } from '#core/schemas.ts';
import type { BackendAdapter } from '#src/api/backend-adapter.ts';

export const targetKeys = {
  all: ['targets'] as const,
  detail: (tenant: string, environment: string) => ['targets', tenant, environment] as const,
};

// Cluster state moves during an incident: keep it fresh without hammering the server.
const STATUS_STALE_MS = 15_000;

export const targetsQueryOptions = (backend: BackendAdapter) =>
  queryOptions({
    queryKey: targetKeys.all,
    queryFn: ({ signal }) => backend.targets(signal),
    staleTime: STATUS_STALE_MS,
  });

/**
 * One target. With `queryClient`, a target the list already holds is shown at once, as old as the list
 * is (`initialDataUpdatedAt`), so it is refetched only when the list itself would be.
 */
export const targetQueryOptions = (backend: BackendAdapter, tenant: string, environment: string, queryClient?: QueryClient) =>
  queryOptions({
    queryKey: targetKeys.detail(tenant, environment),
    queryFn: ({ signal }) => backend.target(tenant, environment, signal),
    staleTime: STATUS_STALE_MS,
    initialData: queryClient
      ? () =>
          queryClient
            .getQueryData<Target[]>(targetKeys.all)
            ?.find((target) => target.tenant === tenant && target.environment === environment)
      : undefined,
    initialDataUpdatedAt: queryClient ? () => queryClient.getQueryState(targetKeys.all)?.dataUpdatedAt : undefined,
  });
