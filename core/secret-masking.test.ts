import { describe, expect, it } from 'vitest';
import { diffYamlFields, diffYamlFieldsDetailed } from './field-diff.ts';
import { REDACTED, REDACTED_CHANGED, maskSecretTexts, mentionsSecret } from './secret-masking.ts';

const lines = (...rows: string[]) => `${rows.join('\n')}\n`;
const b64 = (text: string) => btoa(text);

/** Secret values used below: none of them (nor their base64, nor a long piece of either) may show. */
const SECRETS = ['hunter2-OLDPASS-x1', 'CorrectHorseBattery99', 'tok3n-s3cr3t-v4lue', 'TLS-privkey-material', 'rotated-KEY-9000-zz'];

function expectNoSecret(output: unknown) {
  const json = JSON.stringify(output);
  for (const secret of SECRETS) {
    for (const form of [secret, b64(secret)]) {
      for (let i = 0; i + 8 <= form.length; i += 4) expect(json, `leaks ${form}`).not.toContain(form.slice(i, i + 8));
    }
  }
}

function secretYaml(password: string, token: string, extra = '') {
  return lines(
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: db-credentials',
    '  namespace: payments',
    'type: Opaque',
    'data: # base64',
    `  password: ${b64(password)} # ${password}`,
    `  username: ${b64('payments')}`,
    '  # previous: ' + b64('hunter2-OLDPASS-x1'),
    'stringData:',
    '  config.yaml: |',
    `    token: ${token}`,
    '    url: https://payments.example.com',
    `  plain: "${token}"${extra}`,
  );
}

const OLD = secretYaml('hunter2-OLDPASS-x1', 'tok3n-s3cr3t-v4lue');
const NEW = secretYaml('CorrectHorseBattery99', 'rotated-KEY-9000-zz');

describe('secret masking in field changes', () => {
  it('says which entries changed and nothing of their values, for data and stringData', () => {
    const changes = diffYamlFields(OLD, NEW);
    expect(changes).toEqual([
      { path: ['data', 'password'], from: REDACTED, to: REDACTED_CHANGED, redacted: true },
      { path: ['stringData', 'config.yaml'], from: REDACTED, to: REDACTED_CHANGED, redacted: true },
      { path: ['stringData', 'plain'], from: REDACTED, to: REDACTED_CHANGED, redacted: true },
    ]);
    expectNoSecret(changes);
  });

  it('masks added and removed entries, keeping their keys', () => {
    const added = NEW.replace('stringData:\n', `stringData:\n  tls.key: TLS-privkey-material\n`);
    expect(diffYamlFields(NEW, added)).toEqual([{ path: ['stringData', 'tls.key'], from: undefined, to: REDACTED, redacted: true }]);
    expect(diffYamlFields(added, NEW)).toEqual([{ path: ['stringData', 'tls.key'], from: REDACTED, to: undefined, redacted: true }]);
  });

  it('masks a whole Secret added as a file, as a document, or as an item of a List', () => {
    const file = diffYamlFields(null, OLD);
    expect(file.find((c) => c.path[0] === 'data')).toEqual({
      path: ['data'],
      from: undefined,
      to: { password: REDACTED, username: REDACTED },
      redacted: true,
    });
    expect(file.find((c) => c.path[0] === 'metadata')).toEqual({
      path: ['metadata'],
      from: undefined,
      to: { name: 'db-credentials', namespace: 'payments' },
    });
    expectNoSecret(file);

    const config = lines('kind: ConfigMap', 'metadata: {name: cfg}', 'data: {visible: "yes"}');
    const doc = diffYamlFields(config, `${config}---\n${NEW}`);
    expect(doc).toHaveLength(1);
    expect(doc[0]).toMatchObject({ path: ['[kind=Secret,namespace=payments,name=db-credentials]'], redacted: true });
    expect((doc[0]!.to as { data: unknown }).data).toEqual({ password: REDACTED, username: REDACTED });
    expectNoSecret(doc);

    const list = (secret: string) => lines('apiVersion: v1', 'kind: List', 'items:', `  - {kind: Secret, metadata: {name: x}, data: {k: ${b64(secret)}}}`);
    const items = diffYamlFields(list('hunter2-OLDPASS-x1'), list('CorrectHorseBattery99'));
    expect(items).toEqual([{ path: ['items', 0, 'data', 'k'], from: REDACTED, to: REDACTED_CHANGED, redacted: true }]);
    // ConfigMap data is not secret.
    expect(diffYamlFields(config, config.replace('yes', 'no'))).toEqual([{ path: ['data', 'visible'], from: 'yes', to: 'no' }]);
  });

  it('masks the last-applied-configuration annotation kubectl copies the data into', () => {
    const annotated = (secret: string) =>
      lines(
        'kind: Secret',
        'metadata:',
        '  name: x',
        '  annotations:',
        `    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"k":"${b64(secret)}"}}'`,
        '    owner: team-a',
        `data: {k: ${b64(secret)}}`,
      );
    const changes = diffYamlFields(annotated('hunter2-OLDPASS-x1'), annotated('CorrectHorseBattery99'));
    expect(changes).toEqual([
      { path: ['metadata', 'annotations', 'kubectl.kubernetes.io/last-applied-configuration'], from: REDACTED, to: REDACTED_CHANGED, redacted: true },
      { path: ['data', 'k'], from: REDACTED, to: REDACTED_CHANGED, redacted: true },
    ]);
  });

  it('masks both sides when the kind changes to or from Secret, and when data changes type', () => {
    const as = (kind: string, value: string) => lines(`kind: ${kind}`, 'metadata: {name: x}', `data: {k: ${value}}`);
    expectNoSecret(diffYamlFields(as('ConfigMap', 'hunter2-OLDPASS-x1'), as('Secret', b64('CorrectHorseBattery99'))));
    expect(diffYamlFields(as('Secret', 'hunter2-OLDPASS-x1'), as('ConfigMap', 'CorrectHorseBattery99'))).toContainEqual({
      path: ['data', 'k'],
      from: REDACTED,
      to: REDACTED_CHANGED,
      redacted: true,
    });
    const scalarData = lines('kind: Secret', 'metadata: {name: x}', 'data: hunter2-OLDPASS-x1');
    expect(diffYamlFields(scalarData, as('Secret', 'CorrectHorseBattery99'))).toEqual([
      { path: ['data'], from: REDACTED, to: { k: REDACTED_CHANGED }, redacted: true },
    ]);
  });

  it('gives no field changes for a Secret that does not parse', () => {
    const broken = `${OLD}  bad: [unclosed\n`;
    expect(diffYamlFieldsDetailed(broken, NEW)).toEqual({ changes: [], incomplete: 'unparseable' });
  });
});

