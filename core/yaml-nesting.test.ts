import { describe, expect, it } from 'vitest';
import { parseYamlDocuments } from './yaml-documents.ts';
import { nestingExceeds } from './yaml-nesting.ts';

const blockNested = (depth: number) => Array.from({ length: depth }, (_, i) => `${' '.repeat(i * 2)}k${i}:`).join('\n') + ` 1\n`;

describe('nestingExceeds', () => {
  it('passes ordinary manifests', () => {
    const manifest = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: api, labels: { app: api, "tier[0]": web } }',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: api',
      '          image: "registry/api:[v1]"   # a comment with [[[[ brackets',
      "          args: ['--x={a}', \"--y=[b]\"]",
      '          env:',
      '            - - - nested',
      '      script: |',
      ...Array.from({ length: 300 }, (_, i) => `        ${' '.repeat(i)}line ${i} [[[{{{`),
      '      after: plain [text] with {braces}',
      '',
    ].join('\n');
    expect(nestingExceeds(manifest, 20)).toBe(false);
    expect(nestingExceeds(blockNested(90), 100)).toBe(false);
  });

  it('counts block levels, entry markers and flow brackets', () => {
    expect(nestingExceeds(blockNested(101), 100)).toBe(true);
    expect(nestingExceeds(`a: ${'['.repeat(101)}${']'.repeat(101)}\n`, 100)).toBe(true);
    expect(nestingExceeds(`a: ${'{b: '.repeat(60)}1${'}'.repeat(60)}\n`, 50)).toBe(true);
    expect(nestingExceeds(`${'- '.repeat(101)}x\n`, 100)).toBe(true);
    // Flow collections spanning lines keep their depth.
    expect(nestingExceeds(`a: ${'[\n'.repeat(101)}`, 100)).toBe(true);
    // Brackets inside quotes and comments are text.
    expect(nestingExceeds(`a: "${'['.repeat(500)}"\nb: 1 # ${'{'.repeat(500)}\n`, 100)).toBe(false);
  });

  it('makes the parser refuse a 1 MB bracket bomb at once instead of after seconds', { timeout: 30_000 }, () => {
    const bomb = `a: ${'['.repeat(400_000)}${']'.repeat(400_000)}\n`;
    // Without the scan the parser works for seconds and then calls it `unparseable`.
    expect(parseYamlDocuments(bomb)).toEqual({ ok: false, reason: 'too-large' });
  });
});
