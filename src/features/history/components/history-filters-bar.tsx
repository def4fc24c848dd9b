import { useCallback, useId, type ReactNode } from 'react';
import type { RevisionSource, RevisionStatus } from '#core/schemas.ts';
import { hasActiveFilters, type HistoryFilters } from '#src/features/history/model/history-filters.ts';
import { useDebouncedSearch } from '#src/features/history/hooks/use-debounced-search.ts';
import { SOURCE_LABEL, STATUS_LABEL } from '#src/components/revision-badges.tsx';

interface HistoryFiltersBarProps {
  services: string[];
  filters: HistoryFilters;
  onChange: (key: keyof HistoryFilters, value: string) => void;
  onClear: () => void;
}

const SOURCES = Object.keys(SOURCE_LABEL) as RevisionSource[];
const STATUSES = Object.keys(STATUS_LABEL) as RevisionStatus[];

export function HistoryFiltersBar({ services, filters, onChange, onClear }: HistoryFiltersBarProps) {
  const id = useId();
  const commitSearch = useCallback((value: string) => onChange('q', value), [onChange]);
  const search = useDebouncedSearch(filters.q ?? '', commitSearch);

  return (
    <form
      className="filters"
      role="search"
      aria-label="Filter deployment history"
      onSubmit={(event) => {
        event.preventDefault();
        search.flush();
      }}
    >
      <div className="filters__field filters__field--grow">
        <label htmlFor={`${id}-q`}>Search</label>
        <input
          id={`${id}-q`}
          type="search"
          placeholder="Summary, author or sha"
          value={search.text}
          maxLength={200}
          onChange={(event) => search.setText(event.target.value)}
        />
      </div>
      <FilterSelect id={`${id}-service`} label="Service" value={filters.service} onChange={(v) => onChange('service', v)}>
        {services.map((service) => (
          <option key={service} value={service}>
            {service}
          </option>
        ))}
      </FilterSelect>
      <FilterSelect id={`${id}-source`} label="Source" value={filters.source} onChange={(v) => onChange('source', v)}>
        {SOURCES.map((source) => (
          <option key={source} value={source}>
            {SOURCE_LABEL[source]}
          </option>
        ))}
      </FilterSelect>
      <FilterSelect id={`${id}-status`} label="Status" value={filters.status} onChange={(v) => onChange('status', v)}>
        {STATUSES.map((status) => (
          <option key={status} value={status}>
            {STATUS_LABEL[status]}
          </option>
        ))}
      </FilterSelect>
      <button type="button" className="button button--quiet" onClick={onClear} disabled={!hasActiveFilters(filters)}>
        Clear filters
      </button>
    </form>
  );
}

interface FilterSelectProps {
  id: string;
  label: string;
  value: string | undefined;
  onChange: (value: string) => void;
  children: ReactNode;
}

function FilterSelect({ id, label, value, onChange, children }: FilterSelectProps) {
  return (
    <div className="filters__field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(event) => onChange(event.target.value)}>
        <option value="">All</option>
        {children}
      </select>
    </div>
  );
}