describe('secret masking in texts (patches)', () => {
  it('leaves files without a Secret alone', () => {
    expect(maskSecretTexts('a: 1\n', 'a: 2\n')).toEqual({ kind: 'clean' });
    expect(maskSecretTexts('kind: SecretStore\nspec: {}\n', null)).toEqual({ kind: 'clean' });
    expect(maskSecretTexts('# mentions kind: Secret in a comment\na: 1\n', 'a: 2\n')).toEqual({ kind: 'clean' });
    expect(mentionsSecret('"kind" : "Secret"')).toBe(true);
    expect(mentionsSecret("kind: 'Secret'")).toBe(true);
    expect(mentionsSecret('kind: ExternalSecret')).toBe(false);
  });

  it('replaces every value by a placeholder that differs between the sides only when the value changed', () => {
    const masked = maskSecretTexts(OLD, NEW);
    expect(masked.kind).toBe('masked');
    if (masked.kind !== 'masked') return;
    expect(masked.from).toBe(
      lines(
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: db-credentials',
        '  namespace: payments',
        'type: Opaque',
        'data:',
        `  password: ${REDACTED}`,
        `  username: ${REDACTED}`,
        'stringData:',
        `  config.yaml: ${REDACTED}`,
        `  plain: ${REDACTED}`,
      ),
    );
    expect(masked.to).toBe(
      lines(
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: db-credentials',
        '  namespace: payments',
        'type: Opaque',
        'data:',
        `  password: ${REDACTED_CHANGED}`,
        `  username: ${REDACTED}`,
        'stringData:',
        `  config.yaml: ${REDACTED_CHANGED}`,
        `  plain: ${REDACTED_CHANGED}`,
      ),
    );
    expectNoSecret(masked);
  });

  it('masks flow and JSON-style Secrets, multi-document files and unchanged sides', () => {
    const json = (secret: string) => `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"j"},"data":{"k":"${b64(secret)}"},"type":"Opaque"}\n`;
    const masked = maskSecretTexts(json('hunter2-OLDPASS-x1'), json('CorrectHorseBattery99'));
    expect(masked).toEqual({
      kind: 'masked',
      from: `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"j"},"data": { "k": ${REDACTED} },"type":"Opaque"}\n`,
      to: `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"j"},"data": { "k": ${REDACTED_CHANGED} },"type":"Opaque"}\n`,
    });
    const config = 'kind: ConfigMap\nmetadata: {name: c}\ndata: {shown: "yes"}\n';
    const multi = maskSecretTexts(`${config}---\n${OLD}`, `${config.replace('yes', 'no')}---\n${OLD}`);
    expect(multi.kind).toBe('masked');
    if (multi.kind !== 'masked') return;
    expect(multi.to).toContain('shown: "no"');
    expect(multi.from!.split('\n').filter((l) => l.includes(REDACTED))).toEqual(multi.to!.split('\n').filter((l) => l.includes(REDACTED)));
    expectNoSecret(multi);
    // An added or deleted Secret file.
    const added = maskSecretTexts(null, NEW);
    expect(added.kind === 'masked' && added.from === null && added.to!.includes(`password: ${REDACTED}`)).toBe(true);
    expectNoSecret(added);
    expectNoSecret(maskSecretTexts(OLD, null));
  });

  it('withholds a Secret it cannot mask reliably: unparseable, aliases, too large', () => {
    expect(maskSecretTexts(`${OLD}  broken: [\n`, NEW)).toEqual({ kind: 'withheld' });
    expect(maskSecretTexts(OLD, 'kind: Secret\ndata:\n\tpassword: hunter2-OLDPASS-x1\n')).toEqual({ kind: 'withheld' });
    expect(maskSecretTexts('kind: Secret\ndata: &d {k: x}\nother: *d\n', null)).toEqual({ kind: 'withheld' });
    expect(maskSecretTexts(`kind: Secret\ndata: {k: "${'x'.repeat(2_100_000)}"}\n`, null)).toEqual({ kind: 'withheld' });
  });
});

