import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router';
import type { Target } from '#core/schemas.ts';
import type { AuditFilter } from '#core/ports.ts';
import { paths } from '#src/lib/paths.ts';
import { AUDIT_TYPE_LABELS, AUDIT_TYPES, dayBound, dayOf, hasFilters, rangeProblem } from '#src/features/audit/model/audit-filters.ts';

interface AuditFiltersBarProps {
  filters: AuditFilter;
  /** For the tenant and environment choices; the URL may name others, which stay selectable. */
  targets: Target[] | undefined;
  onChange: (key: keyof AuditFilter, value: string) => void;
  onClear: () => void;
}

const ACTOR_DEBOUNCE_MS = 400;

export function AuditFiltersBar({ filters, targets, onChange, onClear }: AuditFiltersBarProps) {
  const id = useId();
  const tenants = withCurrent(unique(targets?.map((t) => t.tenant) ?? []), filters.tenant);
  const environments = withCurrent(
    unique(targets?.filter((t) => !filters.tenant || t.tenant === filters.tenant).map((t) => t.environment) ?? []),
    filters.environment,
  );
  const types = withCurrent(AUDIT_TYPES, filters.type);

  return (
    <form className="filters audit-filters" role="search" aria-label="Filter audit events" onSubmit={(event) => event.preventDefault()}>
      <div className="filters__field">
        <label htmlFor={`${id}-tenant`}>Tenant</label>
        <select id={`${id}-tenant`} value={filters.tenant ?? ''} onChange={(event) => onChange('tenant', event.target.value)}>
          <option value="">All tenants</option>
          {tenants.map((tenant) => (
            <option key={tenant} value={tenant}>
              {tenant}
            </option>
          ))}
        </select>
      </div>
      <div className="filters__field">
        <label htmlFor={`${id}-environment`}>Environment</label>
        <select
          id={`${id}-environment`}
          value={filters.environment ?? ''}
          onChange={(event) => onChange('environment', event.target.value)}
        >
          <option value="">All environments</option>
          {environments.map((environment) => (
            <option key={environment} value={environment}>
              {environment}
            </option>
          ))}
        </select>
      </div>
      <div className="filters__field">
        <label htmlFor={`${id}-type`}>Event</label>
        <select id={`${id}-type`} value={filters.type ?? ''} onChange={(event) => onChange('type', event.target.value)}>
          <option value="">All events</option>
          {types.map((type) => (
            <option key={type} value={type}>
              {AUDIT_TYPE_LABELS[type] ?? type}
            </option>
          ))}
        </select>
      </div>
      <ActorField id={`${id}-actor`} value={filters.actor ?? ''} onChange={(value) => onChange('actor', value)} />
      <div className="filters__field">
        <label htmlFor={`${id}-from`}>From (date)</label>
        <input
          id={`${id}-from`}
          type="date"
          value={dayOf(filters.from)}
          max={dayOf(filters.to) || undefined}
          aria-describedby={rangeProblem(filters) ? `${id}-range` : undefined}
          onChange={(event) => onChange('from', dayBound(event.target.value, 'start') ?? '')}
        />
      </div>
      <div className="filters__field">
        <label htmlFor={`${id}-to`}>To (date, inclusive)</label>
        <input
          id={`${id}-to`}
          type="date"
          value={dayOf(filters.to)}
          min={dayOf(filters.from) || undefined}
          aria-describedby={rangeProblem(filters) ? `${id}-range` : undefined}
          onChange={(event) => onChange('to', dayBound(event.target.value, 'end') ?? '')}
        />
      </div>
      {rangeProblem(filters) && (
        <p id={`${id}-range`} className="field-problem" role="alert">
          {rangeProblem(filters)}
        </p>
      )}
      {filters.requestId && (
        <div className="filters__field">
          <span className="audit-filters__label" id={`${id}-request`}>
            Request
          </span>
          <span className="audit-filter-chip" role="group" aria-labelledby={`${id}-request`} data-testid="request-filter">
            <Link to={paths.rollbackRequest(filters.requestId)}>{filters.requestId}</Link>
            <button
              type="button"
              className="audit-filter-chip__remove"
              aria-label={`Remove the filter request ${filters.requestId}`}
              onClick={() => onChange('requestId', '')}
            >
              <span aria-hidden="true">×</span>
            </button>
          </span>
        </div>
      )}
      {hasFilters(filters) && (
        <button type="button" className="button button--quiet" onClick={onClear}>
          Clear filters
        </button>
      )}
    </form>
  );
}

/** Typed text reaches the URL after a pause (or Enter), not on every key. */
function ActorField({ id, value, onChange }: { id: string; value: string; onChange: (value: string) => void }) {
  const [draft, setDraft] = useState(value);
  const [synced, setSynced] = useState(value);
  // The URL changed under us (Back, Clear filters): show what it says.
  if (value !== synced) {
    setSynced(value);
    setDraft(value);
  }
  useEffect(() => {
    if (draft.trim() === value) return;
    const timer = setTimeout(() => onChange(draft), ACTOR_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [draft, value, onChange]);

  return (
    <div className="filters__field filters__field--grow">
      <label htmlFor={id}>Actor (email)</label>
      <input
        id={id}
        type="search"
        value={draft}
        placeholder="e.g. dana@example.com"
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') onChange(draft);
        }}
      />
    </div>
  );
}

const unique = (values: string[]) => [...new Set(values)].sort();
const withCurrent = (values: string[], current: string | undefined) =>
  current && !values.includes(current) ? [...values, current] : values;
