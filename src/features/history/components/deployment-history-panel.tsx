import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useNavigate } from 'react-router';
import type { Revision, Target } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { paths } from '#src/lib/paths.ts';
import { deployMarks } from '#src/features/history/api/deploy-marks.ts';
import { hasActiveFilters } from '#src/features/history/model/history-filters.ts';
import { historyInfiniteQueryOptions } from '#src/features/history/api/history-query-options.ts';
import { useCompareSelection, type ComparePair } from '#src/features/history/hooks/use-compare-selection.ts';
import { useHistoryFilters } from '#src/features/history/hooks/use-history-filters.ts';
import { CompareSelectionBar } from './compare-selection-bar.tsx';
import { HistoryFiltersBar } from './history-filters-bar.tsx';
import { HistoryGrid } from './history-grid.tsx';
import { HistorySkeleton } from './history-skeleton.tsx';

export function DeploymentHistoryPanel({ target }: { target: Target }) {
  const { tenant, environment } = target;
  const backend = useBackend();
  const navigate = useNavigate();
  const { filters, setFilter, clearFilters } = useHistoryFilters();
  const history = useInfiniteQuery(historyInfiniteQueryOptions(backend, tenant, environment, filters));
  const revisions = useMemo(() => history.data?.pages.flatMap((page) => page.revisions) ?? [], [history.data]);
  const filtered = hasActiveFilters(filters);
  const selection = useCompareSelection(revisions);
  const marks = useMemo(() => deployMarks(target, revisions, filtered), [target, revisions, filtered]);

  const openRollback = (revision: Revision) => navigate(paths.rollbackNew(tenant, environment, revision.sha));
  const openCompare = (revision: Revision) => navigate(paths.compare(tenant, environment, revision.sha, 'head'));
  const openPairCompare = ({ from, to }: ComparePair) => navigate(paths.compare(tenant, environment, from.sha, to.sha));

  let body;
  if (history.isPending) {
    body = <HistorySkeleton />;
  } else if (history.isError && revisions.length === 0) {
    body = (
      <ErrorState
        title="Could not load deployment history"
        error={history.error}
        onRetry={() => void history.refetch()}
      />
    );
  } else if (revisions.length === 0 && !history.hasNextPage) {
    body = (
      <div className="empty-state" role="status">
        <p>{filtered ? 'No revisions match these filters' : 'This target has no revisions yet'}</p>
        {filtered && (
          <button type="button" className="button" onClick={clearFilters}>
            Clear all filters
          </button>
        )}
      </div>
    );
  } else {
    body = (
      <>
        <HistoryGrid
          // A new filter is a new list: start again at its top with the first row active.
          key={JSON.stringify(filters)}
          label={`Deployment history of ${tenant}/${environment}`}
          revisions={revisions}
          currentSha={target.head?.sha ?? null}
          deployMarks={marks}
          hasNextPage={history.hasNextPage}
          isFetchingNextPage={history.isFetchingNextPage}
          fetchNextPage={() => void history.fetchNextPage()}
          onRollback={openRollback}
          onCompare={openCompare}
          revisionHref={(revision) => paths.revision(tenant, environment, revision.sha)}
          selectedShas={selection.selectedShas}
          onToggleSelect={selection.toggle}
        />
        {history.isFetchNextPageError && (
          <ErrorState
            title="Could not load older revisions"
            error={history.error}
            onRetry={() => void history.fetchNextPage()}
          />
        )}
        <p className="history-hint">
          {revisions.length} revision{revisions.length === 1 ? '' : 's'} loaded
          {history.hasNextPage ? ', older ones load as you scroll' : ''}. Keys: ↑/↓ or j/k move, Enter compares
          with current, Space selects for compare.
        </p>
      </>
    );
  }

  return (
    <section className="panel" aria-labelledby="history-heading">
      <div className="panel__header">
        <h2 id="history-heading">Deployment history</h2>
      </div>
      <HistoryFiltersBar
        services={target.services.map((service) => service.name)}
        filters={filters}
        onChange={setFilter}
        onClear={clearFilters}
      />
      <CompareSelectionBar
        selected={selection.selected}
        pair={selection.pair}
        onCompare={openPairCompare}
        onSwap={selection.swap}
        onClear={selection.clear}
      />
      {body}
    </section>
  );
}
