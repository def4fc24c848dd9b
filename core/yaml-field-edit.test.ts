import { describe, expect, it } from 'vitest';
import { applyFieldValues } from './yaml-field-edit.ts';
import { REMOVE } from './yaml-locate.ts';
import { type Path, restore, expectFieldContract } from '#tests/support/field-edit-helpers.ts';

describe('scalars', () => {
  const head = [
    '# Service values (edited by hand)\r',
    'image:\r',
    "  repository: 'registry.example.com/api' # mirror\r",
    '  tag: "v2.1.0"   # bad release\r',
    '  pullPolicy: IfNotPresent\r',
    '\r',
    '# scaling\r',
    'replicas: 6\r',
    'debug: true',
  ].join('\n');
  const target = [
    '# Service values (edited by hand)',
    'image:',
    "  repository: 'registry.example.com/api' # mirror",
    '  tag: "v2.0.3"   # bad release',
    '  pullPolicy: Always',
    '',
    '# scaling',
    'replicas: 0x04',
    'debug: false',
    '',
  ].join('\n');

  it('keeps double quotes, the inline comment, CRLF and the missing final newline', () => {
    const result = restore(head, target, [['image', 'tag']]);
    expect(result).toBe(head.replace('"v2.1.0"', '"v2.0.3"'));
    expectFieldContract(head, target, result, [['image', 'tag']]);
  });

  it('changes plain scalars, numbers in the source spelling, and the last line without newline', () => {
    const paths: Path[] = [['image', 'pullPolicy'], ['replicas'], ['debug']];
    const result = restore(head, target, paths);
    expect(result).toBe(
      head.replace('pullPolicy: IfNotPresent', 'pullPolicy: Always').replace('replicas: 6', 'replicas: 0x04').replace('debug: true', 'debug: false'),
    );
    expect(result.endsWith('debug: false')).toBe(true);
    expectFieldContract(head, target, result, paths);
  });

  it('keeps single quotes, doubling an apostrophe', () => {
    const result = applyFieldValues(head, [{ path: ['image', 'repository'], value: "it's/api" }]);
    expect(result).toBe(head.replace("'registry.example.com/api'", "'it''s/api'"));
  });

  it('quotes a string that would read as another type, in the source style when it had one', () => {
    const text = 'tag: v1\nport: 8080\nenabled: on\n';
    expect(applyFieldValues(text, [{ path: ['tag'], value: '1.0' }])).toBe('tag: "1.0"\nport: 8080\nenabled: on\n');
    expect(applyFieldValues(text, [{ path: ['tag'], value: '1.0' }], "tag: '1.0'\n")).toBe("tag: '1.0'\nport: 8080\nenabled: on\n");
    expect(applyFieldValues(text, [{ path: ['port'], value: '8080' }])).toBe('tag: v1\nport: "8080"\nenabled: on\n');
    expect(applyFieldValues(text, [{ path: ['enabled'], value: 'true' }])).toBe('tag: v1\nport: 8080\nenabled: "true"\n');
    expect(applyFieldValues(text, [{ path: ['tag'], value: 'a: b #c' }])).toBe('tag: "a: b #c"\nport: 8080\nenabled: on\n');
    // A quoted number becomes a plain one when the value is a number.
    expect(applyFieldValues('port: "80"\n', [{ path: ['port'], value: 81 }])).toBe('port: 81\n');
    expect(applyFieldValues('x: 1\n', [{ path: ['x'], value: null }])).toBe('x: null\n');
    expect(applyFieldValues('x: 1\n', [{ path: ['x'], value: null }], 'x: ~\n')).toBe('x: ~\n');
  });

  it('leaves a field that already has the value alone, byte for byte', () => {
    const text = "a: 'x'   # same\r\nb: 1.50\n";
    expect(applyFieldValues(text, [{ path: ['a'], value: 'x' }, { path: ['b'], value: 1.5 }], 'a: x\nb: 1.5\n')).toBe(text);
    expect(applyFieldValues(text, [{ path: ['c'], value: REMOVE }])).toBe(text);
  });

  it('edits a block scalar, keeping its style and indentation', () => {
    const text = 'config:\n  nginx.conf: |\n    worker_processes 4;\n    events {}\n  other: x # keep\n';
    const source = 'config:\n  nginx.conf: |\n    worker_processes 2;\n    events {}\n  other: y\n';
    const result = restore(text, source, [['config', 'nginx.conf']]);
    expect(result).toBe('config:\n  nginx.conf: |\n    worker_processes 2;\n    events {}\n  other: x # keep\n');
    expectFieldContract(text, source, result, [['config', 'nginx.conf']]);
    // Folded, strip chomping, CRLF.
    const folded = 'msg: >-\r\n  hello\r\n  world\r\nnext: 1\r\n';
    expect(applyFieldValues(folded, [{ path: ['msg'], value: 'bye now' }])).toBe('msg: >-\r\n  bye now\r\nnext: 1\r\n');
  });

  it('writes a multi-line string into a plain scalar as the source wrote it', () => {
    const text = 'script: echo hi\nafter: 1\n';
    const source = 'script: |\n  set -e\n  echo hi\nafter: 1\n';
    const result = restore(text, source, [['script']]);
    expect(result).toBe('script: |\n  set -e\n  echo hi\nafter: 1\n');
  });

  it('addresses keys that need quoting and keys that look like selectors', () => {
    const text = 'metadata:\n  labels:\n    app.kubernetes.io/name: api\n    "[weird]": 1\n';
    expect(applyFieldValues(text, [{ path: ['metadata', 'labels', 'app.kubernetes.io/name'], value: 'web' }])).toBe(
      'metadata:\n  labels:\n    app.kubernetes.io/name: web\n    "[weird]": 1\n',
    );
    expect(applyFieldValues(text, [{ path: ['metadata', 'labels', '\\[weird]'], value: 2 }])).toBe(
      'metadata:\n  labels:\n    app.kubernetes.io/name: api\n    "[weird]": 2\n',
    );
  });
});

