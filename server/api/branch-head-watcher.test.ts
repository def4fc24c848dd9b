import { describe, expect, it } from 'vitest';
import { EventBus, type LiveEvent } from '#core/events.ts';
import { BranchHeadWatcher, type Repeat } from './branch-head-watcher.ts';

function fixture(initialHead: string | null = 'a') {
  const store = { head: initialHead as string | null, reads: 0, fail: false };
  const revisions = {
    branchHead: async () => {
      store.reads += 1;
      if (store.fail) throw new Error('locked');
      return store.head;
    },
  };
  const events = new EventBus();
  const published: LiveEvent[] = [];
  events.subscribe((event) => published.push(event));
  const ticks: Array<() => void> = [];
  let stops = 0;
  const repeat: Repeat = (tick) => {
    ticks.push(tick);
    return () => {
      stops += 1;
    };
  };
  const watcher = new BranchHeadWatcher(revisions, events, { repeat });
  return { store, watcher, published, ticks, stops: () => stops };
}

describe('BranchHeadWatcher', () => {
  it('publishes revision.created when the head moves, once per move', async () => {
    const f = fixture('a');
    await f.watcher.retain();
    await f.watcher.check();
    expect(f.published).toEqual([]);
    f.store.head = 'b';
    await f.watcher.check();
    await f.watcher.check();
    expect(f.published).toEqual([{ type: 'revision.created' }]);
  });

  it('runs one repeat however many streams retain it, and stops when the last releases', async () => {
    const f = fixture();
    const releases = [await f.watcher.retain(), await f.watcher.retain(), await f.watcher.retain()];
    expect(f.ticks).toHaveLength(1);
    releases[0]!();
    releases[0]!(); // a second release of the same holder is ignored
    releases[1]!();
    expect(f.watcher.running).toBe(true);
    releases[2]!();
    expect(f.watcher.running).toBe(false);
    expect(f.stops()).toBe(1);
  });

  it('reads nothing while no stream is open', async () => {
    const f = fixture();
    expect(f.store.reads).toBe(0);
    const release = await f.watcher.retain();
    expect(f.store.reads).toBe(1);
    release();
    expect(f.watcher.running).toBe(false);
  });

  it('shares a read under way instead of starting another', async () => {
    const f = fixture();
    await Promise.all([f.watcher.check(), f.watcher.check(), f.watcher.check()]);
    expect(f.store.reads).toBe(1);
  });

  it('keeps the last head through a failed read, and does not report a move made before it started', async () => {
    const f = fixture('a');
    const release = await f.watcher.retain();
    f.store.fail = true;
    await f.watcher.check();
    f.store.fail = false;
    await f.watcher.check();
    expect(f.published).toEqual([]);
    release();
    f.store.head = 'c';
    await f.watcher.retain();
    expect(f.published).toEqual([]);
    f.store.head = 'd';
    f.ticks[1]!();
    await f.watcher.check();
    expect(f.published).toEqual([{ type: 'revision.created' }]);
  });
});