describe('secret masking: other spellings of kind Secret', () => {
  it('finds a Secret whose kind is tagged, escaped or in a block scalar', () => {
    for (const kind of ['!!str Secret', '"Sec\\x72et"', '"\\u0053ecret"', '>-\n  Secret', '\n  Secret', "'Secret'"]) {
      const text = (value: string) => lines(`kind: ${kind}`, 'metadata: {name: odd}', `stringData: {token: ${value}}`);
      const masked = maskSecretTexts(text('hunter2-OLDPASS-x1'), text('CorrectHorseBattery99'));
      expect(masked.kind, kind).toBe('masked');
      expectNoSecret(masked);
      expectNoSecret(diffYamlFields(text('hunter2-OLDPASS-x1'), text('CorrectHorseBattery99')));
    }
  });

  it('does not look for Secrets in texts where the word only appears inside longer words', () => {
    // None of these can hold the value `Secret`; the texts are not parsed for masking at all.
    const deployment = lines(
      'kind: SealedSecret',
      'spec:',
      '  imagePullSecrets: [{name: regcred}]',
      '  env: [{name: A, valueFrom: {secretKeyRef: {name: s, key: k}}}]',
      '  provider: SecretProviderClass',
      '  token: x',
    );
    expect(maskSecretTexts(deployment, deployment.replace('token: x', 'token: y'))).toEqual({ kind: 'clean' });
    expect(maskSecretTexts('kind: Secret2\n', 'kind: MySecret\n')).toEqual({ kind: 'clean' });
    // At the very start of a text, next to punctuation or quotes, it is a word of its own.
    expect(maskSecretTexts('Secret: x\nkind: ConfigMap\n', null)).toEqual({ kind: 'clean' });
    const flow = (value: string) => `{kind: Secret, metadata: {name: f}, data: {k: ${value}}}\n`;
    expect(maskSecretTexts(flow('b2xk'), flow('bmV3')).kind).toBe('masked');
  });

  it('leaves texts that are not YAML alone unless they say kind: Secret', () => {
    expect(maskSecretTexts('#!/bin/sh\necho "a\\tb" | grep -E "^(x|y"\n', 'echo\n')).toEqual({ kind: 'clean' });
    expect(maskSecretTexts('Secret rotation: see {{ runbook\n', 'x\n')).toEqual({ kind: 'clean' });
    expect(maskSecretTexts('kind: Secret\n\tbroken\n', 'x\n')).toEqual({ kind: 'withheld' });
  });
});
