// Reading a text with the subtrees of another version of it (decision 050) must give exactly what reading
// it alone gives: the same values, the same declines, the same budget refusals. Checked on generated
// manifests and line-level edits of them (values changed, lines added, removed, moved, re-indented).
import { describe, expect, it } from 'vitest';
import { diffYamlFieldsDetailed } from './field-diff.ts';
import { clearTextCaches, DEFAULT_YAML_LIMITS, parseYamlValues } from './yaml-documents.ts';
import { PlainYamlMemo } from './yaml-plain-memo.ts';
import { readPlainYaml, type PlainYamlBudget } from './yaml-plain-values.ts';
import { mulberry32 } from '#demo/prng.ts';

/** The demo data's seeded generator: the same texts on every run. */
const prng = mulberry32;

const pick = <T,>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const SCALARS = ['a', 'b', '1', '2', 'true', 'null', '"q"', "'s'", '[]', '{}', 'v1.2', '50m', 'x y', '~', '0x1F', '.nan'];
const KEYS = ['name', 'value', 'image', 'port', 'env', 'spec', 'a', 'b', 'c', '__proto__', 'app.kubernetes.io/name'];

/** A manifest-like block at `indent`: maps, lists of named maps (compact or not), nested values. */
function block(random: () => number, indent: number, depth: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  if (depth > 0 && random() < 0.35) {
    for (let i = 0, count = 1 + Math.floor(random() * 4); i < count; i++) {
      if (random() < 0.2) {
        lines.push(`${pad}- ${pick(random, SCALARS)}`);
        continue;
      }
      const inner = block(random, indent + 2, depth + 1).filter((line) => !line.trimStart().startsWith('- '));
      lines.push(`${pad}- name: ${random() < 0.8 ? `n${i}` : pick(random, SCALARS)}`, ...inner.filter((line) => !/^\s*name:/.test(line)));
    }
    return lines;
  }
  const used = new Set<string>();
  for (let i = 0, count = 1 + Math.floor(random() * 4); i < count; i++) {
    const key = random() < 0.5 ? `${pick(random, KEYS)}${i}` : pick(random, KEYS);
    if (used.has(key) && random() < 0.9) continue;
    used.add(key);
    if (random() < 0.08) lines.push(random() < 0.5 ? '' : `${pad}# note`);
    if (depth < 4 && random() < 0.45) lines.push(`${pad}${key}:`, ...block(random, random() < 0.25 ? indent : indent + 2, depth + 1));
    else lines.push(`${pad}${key}: ${pick(random, SCALARS)}`);
  }
  return lines;
}

function manifest(random: () => number): string[] {
  const lines = block(random, 0, 0);
  if (random() < 0.25) lines.push('---', ...block(random, 0, 0));
  return lines;
}

/** One line-level edit, as releases make them. */
function edited(random: () => number, source: readonly string[]): string[] {
  const lines = [...source];
  const at = Math.floor(random() * lines.length);
  const line = lines[at] ?? '';
  const indent = line.length - line.trimStart().length;
  switch (Math.floor(random() * 7)) {
    case 0:
      lines[at] = line.replace(/: .*$/, `: ${pick(random, SCALARS)}`);
      break;
    case 1:
      lines.splice(at, 0, `${' '.repeat(Math.max(0, indent + pick(random, [0, 0, 2, -2])))}${pick(random, KEYS)}x: ${pick(random, SCALARS)}`);
      break;
    case 2:
      lines.splice(at, 1 + Math.floor(random() * 3));
      break;
    case 3: {
      const moved = lines.splice(at, 1 + Math.floor(random() * 6));
      lines.splice(Math.floor(random() * (lines.length + 1)), 0, ...moved);
      break;
    }
    case 4:
      lines[at] = `${' '.repeat(Math.max(0, indent + pick(random, [-2, 2, 1])))}${line.trimStart()}`;
      break;
    case 5:
      lines.splice(at, 0, pick(random, ['', '# c', '---', '- name: n0', `${' '.repeat(indent)}- name: n9`]));
      break;
    default:
      lines.splice(at, 0, ...lines.slice(at, at + 1 + Math.floor(random() * 4)));
  }
  return lines;
}

const read = (text: string, budget: PlainYamlBudget, memo?: PlainYamlMemo) => readPlainYaml(text, { ...budget }, memo ? { reuse: memo } : {});

