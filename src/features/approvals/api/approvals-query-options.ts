import { queryOptions } from '@tanstack/react-query';
import type { RollbackRequest } from '#core/schemas.ts';
import type { BackendAdapter } from '#src/api/backend-adapter.ts';

export const approvalKeys = {
  all: ['approvals'] as const,
  pending: ['approvals', 'pending'] as const,
};

const PAGE_SIZE = 200;
/** 1,000 pending requests is an organisation in trouble already; the queue says when there are more. */
const MAX_PAGES = 5;

export interface PendingRequests {
  requests: RollbackRequest[];
  /** More pending requests exist than were read. */
  truncated: boolean;
}

/**
 * Every pending request (the server lists newest first). Live updates invalidate this on each
 * `request.updated`; the slow interval is the fallback for a page whose event stream is down.
 */
export const pendingRequestsQueryOptions = (backend: BackendAdapter) =>
  queryOptions({
    queryKey: approvalKeys.pending,
    queryFn: async ({ signal }): Promise<PendingRequests> => {
      const requests: RollbackRequest[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const result = await backend.listRollbacks({ state: 'pending', limit: PAGE_SIZE, cursor }, signal);
        requests.push(...result.requests);
        if (!result.nextCursor) return { requests, truncated: false };
        cursor = result.nextCursor;
      }
      return { requests, truncated: true };
    },
    staleTime: 10_000,
    refetchInterval: 60_000,
  });
