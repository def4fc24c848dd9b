import type { QueryClient } from '@tanstack/react-query';
import type { LoaderFunction, LoaderFunctionArgs } from 'react-router';
import { nameSchema } from '#core/schemas.ts';
import type { BackendAdapter } from '#src/api/backend-adapter.ts';
import { peopleQueryOptions } from '#src/api/people-query-options.ts';
import { pendingRequestsQueryOptions } from '#src/features/approvals/api/approvals-query-options.ts';
import { filtersFromSearch } from '#src/features/audit/model/audit-filters.ts';
import { auditInfiniteQueryOptions } from '#src/features/audit/api/audit-query-options.ts';
import { compareQueryOptions } from '#src/features/compare/api/compare-query-options.ts';
import { filtersFromSearchParams } from '#src/features/history/model/history-filters.ts';
import { historyInfiniteQueryOptions } from '#src/features/history/api/history-query-options.ts';
import { meQueryOptions } from '#src/features/identity/api/identity-query-options.ts';
import { requestAuditQueryOptions, rollbackDetailQueryOptions } from '#src/features/rollback/api/rollback-query-options.ts';
import { targetQueryOptions, targetsQueryOptions } from '#src/features/targets/api/targets-query-options.ts';

export interface LoaderContext {
  queryClient: QueryClient;
  backend: BackendAdapter;
}

/**
 * Route loaders start every query a page shows at once, so a page costs one round trip of latency
 * instead of one per component level (target → history). They do not wait for the answers: the page
 * renders at once (with what the cache already holds, e.g. the target from the targets list) and its
 * `useQuery` calls join the requests in flight. Waiting would hold the whole app behind
 * `HydrateFallback` on a first visit, and the previous page on a navigation, for the slowest query.
 * A failed query is the page's to show, with its own Retry, exactly as if the component had fetched it.
 *
 * `staleTime: 'static'` is what `ensureQueryData` did (its replacement in TanStack Query 5.10x): cached
 * data is used as it is, whatever its age; the page's own `useQuery` refetches what is stale.
 */
const settle = (...work: Promise<unknown>[]): null => {
  for (const promise of work) promise.catch(() => undefined);
  return null;
};

/** Names for the emails a page shows (decision 047): read beside the page's data, not after it. */
const people = ({ queryClient, backend }: LoaderContext) => queryClient.query({ ...peopleQueryOptions(backend), staleTime: 'static' });

const searchOf = ({ request }: LoaderFunctionArgs) => new URL(request.url).searchParams;

export function targetPageLoader({ queryClient, backend }: LoaderContext): LoaderFunction {
  return (args) => {
    const tenant = args.params.tenant ?? '';
    const environment = args.params.environment ?? '';
    if (!nameSchema.safeParse(tenant).success || !nameSchema.safeParse(environment).success) return null;
    const filters = filtersFromSearchParams(searchOf(args));
    return settle(
      queryClient.query({ ...targetQueryOptions(backend, tenant, environment, queryClient), staleTime: 'static' }),
      queryClient.infiniteQuery({ ...historyInfiniteQueryOptions(backend, tenant, environment, filters), staleTime: 'static' }),
      people({ queryClient, backend }),
    );
  };
}

export function comparePageLoader({ queryClient, backend }: LoaderContext): LoaderFunction {
  return (args) => {
    const tenant = args.params.tenant ?? '';
    const environment = args.params.environment ?? '';
    const search = searchOf(args);
    const from = search.get('from')?.trim() ?? '';
    const to = search.get('to')?.trim() || 'head';
    if (!from || !nameSchema.safeParse(tenant).success || !nameSchema.safeParse(environment).success) return null;
    return settle(queryClient.query({ ...compareQueryOptions(backend, tenant, environment, from, to), staleTime: 'static' }), people({ queryClient, backend }));
  };
}

export function requestPageLoader({ queryClient, backend }: LoaderContext): LoaderFunction {
  return ({ params }) => {
    const id = params.id ?? '';
    return settle(
      queryClient.query({ ...rollbackDetailQueryOptions(backend, id), staleTime: 'static' }),
      // The timeline needs only the id: read it beside the request, not after it.
      queryClient.query({ ...requestAuditQueryOptions(backend, { id }), staleTime: 'static' }),
      queryClient.query({ ...meQueryOptions(backend), staleTime: 'static' }),
      queryClient.query({ ...targetsQueryOptions(backend), staleTime: 'static' }),
      people({ queryClient, backend }),
    );
  };
}

export function approvalsPageLoader({ queryClient, backend }: LoaderContext): LoaderFunction {
  return () =>
    settle(
      queryClient.query({ ...pendingRequestsQueryOptions(backend), staleTime: 'static' }),
      queryClient.query({ ...meQueryOptions(backend), staleTime: 'static' }),
      queryClient.query({ ...targetsQueryOptions(backend), staleTime: 'static' }),
      people({ queryClient, backend }),
    );
}

export function rollbackNewPageLoader({ queryClient, backend }: LoaderContext): LoaderFunction {
  return () =>
    settle(
      queryClient.query({ ...targetsQueryOptions(backend), staleTime: 'static' }),
      queryClient.query({ ...meQueryOptions(backend), staleTime: 'static' }),
    );
}

export function auditPageLoader({ queryClient, backend }: LoaderContext): LoaderFunction {
  return (args) =>
    settle(
      queryClient.infiniteQuery({ ...auditInfiniteQueryOptions(backend, filtersFromSearch(searchOf(args))), staleTime: 'static' }),
      queryClient.query({ ...targetsQueryOptions(backend), staleTime: 'static' }),
      people({ queryClient, backend }),
    );
}

/** Pages whose own query needs what only the component knows (a revision, a report's subject): the names at least start at once. */
export function peoplePageLoader(context: LoaderContext): LoaderFunction {
  return () => settle(people(context));
}
