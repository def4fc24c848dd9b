import { describe, expect, it } from 'vitest';
import { diffYamlFields, diffYamlFieldsDetailed, isCertainlyTooLarge, type FieldLeafChange } from './field-diff.ts';
import { formatFieldPath, keyElement, nameSelector, parsePathElement, resolveDocument, resolveFieldPath } from './field-path.ts';
import { DEFAULT_YAML_LIMITS, parseYamlDocuments } from './yaml-documents.ts';

const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

/** Every reported path resolves, on each side where it is present, to the reported value. */
function expectPathsResolve(fromText: string | null, toText: string | null, changes: FieldLeafChange[]) {
  const docs = (text: string | null) => {
    if (text === null) return [];
    const parsed = parseYamlDocuments(text);
    if (!parsed.ok) throw new Error('unparseable');
    return parsed.values;
  };
  const before = docs(fromText);
  const after = docs(toText);
  const multi = before.length > 1 || after.length > 1;
  for (const change of changes) {
    if (change.redacted) continue;
    let path = change.path;
    let fromDoc: unknown = before[0];
    let toDoc: unknown = after[0];
    if (multi) {
      fromDoc = resolveDocument(before, path[0]!);
      toDoc = resolveDocument(after, path[0]!);
      path = path.slice(1);
    }
    if (change.from !== undefined) expect(resolveFieldPath(fromDoc, path), JSON.stringify(change.path)).toEqual(change.from);
    if (change.to !== undefined) expect(resolveFieldPath(toDoc, path), JSON.stringify(change.path)).toEqual(change.to);
  }
}

function diff(fromText: string | null, toText: string | null) {
  const changes = diffYamlFields(fromText, toText);
  expectPathsResolve(fromText, toText, changes);
  return changes;
}

const DEPLOYMENT = lines(
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: api',
  'spec:',
  '  replicas: 3',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: api',
  '          image: registry.example.com/api:1.0.0',
  '          args: [--port, "8080"]',
  '          env:',
  '            - name: LOG_LEVEL',
  '              value: info',
  '            - name: TIMEOUT_MS',
  '              value: "3000"',
  '        - name: sidecar',
  '          image: envoy:1.30',
);

