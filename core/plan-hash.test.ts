import { describe, expect, it } from 'vitest';
import { encodePlan, hashPlan } from './plan-hash.ts';

const BASE = 'a'.repeat(40);

describe('hashPlan', () => {
  it('is SHA-256 of the documented encoding', async () => {
    const changes = { 'b.yaml': 'x: 1\n', 'a.yaml': null };
    expect(new TextDecoder().decode(encodePlan(BASE, changes))).toBe(
      `rewind-plan-v1\n${BASE}\nP6:a.yamlDP6:b.yamlF5:x: 1\n`,
    );
    // Known vector: SHA-256 of the encoding of an empty plan.
    const empty = await hashPlan(BASE, {});
    const expected = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`rewind-plan-v1\n${BASE}\n`));
    expect(empty).toBe(Array.from(new Uint8Array(expected), (b) => b.toString(16).padStart(2, '0')).join(''));
    expect(empty).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is stable: same input, same hash, whatever the key order', async () => {
    const one = await hashPlan(BASE, { 'a.yaml': 'x: 1\n', 'b.yaml': null, 'é/ü.yaml': 'ü: "ß"\r\n' });
    const two = await hashPlan(BASE, { 'é/ü.yaml': 'ü: "ß"\r\n', 'b.yaml': null, 'a.yaml': 'x: 1\n' });
    expect(one).toBe(two);
    expect(await hashPlan(BASE, { 'a.yaml': 'x: 1\n', 'b.yaml': null, 'é/ü.yaml': 'ü: "ß"\r\n' })).toBe(one);
  });

  it('changes with any byte, path, deletion or base', async () => {
    const changes = { 'a.yaml': 'x: 1\n', 'b.yaml': null };
    const base = await hashPlan(BASE, changes);
    const variants: Array<[string, Record<string, string | null>]> = [
      [BASE, { 'a.yaml': 'x: 2\n', 'b.yaml': null }],
      [BASE, { 'a.yaml': 'x: 1\r\n', 'b.yaml': null }],
      [BASE, { 'a.yaml': 'x: 1', 'b.yaml': null }],
      [BASE, { 'a.yml': 'x: 1\n', 'b.yaml': null }],
      [BASE, { 'a.yaml': 'x: 1\n', 'b.yaml': '' }],
      [BASE, { 'a.yaml': 'x: 1\n' }],
      [BASE, { 'a.yaml': 'x: 1\n', 'b.yaml': null, 'c.yaml': null }],
      ['b'.repeat(40), changes],
    ];
    const hashes = await Promise.all(variants.map(([sha, c]) => hashPlan(sha, c)));
    for (const hash of hashes) expect(hash).not.toBe(base);
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('cannot be fooled by moving bytes between a path and its content', async () => {
    expect(await hashPlan(BASE, { a: 'bc' })).not.toBe(await hashPlan(BASE, { ab: 'c' }));
    expect(await hashPlan(BASE, { a: 'D', b: null })).not.toBe(await hashPlan(BASE, { a: null, b: 'D' }));
  });
});