describe('flow collections', () => {
  const head = 'resources: {cpu: 500m, memory: 1Gi}  # tuned\nports: [80, 443]\n';

  it('changes a value inside a flow map', () => {
    const result = applyFieldValues(head, [{ path: ['resources', 'memory'], value: '512Mi' }]);
    expect(result).toBe('resources: {cpu: 500m, memory: 512Mi}  # tuned\nports: [80, 443]\n');
  });

  it('adds and removes flow map keys', () => {
    const source = 'resources: {cpu: 250m, gpu: 0, memory: 1Gi}\nports: [80]\n';
    expect(restore(head, source, [['resources', 'gpu']])).toBe('resources: {cpu: 500m, gpu: 0, memory: 1Gi}  # tuned\nports: [80, 443]\n');
    expect(restore(head, 'resources: {memory: 1Gi}\nports: [80]\n', [['resources', 'cpu']])).toBe(
      'resources: {memory: 1Gi}  # tuned\nports: [80, 443]\n',
    );
    expect(restore(head, 'resources: {cpu: 500m}\nports: [80]\n', [['resources', 'memory']])).toBe(
      'resources: {cpu: 500m}  # tuned\nports: [80, 443]\n',
    );
  });

  it('removes and changes flow list items by index', () => {
    const source = 'resources: {cpu: 500m, memory: 1Gi}\nports: [8080]\n';
    const result = restore(head, source, [['ports', 0], ['ports', 1]]);
    expect(result).toBe('resources: {cpu: 500m, memory: 1Gi}  # tuned\nports: [8080]\n');
    expectFieldContract(head, source, result, [['ports', 0], ['ports', 1]]);
  });

  it('quotes what flow context needs quoted', () => {
    expect(applyFieldValues('a: {b: x}\n', [{ path: ['a', 'c'], value: 'p, q' }])).toBe('a: {b: x, c: "p, q"}\n');
  });
});

