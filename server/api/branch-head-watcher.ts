/**
 * Notices commits made outside Rewind (a CI pipeline pushing to the infra repo) and publishes
 * `revision.created` on the app's event bus. One watcher per app, however many `/api/events` streams
 * are open, and it reads the branch head only while at least one is: an idle server reads nothing.
 */
import type { EventBus } from '#core/events.ts';
import type { RevisionStore } from '#core/ports.ts';

export const BRANCH_HEAD_POLL_MS = 5_000;

/** Calls `tick` every `everyMs` until the returned function is called; injectable so tests need no clock. */
export type Repeat = (tick: () => void, everyMs: number) => () => void;

const repeatWithTimer: Repeat = (tick, everyMs) => {
  const timer = setInterval(tick, everyMs);
  return () => clearInterval(timer);
};

export class BranchHeadWatcher {
  private holders = 0;
  private stopRepeat: (() => void) | null = null;
  /** The head last read; undefined until the first read after the watcher started. */
  private lastHead: string | null | undefined = undefined;
  private reading: Promise<void> | null = null;

  constructor(
    private readonly revisions: Pick<RevisionStore, 'branchHead'>,
    private readonly events: EventBus,
    private readonly options: { everyMs?: number; repeat?: Repeat } = {},
  ) {}

  /**
   * Keeps the watcher running until the returned release is called. Resolves once the current head
   * is known, so a commit made after that is reported.
   */
  async retain(): Promise<() => void> {
    this.holders += 1;
    if (this.holders === 1) {
      this.lastHead = undefined;
      this.stopRepeat = (this.options.repeat ?? repeatWithTimer)(() => void this.check(), this.options.everyMs ?? BRANCH_HEAD_POLL_MS);
    }
    await this.check();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders -= 1;
      if (this.holders === 0) {
        this.stopRepeat?.();
        this.stopRepeat = null;
      }
    };
  }

  get running(): boolean {
    return this.stopRepeat !== null;
  }

  /** Reads the head once (a read already under way is shared) and publishes if it moved. */
  check(): Promise<void> {
    this.reading ??= this.readHead().finally(() => (this.reading = null));
    return this.reading;
  }

  private async readHead(): Promise<void> {
    let head: string | null;
    try {
      head = await this.revisions.branchHead();
    } catch {
      return; // A failed read (a fetch in progress, a lock) is retried at the next tick.
    }
    if (this.lastHead !== undefined && head !== this.lastHead) this.events.publish({ type: 'revision.created' });
    this.lastHead = head;
  }
}
