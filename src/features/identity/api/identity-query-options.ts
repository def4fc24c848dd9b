import { queryOptions } from '@tanstack/react-query';
import type { BackendAdapter } from '#src/api/backend-adapter.ts';

export const identityKeys = {
  me: ['me'] as const,
  users: ['users'] as const,
};

export const meQueryOptions = (backend: BackendAdapter) =>
  queryOptions({
    queryKey: identityKeys.me,
    queryFn: ({ signal }) => backend.me(signal),
    staleTime: 60_000,
  });

export const usersQueryOptions = (backend: BackendAdapter) =>
  queryOptions({
    queryKey: identityKeys.users,
    queryFn: ({ signal }) => backend.users(signal),
    staleTime: 5 * 60_000,
    // Only demo mode lists users; behind a real proxy the endpoint is absent and that is fine.
    retry: false,
  });