describe('diffYamlFields: scalars and maps', () => {
  it('reports a changed scalar at its path', () => {
    expect(diff('image:\n  tag: v1\n', 'image:\n  tag: v2\n')).toEqual([{ path: ['image', 'tag'], from: 'v1', to: 'v2' }]);
  });

  it('reports nothing for equal documents, whatever the formatting and key order', () => {
    expect(diff('a: 1\nb: {c: "x"}\n', '# comment\nb:\n  c: x\na: 1\n')).toEqual([]);
  });

  it('tells types apart: the string "1" is not the number 1', () => {
    expect(diff('a: "1"\n', 'a: 1\n')).toEqual([{ path: ['a'], from: '1', to: 1 }]);
  });

  it('reports added and removed keys with the absent side undefined', () => {
    const changes = diff('a: 1\nold: x\n', 'a: 1\nnew: {deep: true}\n');
    expect(changes).toEqual([
      { path: ['old'], from: 'x', to: undefined },
      { path: ['new'], from: undefined, to: { deep: true } },
    ]);
    // Serialised, the absent side is omitted; YAML null stays null.
    expect(JSON.parse(JSON.stringify(changes))).toEqual([
      { path: ['old'], from: 'x' },
      { path: ['new'], to: { deep: true } },
    ]);
    expect(diff('a: ~\n', 'b: 1\n')).toEqual([
      { path: ['a'], from: null, to: undefined },
      { path: ['b'], from: undefined, to: 1 },
    ]);
  });

  it('walks nested maps down to the changed leaves', () => {
    const from = lines('resources:', '  requests:', '    cpu: 250m', '    memory: 256Mi', '  limits:', '    cpu: "1"');
    const to = lines('resources:', '  requests:', '    cpu: 500m', '    memory: 256Mi', '  limits:', '    cpu: "1"', '    memory: 1Gi');
    expect(diff(from, to)).toEqual([
      { path: ['resources', 'requests', 'cpu'], from: '250m', to: '500m' },
      { path: ['resources', 'limits', 'memory'], from: undefined, to: '1Gi' },
    ]);
  });

  it('reports a change of type (scalar, map, list) as one change of the whole value', () => {
    expect(diff('a: 1\n', 'a: {b: 1, c: 2}\n')).toEqual([{ path: ['a'], from: 1, to: { b: 1, c: 2 } }]);
    expect(diff('a: [1, 2]\n', 'a: {b: 1}\n')).toEqual([{ path: ['a'], from: [1, 2], to: { b: 1 } }]);
    expect(diff('a: {b: 1}\n', 'a: null\n')).toEqual([{ path: ['a'], from: { b: 1 }, to: null }]);
    expect(diff('a: [x]\n', 'a: x\n')).toEqual([{ path: ['a'], from: ['x'], to: 'x' }]);
  });

  it('shows the top-level keys of an added or deleted file', () => {
    expect(diff(null, 'a: 1\nb: [x]\n')).toEqual([
      { path: ['a'], from: undefined, to: 1 },
      { path: ['b'], from: undefined, to: ['x'] },
    ]);
    expect(diff('a: 1\n', null)).toEqual([{ path: ['a'], from: 1, to: undefined }]);
    expect(diff(null, null)).toEqual([]);
    expect(diff('', '# only a comment\n')).toEqual([]);
  });

  it('keeps values JSON can carry: .inf and .nan as YAML writes them, keys such as __proto__ as keys', () => {
    expect(diff('a: 1\n', 'a: .inf\n')).toEqual([{ path: ['a'], from: 1, to: '.inf' }]);
    const changes = diff('__proto__: {polluted: false}\n', '__proto__: {polluted: true}\n');
    expect(changes).toEqual([{ path: ['__proto__', 'polluted'], from: false, to: true }]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('diffYamlFields: lists', () => {
  it('matches list items by name: [name=<name>] in the path', () => {
    const to = DEPLOYMENT.replace('api:1.0.0', 'api:1.1.0').replace('"3000"', '"800"');
    expect(diff(DEPLOYMENT, to)).toEqual([
      {
        path: ['spec', 'template', 'spec', 'containers', '[name=api]', 'image'],
        from: 'registry.example.com/api:1.0.0',
        to: 'registry.example.com/api:1.1.0',
      },
      { path: ['spec', 'template', 'spec', 'containers', '[name=api]', 'env', '[name=TIMEOUT_MS]', 'value'], from: '3000', to: '800' },
    ]);
  });

  it('sees no change when named items are only reordered', () => {
    const reordered = lines(
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: api}',
      'spec:',
      '  replicas: 3',
      '  template:',
      '    spec:',
      '      containers:',
      '        - {name: sidecar, image: "envoy:1.30"}',
      '        - name: api',
      '          image: registry.example.com/api:1.0.0',
      '          args: [--port, "8080"]',
      '          env:',
      '            - {name: TIMEOUT_MS, value: "3000"}',
      '            - {name: LOG_LEVEL, value: info}',
    );
    expect(diff(DEPLOYMENT, reordered)).toEqual([]);
  });

  it('reports an added and a removed named item as a whole', () => {
    const to = DEPLOYMENT.replace('        - name: sidecar\n          image: envoy:1.30\n', '        - name: init\n          image: busybox\n');
    expect(diff(DEPLOYMENT, to)).toEqual([
      { path: ['spec', 'template', 'spec', 'containers', '[name=init]'], from: undefined, to: { name: 'init', image: 'busybox' } },
      { path: ['spec', 'template', 'spec', 'containers', '[name=sidecar]'], from: { name: 'sidecar', image: 'envoy:1.30' }, to: undefined },
    ]);
  });

  it('matches other lists by index', () => {
    expect(diff('args: [a, b, c]\n', 'args: [a, x, c, d]\n')).toEqual([
      { path: ['args', 1], from: 'b', to: 'x' },
      { path: ['args', 3], from: undefined, to: 'd' },
    ]);
    expect(diff('ports: [{containerPort: 80}, {containerPort: 443}]\n', 'ports: [{containerPort: 80}]\n')).toEqual([
      { path: ['ports', 1], from: { containerPort: 443 }, to: undefined },
    ]);
  });

  it('falls back to index when names are missing or repeated', () => {
    expect(diff('l: [{name: a, v: 1}, {v: 2}]\n', 'l: [{name: a, v: 1}, {v: 3}]\n')).toEqual([{ path: ['l', 1, 'v'], from: 2, to: 3 }]);
    expect(diff('l: [{name: a, v: 1}, {name: a, v: 2}]\n', 'l: [{name: a, v: 1}, {name: a, v: 3}]\n')).toEqual([
      { path: ['l', 1, 'v'], from: 2, to: 3 },
    ]);
  });

  it('matches a list that becomes empty, or starts empty, by name', () => {
    expect(diff('env: []\n', 'env: [{name: A, value: "1"}]\n')).toEqual([{ path: ['env', '[name=A]'], from: undefined, to: { name: 'A', value: '1' } }]);
  });
});

describe('diffYamlFields: multi-document files', () => {
  const a = lines('kind: ConfigMap', 'metadata: {name: a}', 'data: {x: "1"}');
  const b = lines('kind: Service', 'metadata: {name: b}', 'spec: {port: 80}');
  const c = lines('kind: Service', 'metadata: {name: c}', 'spec: {port: 81}');
  const B = '[kind=Service,name=b]';
  const C = '[kind=Service,name=c]';

  it('starts paths with the document, named by kind and name', () => {
    expect(diff(`${a}---\n${b}`, `${a}---\n${b.replace('80', '8080')}`)).toEqual([{ path: [B, 'spec', 'port'], from: 80, to: 8080 }]);
  });

  it('pairs documents by identity, so reordering them is no change', () => {
    expect(diff(`${a}---\n${b}---\n${c}`, `${c}---\n${a}---\n${b}`)).toEqual([]);
    expect(diff(`${a}---\n${b}`, `${b}---\n${a.replace('"1"', '"2"')}`)).toEqual([
      { path: ['[kind=ConfigMap,name=a]', 'data', 'x'], from: '1', to: '2' },
    ]);
  });

  it('reports a document added or removed as a whole', () => {
    expect(diff(`${a}---\n${b}`, `${a}---\n${b}---\n${c}`)).toEqual([
      { path: [C], from: undefined, to: { kind: 'Service', metadata: { name: 'c' }, spec: { port: 81 } } },
    ]);
    expect(diff(`${a}---\n${b}---\n${c}`, `${a}---\n${c}`)).toEqual([
      { path: [B], from: { kind: 'Service', metadata: { name: 'b' }, spec: { port: 80 } }, to: undefined },
    ]);
    // One removed and one added at the same position are two documents, named apart.
    expect(diff(`${a}---\n${b}`, `${a}---\n${c}`).map((change) => change.path)).toEqual([[C], [B]]);
  });

  it('uses the document element as soon as either side has several documents', () => {
    expect(diff(b, `${a}---\n${b}`)).toEqual([
      { path: ['[kind=ConfigMap,name=a]'], from: undefined, to: { kind: 'ConfigMap', metadata: { name: 'a' }, data: { x: '1' } } },
    ]);
  });

  it('pairs documents without identity by index, and ignores empty documents', () => {
    expect(diff('x: 1\n---\ny: 2\n', '---\nx: 1\n---\ny: 3\n---\n')).toEqual([{ path: [1, 'y'], from: 2, to: 3 }]);
    expect(diff('a: 1\n---\n', 'a: 2\n')).toEqual([{ path: ['a'], from: 1, to: 2 }]);
    // An index never names a document that has an identity, so it means the same place on both sides.
    expect(diff(`x: 1\n---\n${b}---\ny: 1\n`, `x: 2\n---\nz: 1\n---\ny: 2\n`)).toEqual([
      { path: [0, 'x'], from: 1, to: 2 },
      { path: [1], from: undefined, to: { z: 1 } },
      { path: [2, 'y'], from: 1, to: 2 },
      { path: [B], from: { kind: 'Service', metadata: { name: 'b' }, spec: { port: 80 } }, to: undefined },
    ]);
    // Repeated identities are no identity.
    expect(diff(`${b}---\n${b}`, `${b}---\n${b.replace('80', '81')}`)).toEqual([{ path: [1, 'spec', 'port'], from: 80, to: 81 }]);
  });

  it('names documents of the same name in different namespaces apart', () => {
    const ns = (n: string, v: number) => lines('kind: ConfigMap', `metadata: {name: cfg, namespace: ${n}}`, `data: {v: "${v}"}`);
    expect(diff(`${ns('a', 1)}---\n${ns('b', 1)}`, `${ns('b', 2)}---\n${ns('a', 1)}`)).toEqual([
      { path: ['[kind=ConfigMap,namespace=b,name=cfg]', 'data', 'v'], from: '1', to: '2' },
    ]);
    expect(parsePathElement('[kind=ConfigMap,namespace=b,name=cfg]')).toEqual({ type: 'document', kind: 'ConfigMap', namespace: 'b', name: 'cfg' });
    expect(parsePathElement('[kind=Service,name=b]')).toEqual({ type: 'document', kind: 'Service', name: 'b' });
  });
});

describe('diffYamlFields: path elements', () => {
  it('escapes map keys that look like selectors, and reads every element back one way', () => {
    expect(diff('"[name=x]": 1\n"\\\\k": 1\n', '"[name=x]": 2\n"\\\\k": 2\n')).toEqual([
      { path: ['\\[name=x]'], from: 1, to: 2 },
      { path: ['\\\\k'], from: 1, to: 2 },
    ]);
    expect(parsePathElement(keyElement('[name=x]'))).toEqual({ type: 'key', key: '[name=x]' });
    expect(parsePathElement(keyElement('\\k'))).toEqual({ type: 'key', key: '\\k' });
    expect(parsePathElement(nameSelector('api'))).toEqual({ type: 'name', name: 'api' });
    expect(parsePathElement(nameSelector('odd]name'))).toEqual({ type: 'name', name: 'odd]name' });
    expect(parsePathElement(3)).toEqual({ type: 'index', index: 3 });
    expect(parsePathElement('name=api')).toEqual({ type: 'key', key: 'name=api' });
  });

  it('formats paths for people', () => {
    expect(formatFieldPath(['spec', 'containers', '[name=api]', 'env', '[name=LOG_LEVEL]', 'value'])).toBe(
      'spec.containers[name=api].env[name=LOG_LEVEL].value',
    );
    expect(formatFieldPath([1, 'metadata', 'labels', 'app.kubernetes.io/name'])).toBe('[1].metadata.labels["app.kubernetes.io/name"]');
    expect(formatFieldPath(['[kind=Deployment,name=api]', 'spec', 'replicas'])).toBe('[kind=Deployment,name=api].spec.replicas');
    expect(formatFieldPath(['args', 0])).toBe('args[0]');
    expect(formatFieldPath(['\\[x]'])).toBe('["[x]"]');
  });
});

describe('diffYamlFields: bad and hostile input', () => {
  it('returns no changes for unparseable YAML, and says why', () => {
    for (const broken of ['a: [1, 2\n', 'a: b: c\n', 'a: 1\na: 2\n', '\t- x\n  y: [\n', 'key: "unterminated\n']) {
      expect(diffYamlFieldsDetailed(broken, 'a: 1\n')).toEqual({ changes: [], incomplete: 'unparseable' });
      expect(diffYamlFieldsDetailed('a: 1\n', broken)).toEqual({ changes: [], incomplete: 'unparseable' });
    }
  });

  it('never throws on arbitrary text', () => {
    const alphabet = ['a', ':', ' ', '\n', '-', '[', ']', '{', '}', '"', "'", '&', '*', '!', '|', '>', '#', '?', ',', '%', '@', '\t', 'é'];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 300; i++) {
      const text = Array.from({ length: next() % 80 }, () => alphabet[next() % alphabet.length]).join('');
      expect(() => diffYamlFieldsDetailed(text, 'a: 1\n')).not.toThrow();
    }
  });

  it('refuses an alias bomb quickly', () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
      'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
    ].join('\n');
    expect(diffYamlFieldsDetailed('a: 1\n', bomb)).toEqual({ changes: [], incomplete: 'too-large' });
  });

  it('still resolves a few ordinary aliases', () => {
    expect(diff('base: &b {x: 1}\nuse: *b\n', 'base: &b {x: 2}\nuse: *b\n')).toEqual([
      { path: ['base', 'x'], from: 1, to: 2 },
      { path: ['use', 'x'], from: 1, to: 2 },
    ]);
  });

  it('refuses oversized files, too many documents, too many nodes and deep nesting', { timeout: 30_000 }, () => {
    const cases = [
      `big: "${'x'.repeat(1_100_000)}"\n`,
      Array.from({ length: 1_500 }, (_, i) => `i: ${i}`).join('\n---\n'),
      `list: [${Array.from({ length: 250_000 }, () => '1').join(',')}]\n`,
      `a: ${'['.repeat(150)}${']'.repeat(150)}\n`,
    ];
    for (const text of cases) {
      expect(diffYamlFieldsDetailed('a: 1\n', text).incomplete).toBe('too-large');
    }
  });

  it('cuts a file with very many changes and says so', () => {
    const from = Array.from({ length: 3000 }, (_, i) => `k${i}: 1`).join('\n');
    const to = Array.from({ length: 3000 }, (_, i) => `k${i}: 2`).join('\n');
    const result = diffYamlFieldsDetailed(from, to);
    expect(result.incomplete).toBe('truncated');
    expect(result.changes).toHaveLength(2000);
    expect(diffYamlFieldsDetailed(from, to, { maxChanges: 5000 }).changes).toHaveLength(3000);
  });
});

describe('diffYamlFields: multi-document files, changed documents only', () => {
  /** A deterministic pseudo-random manifest of `count` documents. */
  function manifest(count: number, seed: number) {
    let state = seed;
    const next = (n: number) => (state = (state * 1103515245 + 12345) % 2 ** 31) % n;
    const docs: string[] = [];
    for (let i = 0; i < count; i++) {
      const kind = ['ConfigMap', 'Service', 'Deployment', 'Secret'][next(4)]!;
      const named = next(10) > 0;
      const name = `res-${next(count * 2)}`;
      docs.push(
        lines(
          `kind: ${kind}`,
          named ? `metadata: {name: ${name}${next(3) === 0 ? ', namespace: ns' : ''}}` : 'metadata: {}',
          'data:',
          ...Array.from({ length: 1 + next(5) }, (_, k) => `  key${k}: "v${next(100)}"`),
          `list: [${Array.from({ length: next(4) }, () => next(9)).join(', ')}]`,
        ),
      );
    }
    return { docs, next };
  }
  const join = (docs: string[]) => docs.map((d, i) => (i === 0 && d.startsWith('#') ? d : `---\n${d}`)).join('');

  it('gives the result of the whole-file rule', () => {
    let engaged = 0;
    for (let seed = 1; seed <= 120; seed++) {
      // Every fourth file is bigger and mostly edited, for the token index used with many changes.
      const big = seed % 4 === 0;
      const { docs, next } = manifest(big ? 40 + (seed % 20) : 2 + (seed % 12), seed);
      const edited = docs.map((doc) => {
        const r = next(big ? 4 : 10);
        if (r === 0) return doc.replace(/"v(\d+)"/, '"changed"');
        if (r === 1) return `${doc}extra: ${next(5)}\n`;
        if (r === 2) return doc.replace('data:', 'data:\n  added: "1"');
        if (r === 3 && seed % 5 === 0) return doc.replace(/name: res-\d+/, 'name: renamed'); // falls back
        return doc;
      });
      if (seed % 7 === 0) edited.push(lines('kind: Service', 'metadata: {name: appended}')); // falls back
      const from = join(docs);
      const to = join(edited);
      const fast = diffYamlFieldsDetailed(from, to);
      const full = diffYamlFieldsDetailed(from, to, { perDocument: false });
      expect(fast, `seed ${seed}`).toEqual(full);
      // With one document allowed per parse, only the per-document path can answer.
      if (diffYamlFieldsDetailed(from, to, { limits: { ...DEFAULT_YAML_LIMITS, maxDocuments: 1 } }).incomplete !== 'too-large') engaged++;
    }
    expect(engaged).toBeGreaterThan(30);
  });

  it('diffs a large manifest with one changed document quickly, and past the whole-file size limit', () => {
    const docs = Array.from({ length: 5_000 }, (_, i) =>
      lines('apiVersion: v1', 'kind: ConfigMap', `metadata: {name: cm-${i}, namespace: ns}`, 'data:', ...Array.from({ length: 12 }, (_, k) => `  key${k}: "value-${i}-${k}"`)),
    );
    const from = join(docs);
    expect(from.length).toBeGreaterThan(1_000_000);
    const edited = [...docs];
    edited[4321] = edited[4321]!.replace('"value-4321-3"', '"changed"');
    edited[17] = edited[17]!.replace('"value-17-0"', '"other"');
    const result = diffYamlFieldsDetailed(from, join(edited));
    expect(result).toEqual({
      changes: [
        { path: ['[kind=ConfigMap,namespace=ns,name=cm-17]', 'data', 'key0'], from: 'value-17-0', to: 'other' },
        { path: ['[kind=ConfigMap,namespace=ns,name=cm-4321]', 'data', 'key3'], from: 'value-4321-3', to: 'changed' },
      ],
    });
    // Moving a document is a whole-file matter: too large here.
    expect(diffYamlFieldsDetailed(from, join([...docs.slice(1), docs[0]!])).incomplete).toBe('too-large');
  });

  it('masks Secrets and reports unparseable changed documents as the whole-file rule does', () => {
    const config = lines('kind: ConfigMap', 'metadata: {name: c}', 'data: {a: "1"}');
    const secret = (value: string) => lines('kind: Secret', 'metadata: {name: s}', `stringData: {token: ${value}}`);
    expect(diffYamlFields(`---\n${config}---\n${secret('old-token-value')}`, `---\n${config}---\n${secret('new-token-value')}`)).toEqual([
      { path: ['[kind=Secret,name=s]', 'stringData', 'token'], from: '<redacted>', to: '<redacted:changed>', redacted: true },
    ]);
    expect(diffYamlFieldsDetailed(`${config}---\n${config.replace('c}', 'd}')}`, `${config}---\n${config.replace('c}', 'd}').replace('"1"}', '[1}')}`)).toEqual({
      changes: [],
      incomplete: 'unparseable',
    });
  });
});

describe('isCertainlyTooLarge', () => {
  const limits = { ...DEFAULT_YAML_LIMITS, maxChars: 2_000 };
  const big = (key: string) => Array.from({ length: 200 }, (_, i) => `${key}${i}: value-${i}`).join('\n') + '\n';
  const small = 'a: 1\n';
  const multi = `${big('x')}---\n${small}`;

  it('agrees with the field diff: a side over the limit without document markers is too large', () => {
    for (const [from, to] of [
      [big('k'), `${big('k')}z: 2\n`],
      [small, big('k')],
      [big('k'), null],
      [null, big('k')],
      [big('k'), multi],
    ] as const) {
      expect(isCertainlyTooLarge(from, to, limits)).toBe(true);
      expect(diffYamlFieldsDetailed(from, to, { limits }).incomplete).toBe('too-large');
    }
  });

  it('leaves multi-document and small files to the field diff', () => {
    expect(isCertainlyTooLarge(multi, `${multi}b: 2\n`, limits)).toBe(false);
    expect(isCertainlyTooLarge(small, 'a: 2\n', limits)).toBe(false);
    expect(isCertainlyTooLarge(null, small, limits)).toBe(false);
  });
});
