import { queryOptions } from '@tanstack/react-query';
import type { BackendAdapter } from '#src/api/backend-adapter.ts';

/** Names for emails (`GET /api/people`, decision 043): the directory changes rarely. */
export const peopleQueryOptions = (backend: BackendAdapter) =>
  queryOptions({
    queryKey: ['people'] as const,
    queryFn: async ({ signal }) => new Map((await backend.people(signal)).map((p) => [p.email.toLowerCase(), p.name])),
    staleTime: 10 * 60_000,
    // An older server has no such endpoint: emails are shown, as before.
    retry: false,
  });
