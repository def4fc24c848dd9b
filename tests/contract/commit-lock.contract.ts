/**
 * The CommitLock contract (decision 027), for the in-process lock and PostgreSQL advisory locks. `make`
 * returns two handles that share the lock: two replicas (PostgreSQL) or the same lock twice (in-process).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommitLock } from '#core/ports.ts';

export interface CommitLockHarness {
  a: CommitLock;
  b: CommitLock;
  close(): Promise<void>;
}

const later = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

export function describeCommitLockContract(name: string, make: () => Promise<CommitLockHarness>): void {
  describe(`CommitLock contract: ${name}`, () => {
    let h: CommitLockHarness;
    beforeEach(async () => {
      h = await make();
    }, 30_000);
    afterEach(async () => {
      await h.close();
    }, 30_000);

    it('the commit lock lets one holder in at a time, across both handles, and survives a failing holder', { timeout: 60_000 }, async () => {
      let inside = 0;
      let most = 0;
      const order: string[] = [];
      const job = (lock: CommitLock, name: string, fail = false) =>
        lock.withCommitLock(async () => {
          inside += 1;
          most = Math.max(most, inside);
          order.push(name);
          await later();
          inside -= 1;
          if (fail) throw new Error(`${name} failed`);
          return name;
        });
      const results = await Promise.allSettled([job(h.a, 'a1'), job(h.b, 'b1', true), job(h.a, 'a2'), job(h.b, 'b2'), job(h.a, 'a3')]);
      expect(most).toBe(1);
      expect([...order].sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    });

    it('a held lease is busy for the other handle; free again once released', { timeout: 60_000 }, async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const held = h.a.withExecutionLease('rbk-1', async () => {
        entered();
        await gate;
        return 'ran';
      });
      await inside;
      expect(await h.b.tryExecutionLease('rbk-1', async () => 'settled')).toEqual({ acquired: false });
      expect(await h.b.tryExecutionLease('rbk-2', async () => 'other')).toEqual({ acquired: true, value: 'other' });
      release();
      expect(await held).toBe('ran');
      expect(await h.b.tryExecutionLease('rbk-1', async () => 'settled')).toEqual({ acquired: true, value: 'settled' });
    });

    it('a lease may take the commit lock inside it; leases of different requests commit one at a time', { timeout: 60_000 }, async () => {
      let inside = 0;
      let most = 0;
      await Promise.all(
        ['rbk-1', 'rbk-2', 'rbk-3', 'rbk-4'].map((id, i) =>
          (i % 2 ? h.b : h.a).withExecutionLease(id, () =>
            (i % 2 ? h.b : h.a).withCommitLock(async () => {
              inside += 1;
              most = Math.max(most, inside);
              await later();
              inside -= 1;
            }),
          ),
        ),
      );
      expect(most).toBe(1);
    });
  });
}
