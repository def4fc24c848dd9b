import { infiniteQueryOptions } from '@tanstack/react-query';
import type { AuditEvent } from '#core/schemas.ts';
import type { AuditFilter } from '#core/ports.ts';
import type { BackendAdapter } from '#src/api/backend-adapter.ts';

export const auditKeys = {
  all: ['audit'] as const,
  list: (filters: AuditFilter) => ['audit', 'list', filters] as const,
};

export const AUDIT_PAGE_SIZE = 100;
/** Export of everything matching reads bigger pages (the server allows 500). */
const EXPORT_PAGE_SIZE = 500;

export const auditInfiniteQueryOptions = (backend: BackendAdapter, filters: AuditFilter) =>
  infiniteQueryOptions({
    queryKey: auditKeys.list(filters),
    queryFn: ({ pageParam, signal }) => backend.listAudit(filters, pageParam, { limit: AUDIT_PAGE_SIZE, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    staleTime: 10_000,
  });

/** Every event matching `filters`, newest first, page by page (by cursor, so nothing is read twice). */
export async function fetchAllAuditEvents(
  backend: BackendAdapter,
  filters: AuditFilter,
  options: { signal?: AbortSignal; onProgress?: (loaded: number) => void } = {},
): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const page = await backend.listAudit(filters, cursor, { limit: EXPORT_PAGE_SIZE, signal: options.signal });
    events.push(...page.events);
    options.onProgress?.(events.length);
    cursor = page.nextCursor;
  } while (cursor);
  return events;
}
