import { QueryClient } from '@tanstack/react-query';
import { isApiError } from '#src/api/api-error.ts';

const MAX_RETRIES = 2;

/** Retry only what a retry can fix: the network and 5xx. A 404 or a malformed body will not heal. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_RETRIES) return false;
  if (!isApiError(error)) return false;
  return error.code === 'NETWORK' || (error.status >= 500 && error.code !== 'INVALID_RESPONSE');
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, refetchOnWindowFocus: true },
    },
  });
}
