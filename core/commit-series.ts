/**
 * Commits on top of each other for a batch of rollbacks (decision 049): through the store's own
 * `commitSeries` when it has one (all land or none), else one by one, stopping at the first failure.
 */
import type { CommitRequest, RevisionStore } from './ports.ts';

export interface SeriesResult {
  /** The ids of the commits that landed, in order: a prefix of the series. */
  created: string[];
  /** Why the rest did not land; undefined when every commit did. */
  error?: unknown;
}

export async function commitSeries(store: RevisionStore, expectedHead: string, commits: readonly Omit<CommitRequest, 'expectedHead'>[]): Promise<SeriesResult> {
  if (store.commitSeries) {
    try {
      return { created: await store.commitSeries(expectedHead, commits) };
    } catch (error) {
      return { created: [], error };
    }
  }
  const created: string[] = [];
  let head = expectedHead;
  for (const commit of commits) {
    try {
      head = await store.commit({ ...commit, expectedHead: head });
    } catch (error) {
      return { created, error };
    }
    created.push(head);
  }
  return { created };
}
