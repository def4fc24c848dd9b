/** An in-memory revision store whose next commit can run a hook first (move the branch, fail), and that lists the commits it made. */
import type { CommitRequest } from '#core/ports.ts';
import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';

export class HookedRevisionStore extends InMemoryRevisionStore {
  /** Runs once, before the next commit (to move the branch, or to fail). */
  beforeCommit: (() => void | Promise<void>) | null = null;
  made: string[] = [];
  override async commit(request: CommitRequest): Promise<string> {
    const hook = this.beforeCommit;
    this.beforeCommit = null;
    if (hook) await hook();
    const sha = await super.commit(request);
    this.made.push(sha);
    return sha;
  }
}
