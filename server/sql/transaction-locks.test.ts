import { describe, expect, it } from 'vitest';
import { requestLockKey, transactionLockStatement } from './transaction-locks.ts';

describe('transaction locks (decision 052)', () => {
  it('an unscoped transaction takes the store lock exclusively, and nothing else', () => {
    expect(transactionLockStatement(null).sql).toBe('select pg_advisory_xact_lock(1381454897)');
  });

  it('a scoped one takes the store lock shared, then each request key once, in key order', () => {
    const keys = ['rbk-b', 'rbk-a', 'rbk-c'].map(requestLockKey);
    const statement = transactionLockStatement(['rbk-b', 'rbk-a', 'rbk-c', 'rbk-a']);
    const taken = [...statement.sql.matchAll(/pg_advisory_xact_lock\(\d+, (-?\d+)\)/g)].map((m) => Number(m[1]));
    expect(statement.sql.startsWith('select pg_advisory_xact_lock_shared(1381454897); ')).toBe(true);
    expect(taken).toEqual([...keys].sort((x, y) => x - y));
    expect(statement.parameters).toEqual([]);
  });

  it('a request key is a stable int4 of the id', () => {
    expect(requestLockKey('rbk-1')).toBe(requestLockKey('rbk-1'));
    expect(requestLockKey('rbk-1')).not.toBe(requestLockKey('rbk-2'));
    for (const id of ['rbk-1', 'x', 'rbk-' + 'z'.repeat(200)]) {
      const key = requestLockKey(id);
      expect(Number.isInteger(key) && key >= -(2 ** 31) && key < 2 ** 31).toBe(true);
    }
  });
});
