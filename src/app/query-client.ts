import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isApiError } from '#src/api/api-error.ts';
import { isUnreachable, useConnectionStore } from '#src/lib/connection-store.ts';

const MAX_RETRIES = 2;

/** Retry only what a retry can fix: the network and 5xx. A 404 or a malformed body will not heal. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_RETRIES) return false;
  if (!isApiError(error)) return false;
  return error.code === 'NETWORK' || (error.status >= 500 && error.code !== 'INVALID_RESPONSE');
}

/** Every answer and every unanswered request tells the connection banner how the link to the server is. */
function track(error: unknown) {
  const connection = useConnectionStore.getState();
  if (error === undefined) connection.apiAnswered();
  else if (isUnreachable(error)) connection.apiUnreachable();
  // Any other error is an answer from the server (a 404, a 409, a refused body): the link is fine.
  else if (isApiError(error)) connection.apiAnswered();
}

/** Caches that report to the connection store (the app's client and the tests' use them). */
export const connectionTrackingCaches = () => ({
  queryCache: new QueryCache({ onSuccess: () => track(undefined), onError: track }),
  mutationCache: new MutationCache({ onSuccess: () => track(undefined), onError: track }),
});

export function createQueryClient(): QueryClient {
  return new QueryClient({
    ...connectionTrackingCaches(),
    defaultOptions: {
      queries: { retry: shouldRetry, refetchOnWindowFocus: true },
    },
  });
}
