// parseYamlValues skips yaml's nesting scan for a text the plain reader accepted when a cheap bound shows
// the scan cannot refuse it (decision 050); when the bound does not, the scan still decides.
import { afterEach, describe, expect, it } from 'vitest';
import { clearTextCaches, DEFAULT_YAML_LIMITS, parseYamlDocuments, parseYamlValues } from './yaml-documents.ts';
import { nestingExceeds } from './yaml-nesting.ts';
import { readPlainYaml } from './yaml-plain-values.ts';

afterEach(() => clearTextCaches());

describe('parseYamlValues and the nesting estimate', () => {
  it('refuses as too large a text the reader accepts but the nesting estimate refuses', () => {
    // `-[[[…` is a plain scalar to the reader; the estimate counts every `[` after a `-` as flow nesting.
    const text = `a: -${'['.repeat(120)}\nb: 1\n`;
    expect(readPlainYaml(text)).toEqual([{ a: `-${'['.repeat(120)}`, b: 1 }]);
    expect(nestingExceeds(text, DEFAULT_YAML_LIMITS.maxDepth)).toBe(true);
    expect(parseYamlValues(text)).toEqual({ ok: false, reason: 'too-large' });
    expect(parseYamlDocuments(text)).toEqual({ ok: false, reason: 'too-large' });
  });

  it('refuses deep indentation as before, and reads what stays under the limit', () => {
    const nested = (depth: number) => Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    const limits = { ...DEFAULT_YAML_LIMITS, maxDepth: 8 };
    for (const depth of [4, 7, 8, 9, 12]) {
      clearTextCaches();
      const full = parseYamlDocuments(nested(depth), limits);
      expect(JSON.stringify(parseYamlValues(nested(depth), limits)), `depth ${depth}`).toBe(JSON.stringify(full.ok ? { ok: true, values: full.values } : full));
    }
  });
});

describe('values of the plain reader', () => {
  it('are frozen all the way down, empty flow collections included (callers share them)', () => {
    const parsed = parseYamlValues('a: []\nb: {}\nc:\n  d:\n  - e: 1\n');
    expect(parsed.ok).toBe(true);
    const frozen = (value: unknown): boolean =>
      value === null || typeof value !== 'object' || (Object.isFrozen(value) && Object.values(value).every(frozen));
    expect(parsed.ok && frozen(parsed.values)).toBe(true);
  });
});
