import { queryOptions } from '@tanstack/react-query';
import type { BackendAdapter } from '../../../api/backend-adapter.ts';

export const compareKeys = {
  all: ['compare'] as const,
  pair: (tenant: string, environment: string, from: string, to: string) =>
    ['compare', tenant, environment, from, to] as const,
  revision: (tenant: string, environment: string, sha: string) =>
    ['compare', 'revision', tenant, environment, sha] as const,
};

/** Two fixed commits never change their diff; `head` moves with every deployment. */
export const compareQueryOptions = (
  backend: BackendAdapter,
  tenant: string,
  environment: string,
  from: string,
  to: string,
) =>
  queryOptions({
    queryKey: compareKeys.pair(tenant, environment, from, to),
    queryFn: ({ signal }) => backend.compare(tenant, environment, from, to, signal),
    staleTime: from === 'head' || to === 'head' ? 15_000 : Infinity,
  });

// The history search matches the sha among other text (a revert names the commit it reverts): ask
// for a few and keep the exact one.
const LOOKUP_LIMIT = 20;

/**
 * Summary, author and time of one revision, for the compare header. API.md has no "one revision"
 * endpoint, so this asks the history for it by sha; a revision outside the target's recent history
 * resolves to null and the header shows its sha only.
 */
export const revisionQueryOptions = (backend: BackendAdapter, tenant: string, environment: string, sha: string) =>
  queryOptions({
    queryKey: compareKeys.revision(tenant, environment, sha),
    queryFn: async ({ signal }) => {
      const page = await backend.history(tenant, environment, { q: sha, limit: LOOKUP_LIMIT }, signal);
      return page.revisions.find((revision) => revision.sha === sha) ?? null;
    },
    staleTime: 60_000,
    retry: false,
  });
