import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex.ts';

describe('KeyedMutex', () => {
  it('one holder per key at a time, in arrival order; other keys go ahead; nothing kept once idle', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const hold = async (name: string, keys: string[], ms: number) => {
      const release = await mutex.lock(keys);
      order.push(`${name}+`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      order.push(`${name}-`);
      release();
    };
    await Promise.all([hold('a', ['r1'], 30), hold('b', ['r1', 'r2'], 5), hold('c', ['r3'], 1), hold('d', ['r2'], 1)]);
    // c (r3) does not wait for a; b waits for a (r1); d takes r2 meanwhile (b asks for its keys one
    // by one, in order, as the database does), and b takes r2 only after d.
    expect(order.indexOf('c-')).toBeLessThan(order.indexOf('a-'));
    expect(order.indexOf('b+')).toBeGreaterThan(order.indexOf('a-'));
    expect(order.indexOf('d-')).toBeLessThan(order.indexOf('b+'));
    expect(mutex.size).toBe(0);
  });

  it('a release called twice releases once', async () => {
    const mutex = new KeyedMutex();
    const first = await mutex.lock(['k']);
    const second = mutex.lock(['k']);
    first();
    first();
    const release = await second;
    let third = false;
    void mutex.lock(['k']).then(() => (third = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(third).toBe(false);
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(third).toBe(true);
  });
});