describe('keys added and removed since the target revision', () => {
  const target = [
    'replicaCount: 2',
    'image:',
    '  repository: api',
    '  tag: v1   # known good',
    'service:',
    '  type: ClusterIP',
    '  port: 80',
    '',
  ].join('\n');
  const head = [
    'replicaCount: 2',
    'image:',
    '  repository: api',
    '  digest: sha256:abc',
    'featureFlags:            # added by the bad release',
    '  # new checkout flow',
    '  checkoutV2: true',
    '  limits:',
    '    rps: 100',
    'service:',
    '  type: ClusterIP',
    '  port: 80',
    '',
  ].join('\n');

  it('removes a key with its whole block value and the comments inside it', () => {
    const result = restore(head, target, [['featureFlags']]);
    expect(result).toBe(
      ['replicaCount: 2', 'image:', '  repository: api', '  digest: sha256:abc', 'service:', '  type: ClusterIP', '  port: 80', ''].join('\n'),
    );
    expectFieldContract(head, target, result, [['featureFlags']]);
  });

  it('adds a key back after the sibling it followed, with its own comment', () => {
    const result = restore(head, target, [['image', 'tag']]);
    expect(result).toBe(head.replace('  repository: api\n', '  repository: api\n  tag: v1   # known good\n'));
    expectFieldContract(head, target, result, [['image', 'tag']]);
  });

  it('adds and removes in one go, in CRLF, re-indenting the source entry', () => {
    const crlf = head.replace(/\n/g, '\r\n');
    const source = 'replicaCount: 2\nimage:\n    repository: api\n    tag: v1\n    nested:\n        deep: 1\n';
    const paths: Path[] = [['image', 'digest'], ['image', 'tag'], ['image', 'nested']];
    const result = restore(crlf, source, paths);
    expect(result).toBe(
      crlf.replace('  digest: sha256:abc\r\n', '  tag: v1\r\n  nested:\r\n      deep: 1\r\n'),
    );
    expectFieldContract(crlf, source, result, paths);
  });

  it('keeps a comment above the next key, and treats deeper comments after a block as the block\'s', () => {
    expect(restore('a: 1\n# about b\nb: 2\nc: 3\n', 'a: 1\nc: 3\n', [['b']])).toBe('a: 1\n# about b\nc: 3\n');
    expect(restore('a:\n  x: 1\n  # more x later\nb: 2\n', 'b: 2\n', [['a']])).toBe('b: 2\n');
    expect(restore('a:\n  x: 1\n  # more x later\nb: 2\n', 'a:\n  x: 1\nnew: 5\nb: 2\n', [['new']])).toBe(
      'a:\n  x: 1\n  # more x later\nnew: 5\nb: 2\n',
    );
  });

  it('removes the last line of a file without final newline', () => {
    const text = 'a: 1\r\nb:\r\n  c: 2\r\nd: 3';
    expect(restore(text, 'a: 1\nb:\n  c: 2\n', [['d']])).toBe('a: 1\r\nb:\r\n  c: 2');
    expect(restore(text, 'a: 1\nd: 3\n', [['b']])).toBe('a: 1\r\nd: 3');
  });

  it('appends after the last line of a file without final newline', () => {
    expect(restore('a: 1\r\nb: 2', 'a: 1\nb: 2\nc: 3\n', [['c']])).toBe('a: 1\r\nb: 2\r\nc: 3');
  });

  it('adds a key that was first in its map before the first sibling', () => {
    expect(restore('b: 2\nc: 3\n', '# head\na: 1 # first\nb: 2\n', [['a']])).toBe('a: 1 # first\nb: 2\nc: 3\n');
  });

  it('creates only the selected part of a missing parent', () => {
    const text = 'app:\n  name: api\n';
    const source = 'app:\n  name: api\n  resources:\n    limits:\n      cpu: 1\n      memory: 2Gi\n';
    const result = restore(text, source, [['app', 'resources', 'limits', 'cpu']]);
    expect(result).toBe('app:\n  name: api\n  resources:\n    limits:\n      cpu: 1\n');
    expectFieldContract(text, source, result, [['app', 'resources', 'limits', 'cpu']]);
    // Both leaves: the second lands in the parent the first created.
    const both = restore(text, source, [['app', 'resources', 'limits', 'cpu'], ['app', 'resources', 'limits', 'memory']]);
    expect(both).toBe(source);
  });

  it('removes a parent left empty when the target revision has no such parent', () => {
    const text = 'a: 1\nextra:\n  only: x\nb: 2\n';
    expect(restore(text, 'a: 1\nb: 2\n', [['extra', 'only']])).toBe('a: 1\nb: 2\n');
    // ... and keeps it as an empty map when the target revision has it.
    expect(restore(text, 'a: 1\nextra: {}\nb: 2\n', [['extra', 'only']])).toBe('a: 1\nextra: {}\nb: 2\n');
  });

  it('fills an empty parent', () => {
    expect(restore('a:\nb: 1\n', 'a:\n  x: 1\nb: 1\n', [['a', 'x']])).toBe('a:\n  x: 1\nb: 1\n');
    expect(restore('a: {}\nb: 1\n', 'a:\n  x: 1\nb: 1\n', [['a', 'x']])).toBe('a:\n  x: 1\nb: 1\n');
  });

  it('replaces a value whose type changed with the source text of the entry', () => {
    const text = 'probe: false\nnext: 1\n';
    const source = 'probe:\n  path: /healthz # liveness\n  port: 8080\nnext: 1\n';
    expect(restore(text, source, [['probe']])).toBe(source);
    expect(restore(source, text, [['probe']])).toBe(text);
  });
});

