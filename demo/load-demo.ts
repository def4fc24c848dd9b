import { formatRollbackMessage } from '#core/commit-message.ts';
import type { DemoCommit, DemoRepo } from './demo-data.ts';

/**
 * The full message of a demo commit. Rollback commits name their target by sha, which only the writer
 * knows (in-memory ids here, real git ids in the demo repo), so both writers build it through this.
 */
export function demoCommitMessage(commit: DemoCommit, shaOf: (id: string) => string): string {
  if (!commit.rollback) return commit.message;
  const { targetId, ...meta } = commit.rollback;
  return formatRollbackMessage({ ...meta, targetSha: shaOf(targetId) });
}

/** A store that appends commits as given (the in-memory revision store); demo/ names no adapter. */
export interface DemoCommitSink {
  append(commit: {
    timestamp: string;
    author: { name: string; email: string };
    message: string;
    changes: Record<string, string | null>;
    deployStatus?: 'success' | 'failed';
  }): string;
}

/** Appends every demo commit in order; returns demo id → sha. */
export function loadDemoInto(store: DemoCommitSink, repo: DemoRepo): Map<string, string> {
  const shaById = new Map<string, string>();
  const shaOf = (id: string) => {
    const sha = shaById.get(id);
    if (!sha) throw new Error(`demo commit ${id} refers to a later or unknown commit`);
    return sha;
  };
  for (const commit of repo.commits) {
    const sha = store.append({
      timestamp: commit.timestamp,
      author: commit.author,
      message: demoCommitMessage(commit, shaOf),
      changes: commit.changes,
      ...(commit.deployStatus ? { deployStatus: commit.deployStatus } : {}),
    });
    shaById.set(commit.id, sha);
  }
  return shaById;
}
