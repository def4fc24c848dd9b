import * as yaml from 'yaml';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_YAML_LIMITS, TextCache, clearTextCaches, parseYamlDocuments, parseYamlValues } from './yaml-documents.ts';

// Pass-through spy: the linear-time test checks how yaml is called instead of timing it.
vi.mock('yaml', async (importOriginal) => {
  const original = await importOriginal<typeof yaml>();
  return { ...original, parseAllDocuments: vi.fn(original.parseAllDocuments) };
});
const { parseAllDocuments } = yaml;

describe('parseYamlDocuments: duplicate keys', () => {
  it("refuses exactly what yaml's uniqueKeys refuses", () => {
    const cases = [
      'a: 1\na: 2\n',
      'a: 1\nb: {c: 1, c: 2}\n',
      'a: {x: 1, x: 2}\n',
      'list:\n  - name: a\n    name: b\n',
      '1: a\n"1": b\n',
      '1: a\n0x1: b\n',
      'true: a\nTrue: b\n',
      '~: a\nnull: b\n',
      ': a\n: b\n',
      '0: a\n-0: b\n',
      '.nan: a\n.NaN: b\n',
      '? [a]\n: 1\n? [a]\n: 2\n',
      '? {k: 1, k: 2}\n: x\n',
      '&k a: 1\n*k : 2\n',
      'a: 1\n---\nb: 1\nb: 2\n',
      '"a": 1\na: 2\n',
      "'a': 1\nb: 2\n",
    ];
    for (const text of cases) {
      const yamlRefuses = parseAllDocuments(text, { logLevel: 'silent' }).some((doc) => doc.errors.length > 0);
      expect(parseYamlDocuments(text).ok, text).toBe(!yamlRefuses);
    }
    expect(parseYamlDocuments('a: 1\na: 2\n')).toEqual({ ok: false, reason: 'unparseable' });
  });

  it('checks them in linear time: a flat map of 60,000 keys', () => {
    // yaml's own check compares every key with every earlier one: 13 s for this text (more on a busy
    // machine), against about 0.5 s when checked with one set per map. Which check ran is asserted,
    // not how long it took.
    const text = Array.from({ length: 60_000 }, (_, i) => `k${i}: ${i}\n`).join('');
    expect(text.length).toBeLessThan(DEFAULT_YAML_LIMITS.maxChars);
    vi.mocked(parseAllDocuments).mockClear();
    const parsed = parseYamlDocuments(text);
    expect(vi.mocked(parseAllDocuments).mock.calls.map(([, options]) => options?.uniqueKeys)).toEqual([false]);
    expect(parsed.ok && Object.keys(parsed.values[0] as object).length).toBe(60_000);
    expect(parseYamlDocuments('k0: 0\nk1: 1\nk2: 2\nk1: again\n').ok).toBe(false);
  }, 30_000);
});

describe('parseYamlValues', () => {
  it('gives the values parseYamlDocuments gives, once per text, frozen', () => {
    clearTextCaches();
    const text = 'a: 1\nlist: [1, {b: 2}]\n';
    const first = parseYamlValues(text);
    const documents = parseYamlDocuments(text);
    expect(first).toEqual({ ok: true, values: documents.ok ? documents.values : null });
    expect(parseYamlValues(`${text}`)).toBe(first);
    expect(Object.isFrozen(first.ok && first.values[0])).toBe(true);
    expect(() => {
      'use strict';
      ((first.ok && first.values[0]) as { a: number }).a = 2;
    }).toThrow(TypeError);
    // Another limit is another question.
    const small = { ...DEFAULT_YAML_LIMITS, maxNodes: 2 };
    expect(parseYamlValues(text, small)).toEqual({ ok: false, reason: 'too-large' });
    expect(parseYamlValues(text)).toEqual(first);
    expect(parseYamlValues('a: [\n')).toEqual({ ok: false, reason: 'unparseable' });
    clearTextCaches();
    expect(parseYamlValues(text)).not.toBe(first);
  });
});

describe('TextCache', () => {
  it('keeps the most recently used entries within its characters and entries', () => {
    const cache = new TextCache<number>(40, 3);
    cache.set('aaaaaaaaaa', 1);
    cache.set('bbbbbbbbbb', 2);
    cache.set('cccccccccc', 3);
    expect(cache.get('aaaaaaaaaa')).toBe(1);
    // A fourth entry evicts the least recently used one (b).
    cache.set('dddddddddd', 4);
    expect(cache.get('bbbbbbbbbb')).toBeUndefined();
    expect([cache.get('aaaaaaaaaa'), cache.get('cccccccccc'), cache.get('dddddddddd')]).toEqual([1, 3, 4]);
    // Over a quarter of the characters: not kept at all.
    cache.set('e'.repeat(11), 5);
    expect(cache.get('e'.repeat(11))).toBeUndefined();
    // Characters: four entries of 5 fill 20; a fifth makes room by evicting the oldest (a).
    const byChars = new TextCache<number>(20, 100);
    for (const [i, letter] of ['a', 'b', 'c', 'd', 'e'].entries()) byChars.set(letter.repeat(5), i);
    expect(byChars.get('a'.repeat(5))).toBeUndefined();
    expect(['b', 'c', 'd', 'e'].map((letter) => byChars.get(letter.repeat(5)))).toEqual([1, 2, 3, 4]);
    byChars.clear();
    expect(byChars.get('e'.repeat(5))).toBeUndefined();
  });
});
