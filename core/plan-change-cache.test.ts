import { describe, expect, it } from 'vitest';
import { PlanChangeCache } from './plan-change-cache.ts';
import type { PlanChange } from './plan-change.ts';
import type { RollbackRequest } from './schemas.ts';

const req = (id: string, state: RollbackRequest['state'] = 'pending', diffHash = 'h1') => ({ id, state, diffHash }) as RollbackRequest;
const change = (id: string): PlanChange => ({ previousBaseSha: 'a'.repeat(40), baseSha: 'b'.repeat(40), diffHash: `new-${id}`, changes: [`now also reverts ${id}`] });

describe('PlanChangeCache', () => {
  it('plans each waiting request once per (request, diffHash, head); lists at the same head plan nothing', async () => {
    const cache = new PlanChangeCache();
    const calls: string[] = [];
    const stale = async (r: RollbackRequest) => {
      calls.push(r.id);
      return r.id === 'rbk-2' ? change(r.id) : null;
    };
    const rows = [req('rbk-1'), req('rbk-2'), req('rbk-3', 'completed'), req('rbk-4', 'approved')];
    const first = await cache.forList(rows, 'head1', stale);
    expect([...first.keys()]).toEqual(['rbk-2']);
    expect(calls.sort()).toEqual(['rbk-1', 'rbk-2', 'rbk-4']);
    for (let refresh = 0; refresh < 5; refresh++) expect((await cache.forList(rows, 'head1', stale)).get('rbk-2')).toEqual(change('rbk-2'));
    expect(calls).toHaveLength(3);
    // The branch moved: each waiting row is planned again, once.
    await cache.forList(rows, 'head2', stale);
    await cache.forList(rows, 'head2', stale);
    expect(calls).toHaveLength(6);
    // A confirmed plan (new diffHash) is a new key.
    await cache.forList([req('rbk-2', 'pending', 'h2')], 'head2', stale);
    expect(calls).toHaveLength(7);
    expect(cache.planned).toBe(7);
  });

  it('stays within its bound, dropping the least recently used', async () => {
    const cache = new PlanChangeCache(2);
    let planned = 0;
    const stale = async () => {
      planned += 1;
      return null;
    };
    await cache.forList([req('rbk-1'), req('rbk-2')], 'h', stale);
    await cache.forList([req('rbk-1')], 'h', stale); // rbk-1 most recent
    await cache.forList([req('rbk-3')], 'h', stale); // evicts rbk-2
    expect(planned).toBe(3);
    await cache.forList([req('rbk-1')], 'h', stale);
    expect(planned).toBe(3);
    await cache.forList([req('rbk-2')], 'h', stale);
    expect(planned).toBe(4);
  });

  it('runs at most three plans at a time, and does not cache a failure', async () => {
    const cache = new PlanChangeCache();
    let running = 0;
    let peak = 0;
    const stale = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return null;
    };
    await cache.forList(Array.from({ length: 10 }, (_, i) => req(`rbk-${i}`)), 'h', stale);
    expect(peak).toBe(3);
    let fail = true;
    const flaky = async () => {
      if (fail) throw new Error('git is down');
      return change('x');
    };
    await expect(cache.forList([req('rbk-x')], 'h2', flaky)).rejects.toThrow('git is down');
    fail = false;
    expect((await cache.forList([req('rbk-x')], 'h2', flaky)).get('rbk-x')).toEqual(change('x'));
  });

  it('plans nothing without a branch head', async () => {
    const cache = new PlanChangeCache();
    expect((await cache.forList([req('rbk-1')], null, async () => change('rbk-1'))).size).toBe(0);
    expect(cache.planned).toBe(0);
  });
});
