import { useInfiniteQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { Target } from '#core/schemas.ts';
import type { AuditFilter } from '#core/ports.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { filtersFromSearch, hasFilters, searchFromFilters, withFilter } from '#src/features/audit/model/audit-filters.ts';
import { auditInfiniteQueryOptions } from '#src/features/audit/api/audit-query-options.ts';
import { AuditEventList } from './audit-event-list.tsx';
import { AuditExport } from './audit-export.tsx';
import { AuditFiltersBar } from './audit-filters-bar.tsx';
import '#src/features/audit/audit.css';

/** The audit trail: filters in the URL (shareable), newest first, loaded by cursor as one scrolls. */
export function AuditTrail({ targets }: { targets: Target[] | undefined }) {
  const backend = useBackend();
  const [searchParams, setSearchParams] = useSearchParams();
  const search = searchParams.toString();
  // Keyed by the string: equal filters are one object, one query.
  const filters = useMemo(() => filtersFromSearch(new URLSearchParams(search)), [search]);
  const query = useInfiniteQuery(auditInfiniteQueryOptions(backend, filters));
  const events = useMemo(() => query.data?.pages.flatMap((page) => page.events) ?? [], [query.data]);

  // A filter change replaces the entry: Back leaves the audit page instead of undoing keystrokes.
  const onChange = useCallback(
    (key: keyof AuditFilter, value: string) =>
      setSearchParams((current) => searchFromFilters(withFilter(filtersFromSearch(current), key, value)), { replace: true }),
    [setSearchParams],
  );
  const onClear = () => setSearchParams(new URLSearchParams(), { replace: true });
  const flagged = events.filter((event) => event.breakGlass).length;

  return (
    <>
      <AuditFiltersBar filters={filters} targets={targets} onChange={onChange} onClear={onClear} />
      {!query.data ? (
        query.isError ? (
          <ErrorState title="Could not load the audit trail" error={query.error} onRetry={() => void query.refetch()} />
        ) : (
          <p className="loading" role="status" aria-busy="true">
            Loading audit events…
          </p>
        )
      ) : events.length === 0 && query.isError ? (
        <ErrorState title="Could not load the audit trail" error={query.error} onRetry={() => void query.refetch()} />
      ) : events.length === 0 ? (
        <div className="empty-state" role="status">
          <p>{hasFilters(filters) ? 'No audit events match these filters.' : 'No audit events yet.'}</p>
        </div>
      ) : (
        <>
          <div className="audit-toolbar">
            <p className="audit-toolbar__count" role="status">
              {events.length}
              {query.hasNextPage ? '+' : ''} event{events.length === 1 ? '' : 's'}
              {flagged > 0 && (
                <>
                  {' '}
                  · <span className="badge badge--break-glass">
                    <span aria-hidden="true">⚠ </span>
                    {flagged} under break-glass
                  </span>
                </>
              )}
            </p>
            <AuditExport filters={filters} loaded={events} complete={!query.hasNextPage} />
          </div>
          <AuditEventList
            events={events}
            hasNextPage={query.hasNextPage}
            isFetchingNextPage={query.isFetchingNextPage}
            fetchNextPage={() => void query.fetchNextPage()}
          />
          {query.isFetchNextPageError && (
            <ErrorState title="Could not load older events" error={query.error} onRetry={() => void query.fetchNextPage()} />
          )}
          {query.isRefetchError && <ErrorState title="Could not refresh the audit trail" error={query.error} onRetry={() => void query.refetch()} />}
        </>
      )}
    </>
  );
}
