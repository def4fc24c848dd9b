import { queryOptions } from '@tanstack/react-query';
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

export const targetQueryOptions = (backend: BackendAdapter, tenant: string, environment: string) =>
  queryOptions({
    queryKey: targetKeys.detail(tenant, environment),
    queryFn: ({ signal }) => backend.target(tenant, environment, signal),
    staleTime: STATUS_STALE_MS,
  });
