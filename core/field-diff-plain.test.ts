// The field diff reads plain manifests with core/yaml-plain-values.ts instead of yaml's parser; these
// check that the field changes are the very ones yaml's parse gives (the reader switched off by a mock).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearTextCaches } from './yaml-documents.ts';
import { diffYamlFieldsDetailed } from './field-diff.ts';

/** The field diff with yaml's parser only: the plain reader declines everything. */
async function yamlOnlyDiff(): Promise<typeof diffYamlFieldsDetailed> {
  vi.resetModules();
  vi.doMock('./yaml-plain-values.ts', () => ({ readPlainYaml: () => null }));
  const module = await import('./field-diff.ts');
  return module.diffYamlFieldsDetailed;
}

afterEach(() => {
  vi.doUnmock('./yaml-plain-values.ts');
  vi.resetModules();
  clearTextCaches();
});

const deployment = (name: string, image: string, replicas: number) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    '  labels:',
    `    app.kubernetes.io/name: ${name}`,
    'spec:',
    `  replicas: ${replicas}`,
    '  template:',
    '    spec:',
    '      containers:',
    `      - name: ${name}`,
    `        image: ${image}`,
    '        env:',
    '        - name: LOG_LEVEL',
    '          value: info',
    '        - name: TIMEOUT',
    '          value: "30"',
    '',
  ].join('\n');
const secret = (token: string) => ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: creds', 'stringData:', `  token: ${token}`, ''].join('\n');

describe('field diff of plain manifests', () => {
  it('a multi-document file with one changed document gives the fields of a full parse', async () => {
    const docs = Array.from({ length: 30 }, (_, i) => deployment(`svc-${i}`, `registry.example.com/svc-${i}:v1.0.${i}`, 2));
    const from = docs.map((d) => `---\n${d}`).join('');
    const edited = [...docs];
    edited[17] = deployment('svc-17', 'registry.example.com/svc-17:v1.1.0', 3);
    const to = edited.map((d) => `---\n${d}`).join('');

    const fast = diffYamlFieldsDetailed(from, to);
    const full = diffYamlFieldsDetailed(from, to, { perDocument: false });
    const yamlOnly = (await yamlOnlyDiff())(from, to, { perDocument: false });
    expect(fast.changes.map((c) => c.path)).toEqual([
      ['[kind=Deployment,name=svc-17]', 'spec', 'replicas'],
      ['[kind=Deployment,name=svc-17]', 'spec', 'template', 'spec', 'containers', '[name=svc-17]', 'image'],
    ]);
    expect(fast).toEqual(full);
    expect(fast).toEqual(yamlOnly);
  });

  it('a single large values file with scattered value edits, and a masked Secret, as yaml gives them', async () => {
    const values = (edit: boolean) =>
      Array.from({ length: 200 }, (_, i) => deployment(`svc-${i}`, `img:${edit && i % 13 === 0 ? 'v2' : 'v1'}`, edit && i % 29 === 0 ? 5 : 2))
        .map((d) => `${d.trimEnd().replace(/^/gm, '  ').replace(/^ {2}apiVersion/m, '- apiVersion')}\n`)
        .join('');
    const from = `services:\n${values(false)}---\n${secret('old-value')}`;
    const to = `services:\n${values(true)}---\n${secret('new-value')}`;
    const fast = diffYamlFieldsDetailed(from, to);
    const yamlOnly = (await yamlOnlyDiff())(from, to);
    expect(fast.changes.length).toBeGreaterThan(20);
    expect(fast.changes.at(-1)).toEqual({ path: ['[kind=Secret,name=creds]', 'stringData', 'token'], from: '<redacted>', to: '<redacted:changed>', redacted: true });
    expect(fast).toEqual(yamlOnly);
  });
});
