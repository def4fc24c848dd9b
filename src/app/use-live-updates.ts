import { useQueryClient, type InvalidateQueryFilters, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect } from 'react';
import { approvalKeys } from '#src/features/approvals/api/approvals-query-options.ts';
import { auditKeys } from '#src/features/audit/api/audit-query-options.ts';
import { compareKeys } from '#src/features/compare/api/compare-keys.ts';
import { historyKeys } from '#src/features/history/api/history-query-options.ts';
import { identityKeys } from '#src/features/identity/api/identity-query-options.ts';
import { rollbackKeys } from '#src/features/rollback/api/rollback-keys.ts';
import { targetKeys } from '#src/features/targets/api/targets-query-options.ts';
import { useConnectionStore } from '#src/lib/connection-store.ts';

/** API.md "Live updates": what changed, never the data; the page refetches what shows it. */
export interface LiveEvent {
  type: 'request.updated' | 'revision.created' | 'break-glass.changed' | 'cluster.changed';
  tenant?: string;
  environment?: string;
  requestId?: string;
}

export const EVENTS_URL = '/api/events';
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** A message as sent, or null for anything else (a newer server's type, a malformed line). */
export function parseLiveEvent(data: string): LiveEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { type, tenant, environment, requestId } = value as Record<string, unknown>;
  if (type !== 'request.updated' && type !== 'revision.created' && type !== 'break-glass.changed' && type !== 'cluster.changed') return null;
  const text = (field: unknown) => (typeof field === 'string' && field !== '' ? field : undefined);
  const event: LiveEvent = { type };
  if (text(tenant)) event.tenant = text(tenant);
  if (text(environment)) event.environment = text(environment);
  if (text(requestId)) event.requestId = text(requestId);
  return event;
}

/**
 * A rollback preview is never refreshed by an event: the wizard treats a failed preview as "go back and
 * choose again", and the commit it would announce may be the submit that just landed. A stale preview
 * is safe anyway: the submit carries its diffHash and the server refuses a different plan (409).
 */
const notAPreview = (query: { queryKey: QueryKey }) => query.queryKey[4] !== 'preview';

/** What an event makes stale, scoped to the target or request when the event names one. */
export function invalidationsFor(event: LiveEvent): InvalidateQueryFilters[] {
  switch (event.type) {
    case 'request.updated':
      return [
        { queryKey: event.requestId ? rollbackKeys.request(event.requestId) : ['rollback', 'request'] },
        { queryKey: ['rollback', 'open'] },
        { queryKey: approvalKeys.all },
        { queryKey: auditKeys.all },
      ];
    case 'revision.created': {
      const { tenant, environment } = event;
      if (tenant && environment) {
        return [
          { queryKey: targetKeys.all },
          { queryKey: historyKeys.target(tenant, environment) },
          { queryKey: rollbackKeys.target(tenant, environment), predicate: notAPreview },
          { queryKey: [...compareKeys.all, tenant, environment] },
          // A pending request's diff is its plan on the current head.
          { queryKey: ['rollback', 'request'] },
        ];
      }
      return [
        { queryKey: targetKeys.all },
        { queryKey: historyKeys.all },
        { queryKey: rollbackKeys.all, predicate: notAPreview },
        { queryKey: compareKeys.all },
      ];
    }
    case 'break-glass.changed':
      return [{ queryKey: identityKeys.me }, { queryKey: auditKeys.all }];
    case 'cluster.changed':
      // What the agent reports shows on target pages and in completed requests' verification.
      return [{ queryKey: targetKeys.all }, { queryKey: ['rollback', 'request'] }];
  }
}

/** Everything an event could have touched: after a gap in the stream, events may have been missed. */
const EVERYTHING_LIVE: InvalidateQueryFilters[] = [
  { queryKey: targetKeys.all },
  { queryKey: historyKeys.all },
  { queryKey: rollbackKeys.all, predicate: notAPreview },
  { queryKey: compareKeys.all },
  { queryKey: approvalKeys.all },
  { queryKey: auditKeys.all },
  { queryKey: identityKeys.me },
];

function invalidate(queryClient: QueryClient, filters: InvalidateQueryFilters[]) {
  for (const filter of filters) void queryClient.invalidateQueries(filter);
}

/**
 * After the server was out of reach: what failed meanwhile is fetched again (a failed preview too, it
 * is what the person is looking at), and everything live is refreshed, since events may have been missed.
 */
export function refreshAfterGap(queryClient: QueryClient): void {
  void queryClient.refetchQueries({ predicate: (query) => query.state.status === 'error' });
  invalidate(queryClient, EVERYTHING_LIVE);
}

/**
 * One EventSource on `/api/events` for the app shell. The browser reconnects by itself after a network
 * error; when it gives up (the server answered with an error), we reconnect with a backoff. After any
 * gap, every live query is invalidated once. Closed on unmount; a no-op where EventSource is missing.
 */
export function useLiveUpdates(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let retryDelay = RETRY_MIN_MS;
    let interrupted = false;
    let stopped = false;

    const connect = () => {
      source = new EventSource(EVENTS_URL);
      source.onopen = () => {
        retryDelay = RETRY_MIN_MS;
        useConnectionStore.getState().streamOpened();
        if (interrupted) refreshAfterGap(queryClient);
        interrupted = false;
      };
      source.onmessage = (message: MessageEvent<string>) => {
        const event = parseLiveEvent(message.data);
        if (event) invalidate(queryClient, invalidationsFor(event));
      };
      source.onerror = () => {
        interrupted = true;
        if (!stopped) useConnectionStore.getState().streamLost();
        if (stopped || source?.readyState !== EventSource.CLOSED) return;
        source.close();
        retryTimer = setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
      };
    };
    connect();

    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      source?.close();
      // Nothing listens any more: no stream to call lost.
      useConnectionStore.getState().streamOpened();
    };
  }, [queryClient]);
}
