import { queryOptions } from '@tanstack/react-query';
import type { BackendAdapter } from '#src/api/backend-adapter.ts';
import { compareKeys } from './compare-keys.ts';

export { compareKeys } from './compare-keys.ts';

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

/** The field changes a large compare deferred; asked with the compare's resolved shas, so never stale. */
export const compareFieldsQueryOptions = (backend: BackendAdapter, tenant: string, environment: string, from: string, to: string) =>
  queryOptions({
    queryKey: compareKeys.fields(tenant, environment, from, to),
    queryFn: ({ signal }) => backend.compareFields(tenant, environment, from, to, signal),
    staleTime: Infinity,
  });

/** One file of a compare with more lines of context around each change (resolved shas). */
export const compareFileQueryOptions = (
  backend: BackendAdapter,
  tenant: string,
  environment: string,
  from: string,
  to: string,
  path: string,
  context: number,
) =>
  queryOptions({
    queryKey: compareKeys.file(tenant, environment, from, to, path, context),
    queryFn: async ({ signal }) => {
      const diff = await backend.compare(tenant, environment, from, to, signal, { file: path, context });
      const file = diff.files.find((candidate) => candidate.path === path);
      if (!file) throw new Error(`${path} did not change between these revisions`);
      return file;
    },
    staleTime: Infinity,
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

/** How many of the target's newest revisions the compare pickers offer (older ones by URL or history). */
export const REVISION_CHOICES = 50;

/** The target's newest revisions, newest first, for the from/to pickers (decision 043). */
export const revisionChoicesQueryOptions = (backend: BackendAdapter, tenant: string, environment: string) =>
  queryOptions({
    queryKey: ['compare', 'choices', tenant, environment] as const,
    queryFn: async ({ signal }) => (await backend.history(tenant, environment, { limit: REVISION_CHOICES }, signal)).revisions,
    staleTime: 15_000,
  });