describe('lists matched by name', () => {
  const head = [
    'containers:',
    '  - name: api',
    '    image: api:v2',
    '    env:',
    '      - name: LOG_LEVEL',
    '        value: debug',
    '      - name: FOO',
    "        value: 'new'  # changed",
    '      - name: ADDED',
    '        value: x',
    '  - name: sidecar',
    '    image: envoy',
    '',
  ].join('\n');
  const target = [
    'containers:',
    '- name: api',
    '  image: api:v1',
    '  env:',
    '  - name: FOO',
    "    value: 'old'",
    '  - name: LOG_LEVEL',
    '    value: info',
    '  - name: REMOVED',
    '    valueFrom:',
    '      secretKeyRef: {name: s, key: k}',
    '- name: sidecar',
    '  image: envoy',
    '',
  ].join('\n');
  const env = (name: string, ...rest: Path) => ['containers', '[name=api]', 'env', `[name=${name}]`, ...rest];

  it('changes the value of env FOO although the list order changed', () => {
    const result = restore(head, target, [env('FOO', 'value')]);
    expect(result).toBe(head.replace("value: 'new'", "value: 'old'"));
    expectFieldContract(head, target, result, [env('FOO', 'value')]);
  });

  it('removes an item added since, and adds back one removed since, in the head indentation', () => {
    const result = restore(head, target, [env('ADDED'), env('REMOVED')]);
    // REMOVED followed LOG_LEVEL at the target revision: it comes back right after it.
    expect(result).toBe(
      head
        .replace('      - name: ADDED\n        value: x\n', '')
        .replace(
          '        value: debug\n',
          '        value: debug\n      - name: REMOVED\n        valueFrom:\n          secretKeyRef: {name: s, key: k}\n',
        ),
    );
    expectFieldContract(head, target, result, [env('ADDED'), env('REMOVED')]);
  });

  it('changes a field of another item and a nested scalar', () => {
    const paths: Path[] = [['containers', '[name=api]', 'image'], env('LOG_LEVEL', 'value')];
    const result = restore(head, target, paths);
    expect(result).toBe(head.replace('api:v2', 'api:v1').replace('value: debug', 'value: info'));
    expectFieldContract(head, target, result, paths);
  });

  it('adds a key inside an item after the `name` line', () => {
    const text = 'env:\n- name: A\n- name: B\n  value: b\n';
    expect(restore(text, 'env:\n- name: A\n  value: a # was\n', [['env', '[name=A]', 'value']])).toBe(
      'env:\n- name: A\n  value: a # was\n- name: B\n  value: b\n',
    );
  });

  it('removes a key on the `- ` line: the next key moves up', () => {
    const text = 'ports:\n- port: 80\n  name: http\n';
    expect(applyFieldValues(text, [{ path: ['ports', '[name=http]', 'port'], value: REMOVE }])).toBe('ports:\n- name: http\n');
  });

  it('adds a whole item into a list created for it', () => {
    const text = 'spec:\n  replicas: 1\n';
    const source = 'spec:\n  replicas: 1\n  env:\n  - name: A\n    value: "1"\n  - name: B\n    value: "2"\n';
    const result = restore(text, source, [['spec', 'env', '[name=B]', 'value']]);
    expect(result).toBe('spec:\n  replicas: 1\n  env:\n  - name: B\n    value: "2"\n');
    expectFieldContract(text, source, result, [['spec', 'env', '[name=B]', 'value']]);
  });
});

describe('lists by index', () => {
  it('removes trailing items from the end so positions stay valid', () => {
    const text = 'args:\n  - --a\n  - --b   # new\n  - --c\nnext: 1\n';
    const source = 'args:\n  - --a\n';
    const result = restore(text, source, [['args', 1], ['args', 2]]);
    expect(result).toBe('args:\n  - --a\nnext: 1\n');
  });

  it('adds items back in order', () => {
    const text = 'args:\n  - --a\nnext: 1\n';
    const source = 'args:\n  - --a\n  - --b\n  - "--c"\n';
    expect(restore(text, source, [['args', 2], ['args', 1]])).toBe('args:\n  - --a\n  - --b\n  - "--c"\nnext: 1\n');
  });
});
