import { describe, expect, it } from 'vitest';
import { DEFAULT_YAML_LIMITS, clearTextCaches, parseYamlDocuments, parseYamlValues } from './yaml-documents.ts';
import { readPlainYaml } from './yaml-plain-values.ts';
import { mulberry32 } from '#demo/prng.ts';

/** The rule: whatever the fast reader accepts, yaml parses without error to the very same values. */
function expectSameAsYaml(text: string): boolean {
  const fast = readPlainYaml(text);
  if (fast === null) return false;
  const full = parseYamlDocuments(text);
  expect(full.ok, `yaml refuses what the fast reader accepted:\n${text}`).toBe(true);
  // JSON text: key order counts too, and `constructor` or `__proto__` keys cannot confuse the comparison.
  if (full.ok) expect(JSON.stringify(fast), text).toBe(JSON.stringify(full.values));
  return true;
}

/** The demo data's seeded generator: the same texts on every run. */
const prng = mulberry32;

// Scalars chosen to sit on the edges of the core schema and of plain-scalar syntax.
const SCALARS = [
  'a', 'svc-00001', 'true', 'True', 'TRUE', 'tRue', 'false', 'FALSE', 'yes', 'no', 'on', 'off', 'y', 'null', 'Null', 'NULL', 'nUll', '~',
  '0', '-0', '+1', '007', '0o17', '0o8', '0x1F', '0x', '0xg', '1_000', '1e3', '1E-3', '1.', '.5', '1.50', '-.inf', '.Inf', '+.INF', '.nan', '.NaN',
  '12345678901234567890', '3.14.15', '1:2', 'a:b', 'http://x:80/y', 'a b', 'a  b', 'a :b', '-x', '-1x', '- x', 'a#b', 'a #b', 'a # b',
  '"quoted"', '"a # b"', '"true"', "'single'", "'it''s'", '"esc\\n"', '"', "'", '[]', '{}', '[a]', '{a: 1}', '&anchor x', '*alias', '!!str 1',
  '|', '>-', '@x', '`x', '%x', '? x', ': x', 'a: b', 'x,y', 'a]', 'a}', 'v1.2.3', '50m', '128Mi', '/healthz', '$HOME', '(x)', 'é', '',
];
const KEYS = ['a', 'b', 'name', 'value', 'app.kubernetes.io/name', '_x', '__proto__', 'constructor', 'true', '1', 'on', 'y', '.5', 'a-b', 'a b', '"q"', 'x:y', '-k'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function node(random: () => number, indent: number, depth: number): string[] {
  const pad = ' '.repeat(indent);
  const step = 1 + Math.floor(random() * 3);
  const lines: string[] = [];
  const asList = random() < 0.4;
  const count = 1 + Math.floor(random() * 4);
  for (let i = 0; i < count; i++) {
    const comment = random() < 0.1 ? ' # note' : '';
    if (random() < 0.08) lines.push(random() < 0.5 ? '' : `${' '.repeat(Math.floor(random() * 6))}# comment`);
    const nest = depth < 4 && random() < 0.35;
    if (asList) {
      if (nest && random() < 0.5) {
        // `- key: value` with the rest of the map under it
        const inner = node(random, indent + 2, depth + 1);
        const first = inner[0]!.trimStart();
        if (!first.startsWith('- ')) {
          lines.push(`${pad}- ${first}`, ...inner.slice(1));
          continue;
        }
      }
      if (nest) lines.push(`${pad}-${comment}`, ...node(random, indent + step, depth + 1));
      else lines.push(`${pad}- ${pick(random, SCALARS)}${comment}`);
    } else {
      const key = random() < 0.3 ? `${pick(random, KEYS)}${i}` : pick(random, KEYS);
      if (nest) {
        const compact = random() < 0.3;
        lines.push(`${pad}${key}:${comment}`, ...node(random, compact ? indent : indent + step, depth + 1));
      } else lines.push(`${pad}${key}: ${pick(random, SCALARS)}${comment}`);
    }
  }
  return lines;
}

function generated(random: () => number): string {
  const documents = 1 + (random() < 0.3 ? Math.floor(random() * 3) : 0);
  const parts: string[] = [];
  for (let d = 0; d < documents; d++) {
    if (d > 0 || random() < 0.2) parts.push(random() < 0.8 ? '---' : '--- # doc');
    parts.push(...node(random, random() < 0.1 ? 2 : 0, 0));
  }
  return parts.join('\n') + (random() < 0.8 ? '\n' : '');
}

function mutated(random: () => number, text: string): string {
  const at = Math.floor(random() * text.length);
  const edits = [' ', '', '-', ':', '#', '"', "'", '\n', '  ', 'x', '\t', '---\n', '[', '&', '?'];
  const remove = random() < 0.5 ? 1 : 0;
  return text.slice(0, at) + pick(random, edits) + text.slice(at + remove);
}

describe('readPlainYaml', () => {
  it('gives what yaml gives, on 4,000 generated texts and 4,000 one-character mutations of them', () => {
    const random = prng(42);
    let accepted = 0;
    let acceptedMutations = 0;
    for (let i = 0; i < 4_000; i++) {
      const text = generated(random);
      if (expectSameAsYaml(text)) accepted++;
      if (expectSameAsYaml(mutated(random, text))) acceptedMutations++;
    }
    // The generator must reach the fast path often, or the comparison proves little.
    expect(accepted).toBeGreaterThan(500);
    expect(acceptedMutations).toBeGreaterThan(250);
  }, 120_000);

  it('keeps the node and depth budgets of the full parse', () => {
    const random = prng(7);
    let refused = 0;
    for (let i = 0; i < 1_500; i++) {
      const text = generated(random);
      const limits = { ...DEFAULT_YAML_LIMITS, maxNodes: Math.floor(random() * 30), maxDepth: Math.floor(random() * 5) };
      clearTextCaches();
      const full = parseYamlDocuments(text, limits);
      const values = parseYamlValues(text, limits);
      expect(JSON.stringify(values), text).toBe(JSON.stringify(full.ok ? { ok: true, values: full.values } : full));
      if (!values.ok && values.reason === 'too-large') refused++;
    }
    expect(refused).toBeGreaterThan(100);
  });

  it('reads a typical manifest, multi-document, with comments, `[]`, `{}` and compact lists', () => {
    const text = [
      '# header',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: api',
      '  labels: {}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: api',
      '        image: registry.example.com/api:v1.2.3 # pinned',
      '        args: []',
      '        env:',
      '        - name: A',
      '          value: "1"',
      '---',
      '---',
      'kind: Secret',
      'stringData:',
      "  password: 's3cret'",
      '',
    ].join('\n');
    expect(expectSameAsYaml(text)).toBe(true);
    expect(readPlainYaml(text)).toHaveLength(2);
  });

  it('declines what it does not read: yaml decides those', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: |\n  text\n',
      'a: b\n  continued\n',
      'a: "esc\\n"\n',
      'a: [1, 2]\n',
      'a: 1\na: 2\n',
      '1: a\n',
      'a:\tb\n',
      'a: b\r\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: 1\n...\n',
      '? a\n: b\n',
      'plain scalar document\n',
      `${'k'.repeat(1_100)}: v\n`,
    ]) {
      expect(readPlainYaml(text), text).toBeNull();
    }
  });
});
