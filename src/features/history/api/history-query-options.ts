import { infiniteQueryOptions } from '@tanstack/react-query';
import type { BackendAdapter } from '#src/api/backend-adapter.ts';
import type { HistoryFilters } from '../model/history-filters.ts';

/** The first page is small so the first rows paint fast; later pages are larger to scroll with fewer round trips. */
export const HISTORY_PAGE_SIZE = 50;
export const HISTORY_NEXT_PAGE_SIZE = 200;

export const historyKeys = {
  all: ['history'] as const,
  target: (tenant: string, environment: string) => ['history', tenant, environment] as const,
  list: (tenant: string, environment: string, filters: HistoryFilters) =>
    ['history', tenant, environment, filters] as const,
};

export const historyInfiniteQueryOptions = (
  backend: BackendAdapter,
  tenant: string,
  environment: string,
  filters: HistoryFilters,
) =>
  infiniteQueryOptions({
    queryKey: historyKeys.list(tenant, environment, filters),
    queryFn: ({ pageParam, signal }) =>
      backend.history(
        tenant,
        environment,
        { ...filters, ...(pageParam ? { limit: HISTORY_NEXT_PAGE_SIZE, cursor: pageParam } : { limit: HISTORY_PAGE_SIZE }) },
        signal,
      ),
    initialPageParam: null as string | null,
    // The cursor is opaque and the only signal of "more": a short or empty page can still have one.
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    staleTime: 15_000,
  });
