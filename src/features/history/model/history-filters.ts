import {
  nameSchema,
  revisionStatusSchema,
  sourceSchema,
  type RevisionSource,
  type RevisionStatus,
} from '#core/schemas.ts';

export interface HistoryFilters {
  service?: string;
  source?: RevisionSource;
  status?: RevisionStatus;
  q?: string;
}

export const FILTER_KEYS = ['service', 'source', 'status', 'q'] as const;

/**
 * Filters come from a URL someone may have pasted into an incident channel: a value the API would
 * reject is dropped rather than turned into an error page.
 */
export function filtersFromSearchParams(params: URLSearchParams): HistoryFilters {
  const filters: HistoryFilters = {};
  const service = nameSchema.safeParse(params.get('service'));
  if (service.success) filters.service = service.data;
  const source = sourceSchema.safeParse(params.get('source'));
  if (source.success) filters.source = source.data;
  const status = revisionStatusSchema.safeParse(params.get('status'));
  if (status.success) filters.status = status.data;
  const q = params.get('q')?.trim().slice(0, 200);
  if (q) filters.q = q;
  return filters;
}

export function hasActiveFilters(filters: HistoryFilters): boolean {
  return FILTER_KEYS.some((key) => filters[key] !== undefined);
}