describe('PlainYamlMemo', () => {
  it('reads a text with the subtrees of another version exactly as alone, on 6,000 generated pairs', () => {
    const random = prng(50);
    let reusedPairs = 0;
    let accepted = 0;
    for (let i = 0; i < 6_000; i++) {
      const before = manifest(random);
      let after = edited(random, before);
      if (random() < 0.5) after = edited(random, after);
      const [from, to] = [before.join('\n') + '\n', after.join('\n') + '\n'];
      const budget = random() < 0.3 ? { nodes: Math.floor(random() * 40), maxDepth: Math.floor(random() * 6) } : { nodes: Infinity, maxDepth: Infinity };
      const memo = new PlainYamlMemo();
      readPlainYaml(from, { ...budget }, { record: memo });
      const alone = read(to, budget);
      const shared = read(to, budget, memo);
      expect(JSON.stringify(shared), `${from}\n=>\n${to}`).toBe(JSON.stringify(alone));
      if (alone !== null) accepted++;
      if (memo.size > 0 && alone !== null) reusedPairs++;
    }
    // The generator must reach the shared reading often, or the comparison proves little.
    expect(accepted).toBeGreaterThan(1_000);
    expect(reusedPairs).toBeGreaterThan(400);
  }, 120_000);

  it('hands out the very objects of the first reading for the lines both share', () => {
    const from = 'a:\n  b: 1\n  c: 2\n  d: 3\nlist:\n- name: x\n  port: 1\n  tls: true\n- name: y\n  port: 2\n  tls: true\n';
    const to = 'a:\n  b: 1\n  c: 2\n  d: 3\nlist:\n- name: y\n  port: 2\n  tls: true\n- name: x\n  port: 3\n  tls: true\n';
    const memo = new PlainYamlMemo();
    const [before] = readPlainYaml(from, undefined, { record: memo }) as [Record<string, unknown[]>];
    const [after] = readPlainYaml(to, undefined, { reuse: memo }) as [Record<string, unknown[]>];
    expect(after['a']).toBe(before['a']);
    expect(after['list']![0]).toBe(before['list']![1]);
    expect(after['list']![1]).toEqual({ name: 'x', port: 3, tls: true });
  });

  it('reuses a subtree only at the depth it was read at: the depth budget counts', () => {
    const shallow = 'x:\n    k:\n      v: 1\n      w: 2\n      z: 3\n';
    const deep = 'x:\n  y:\n    k:\n      v: 1\n      w: 2\n      z: 3\n';
    const memo = new PlainYamlMemo();
    expect(readPlainYaml(shallow, { nodes: Infinity, maxDepth: 3 }, { record: memo })).not.toBeNull();
    expect(memo.size).toBeGreaterThan(0);
    expect(readPlainYaml(deep, { nodes: Infinity, maxDepth: 3 }, { reuse: memo })).toBeNull();
    expect(readPlainYaml(deep, { nodes: Infinity, maxDepth: 4 }, { reuse: memo })).toEqual([{ x: { y: { k: { v: 1, w: 2, z: 3 } } } }]);
  });

  it('records nothing from a text it declines', () => {
    const memo = new PlainYamlMemo();
    expect(readPlainYaml('a:\n  b: 1\n  c: 2\nd: &x 1\n', undefined, { record: memo })).toBeNull();
    expect(memo.size).toBe(0);
  });

  it('keeps the field changes, refusals included, whether or not the two versions are read together', () => {
    const random = prng(51);
    for (let i = 0; i < 1_500; i++) {
      const before = manifest(random);
      const after = edited(random, edited(random, before));
      const [from, to] = [before.join('\n') + '\n', after.join('\n') + '\n'];
      const limits = random() < 0.3 ? { ...DEFAULT_YAML_LIMITS, maxNodes: Math.floor(random() * 40), maxDepth: Math.floor(random() * 6) } : DEFAULT_YAML_LIMITS;
      clearTextCaches();
      const together = diffYamlFieldsDetailed(from, to, { limits });
      // Each text read on its own first (cached), so the field diff reads neither with the other.
      clearTextCaches();
      parseYamlValues(from, limits);
      parseYamlValues(to, limits);
      const apart = diffYamlFieldsDetailed(from, to, { limits });
      expect(JSON.stringify(together), `${from}\n=>\n${to}`).toBe(JSON.stringify(apart));
    }
    clearTextCaches();
  }, 120_000);
});
