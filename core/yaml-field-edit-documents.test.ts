/** Field edits in multi-document files, unresolvable paths, and generated manifests in several styles. */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { diffYamlFields } from './field-diff.ts';
import { applyFieldValues, restoringEdits } from './yaml-field-edit.ts';
import { type Path, restore, expectFieldContract, rewindError } from '#tests/support/field-edit-helpers.ts';

describe('several documents', () => {
  const head = [
    '# deployment',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: api}',
    'spec:',
    '  replicas: 5',
    '---',
    '# service',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: api',
    'spec:',
    '  ports:',
    '  - name: http',
    '    port: 8080',
    '...',
    '---',
    'kind: ConfigMap',
    'metadata: {name: cfg}',
    'data: {A: "1"}',
  ].join('\n');
  const target = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: api}',
    'spec:',
    '  replicas: 3',
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: api',
    'spec:',
    '  ports:',
    '  - name: http',
    '    port: 80',
    '---',
    'kind: ConfigMap',
    'metadata: {name: cfg}',
    'data: {A: "1", B: "2"}',
    '',
  ].join('\n');

  it('edits fields of several documents, leaving separators, comments and the others alone', () => {
    const paths: Path[] = [
      ['[kind=Service,name=api]', 'spec', 'ports', '[name=http]', 'port'],
      ['[kind=ConfigMap,name=cfg]', 'data', 'B'],
    ];
    const result = restore(head, target, paths);
    expect(result).toBe(head.replace('port: 8080', 'port: 80').replace('data: {A: "1"}', 'data: {A: "1", B: "2"}'));
    expectFieldContract(head, target, result, paths);
  });

  it('pairs documents by kind and name when their order changed', () => {
    const reordered = target.split('---\n');
    const swapped = [reordered[2]!.trimEnd() + '\n', reordered[0], reordered[1]].join('---\n');
    const result = restore(head, swapped, [['[kind=Deployment,name=api]', 'spec', 'replicas']]);
    expect(result).toBe(head.replace('replicas: 5', 'replicas: 3'));
  });

  it('wants the document index first', () => {
    expect(rewindError(() => restore(head, target, [['spec', 'replicas']])).message).toBe(
      'cannot resolve spec.replicas: in a file of several documents a path starts with its document',
    );
    expect(rewindError(() => restore(head, target, [['[kind=Job,name=x]', 'spec']])).message).toBe(
      'cannot edit [kind=Job,name=x].spec: the document is not in the file now (whole documents are restored with service mode)',
    );
    // An index names an anonymous document only, never one the diff names by identity.
    expect(rewindError(() => restore(head, target, [[0, 'spec', 'replicas']])).message).toMatch(/not in the file now/);
  });

  it('leaves a document emptied of its last field as {} so the others keep their positions', () => {
    const text = 'a: 1\n---\nonly: x # gone\n---\nc: 3\n';
    expect(restore(text, 'a: 1\n---\n{}\n---\nc: 3\n', [[1, 'only']])).toBe('a: 1\n---\n{}\n---\nc: 3\n');
  });

  it('empties a single-document file whose last field goes', () => {
    expect(restore('# note\nadded: since\n', null, [['added']])).toBe('# note\n');
  });

  it('addresses anonymous documents by index', () => {
    const text = 'a: 1\n---\nb: 2 # two\n';
    const source = 'a: 1\n---\nb: 3\n';
    expect(restore(text, source, [[1, 'b']])).toBe('a: 1\n---\nb: 3 # two\n');
  });
});

describe('unresolvable paths', () => {
  it('is a 400 naming the path', () => {
    const text = 'a: 5\nlist: [1, 2]\n';
    const err = rewindError(() => applyFieldValues(text, [{ path: ['a', 'b'], value: 1 }]));
    expect(err.status).toBe(400);
    expect(err.message).toBe('cannot resolve a.b: a is not a map or list');
    expect(rewindError(() => applyFieldValues(text, [{ path: ['list', 5], value: 1 }])).message).toBe(
      'cannot add list[5]: position 5 is past the end of the list',
    );
    expect(rewindError(() => restoringEdits(text, 'a: 1\n', [['zzz']])).message).toBe(
      'zzz is in neither the current file nor the target revision',
    );
    expect(rewindError(() => applyFieldValues('a: [1\n', [{ path: ['a'], value: 1 }])).message).toBe('the file is not valid YAML');
  });

  it('refuses to edit through an alias', () => {
    const text = 'base: &b {x: 1}\nuse: *b\n';
    expect(rewindError(() => applyFieldValues(text, [{ path: ['use', 'x'], value: 2 }])).message).toMatch(/alias/);
  });
});

describe('property: generated manifests in several styles', () => {
  // A small deterministic generator: maps, named lists, plain lists, awkward scalars; the head is a
  // mutation of the target revision, written in another style (indentation, flow, quotes, CRLF).
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const scalars = ['a', 'b c', '1.0', 1, 2, true, null, 'x: y', "it's", 'multi\nline\n', ''];
  function generate(depth: number): unknown {
    const r = random();
    if (depth > 2 || r < 0.4) return pick(scalars);
    if (r < 0.7) {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < 1 + Math.floor(random() * 4); i++) out[pick(['k1', 'k2', 'k3', 'k4', 'k5'])] = generate(depth + 1);
      return out;
    }
    if (r < 0.85) return ['n0', 'n1', 'n2'].filter(() => random() < 0.7).map((name) => ({ name, value: generate(depth + 2) }));
    return Array.from({ length: Math.floor(random() * 3) }, () => generate(depth + 1));
  }
  function mutate(value: unknown, depth = 0): unknown {
    if (random() < 0.15) return generate(depth);
    if (Array.isArray(value)) {
      const out = value.map((item) => mutate(item, depth + 1));
      if (random() < 0.3) out.reverse();
      if (random() < 0.2) out.pop();
      return out;
    }
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) if (random() >= 0.15) out[key] = mutate(item, depth + 1);
      if (random() < 0.2) out[pick(['k6', 'k7'])] = generate(depth + 1);
      return out;
    }
    return random() < 0.3 ? generate(depth) : value;
  }
  const styles = [{}, { indentSeq: false }, { indent: 4 }, { collectionStyle: 'flow' as const }, { defaultStringType: 'QUOTE_SINGLE' as const }];

  it('restores every changed field to the target revision, and one field without touching the others', () => {
    let checked = 0;
    for (let n = 0; n < 60; n++) {
      const base = { top: generate(0), other: generate(0), list: generate(1) };
      const head = mutate(base);
      if (head === null || typeof head !== 'object' || Array.isArray(head)) continue;
      let headText = stringify(head, pick(styles));
      if (random() < 0.3) headText = headText.replace(/\n/g, '\r\n');
      if (random() < 0.3) headText = headText.replace(/\r?\n$/, '');
      const targetText = stringify(base, pick(styles));
      const changes = diffYamlFields(targetText, headText);
      const all = restore(headText, targetText, changes.map((c) => c.path));
      expect(diffYamlFields(targetText, all), `${headText}\n=>\n${all}`).toEqual([]);
      for (const change of changes.filter((c) => !c.path.some((e) => typeof e === 'number'))) {
        const one = restore(headText, targetText, [change.path]);
        expectFieldContract(headText, targetText, one, [change.path]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
