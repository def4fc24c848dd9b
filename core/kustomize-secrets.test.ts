import { describe, expect, it } from 'vitest';
import { ancestorKustomizationPaths, kustomizationPathspecs, maskKustomizeTexts, referencedKustomizationPaths, secretGeneratorSources } from './kustomize-secrets.ts';

const kustomization = (literals: string[], extra = '') =>
  `kind: Kustomization\nsecretGenerator:\n  - name: db\n    literals:\n${literals.map((l) => `      - ${l}\n`).join('')}${extra}`;

describe('secretGeneratorSources', () => {
  it('resolves envs, env and files (with or without a key) relative to the kustomization', () => {
    const text = 'secretGenerator:\n  - name: a\n    envs: [db.env, ../shared/common.env]\n    env: old.env\n    files: [tls.crt, key=certs/tls.key]\nconfigMapGenerator:\n  - name: c\n    envs: [config.env]\n';
    expect([...secretGeneratorSources([['apps/prod/kustomization.yaml', text]])].sort()).toEqual([
      'apps/prod/certs/tls.key',
      'apps/prod/db.env',
      'apps/prod/old.env',
      'apps/prod/tls.crt',
      'apps/shared/common.env',
    ]);
  });

  it('ignores paths leaving the repo, absolute paths and unparseable kustomizations', () => {
    expect([...secretGeneratorSources([['kustomization.yaml', 'secretGenerator:\n  - envs: [../../x.env, /etc/passwd]\n']])]).toEqual([]);
    expect([...secretGeneratorSources([['kustomization.yaml', 'secretGenerator: [\n']])]).toEqual([]);
  });

  it('finds the kustomizations under a target', () => {
    expect(kustomizationPathspecs(['apps/prod/', 'apps/base/kustomization.yaml', 'x.yaml'])).toEqual([
      'apps/prod/**/kustomization.yaml',
      'apps/prod/**/kustomization.yml',
      'apps/prod/**/Kustomization',
      'apps/base/kustomization.yaml',
    ]);
  });
});

describe('maskKustomizeTexts', () => {
  it('masks literal values, marking the changed ones, and keeps their keys', () => {
    const masked = maskKustomizeTexts('k/kustomization.yaml', kustomization(['USER=app', 'PASSWORD=old']), kustomization(['USER=app', 'PASSWORD=new', 'TOKEN=t']), new Set());
    expect(masked).toEqual({
      kind: 'masked',
      from: kustomization(['"USER=<redacted>"', '"PASSWORD=<redacted>"']),
      to: kustomization(['"USER=<redacted>"', '"PASSWORD=<redacted:changed>"', '"TOKEN=<redacted>"']),
    });
  });

  it('masks an env file a generator reads line by line, and withholds any other source', () => {
    const sources = new Set(['k/db.env', 'k/tls.key']);
    expect(maskKustomizeTexts('k/db.env', '# db\nUSER=app\nPASS=a\n', 'USER=app\nPASS=b\n', sources)).toEqual({
      kind: 'masked',
      from: '# db\nUSER=<redacted>\nPASS=<redacted>\n',
      to: 'USER=<redacted>\nPASS=<redacted:changed>\n',
    });
    expect(maskKustomizeTexts('k/tls.key', null, '-----BEGIN PRIVATE KEY-----\nabc\n', sources)).toEqual({ kind: 'withheld' });
  });

  it('leaves other files alone, and withholds a generator it cannot parse', () => {
    expect(maskKustomizeTexts('k/values.yaml', 'a: 1\n', 'a: 2\n', new Set())).toEqual({ kind: 'clean' });
    expect(maskKustomizeTexts('k/kustomization.yaml', null, 'secretGenerator: [\n', new Set())).toEqual({ kind: 'withheld' });
    expect(maskKustomizeTexts('k/kustomization.yaml', null, 'secretGenerator:\n  - name: x\n    literals: &a [A=b]\nother: *a\n', new Set())).toEqual({ kind: 'withheld' });
  });
});

describe('kustomizations outside the target (decision 042)', () => {
  const names = (dir: string) => ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((n) => (dir ? `${dir}/${n}` : n));

  it('names the kustomization files of every directory above the target paths, up to the root', () => {
    expect(ancestorKustomizationPaths(['tenants/acme/prod/', 'shared/*.yaml'])).toEqual([...names(''), ...names('shared'), ...names('tenants'), ...names('tenants/acme'), ...names('tenants/acme/prod')]);
  });

  it('follows resources, components and bases to directories, not to files or URLs', () => {
    const overlay = 'resources:\n  - ../../base/web\n  - deployment.yaml\n  - https://example.com/x\ncomponents: [../../components/tls]\nbases: [/abs]\n';
    const known = new Set(names('apps/base/web').slice(1));
    expect(referencedKustomizationPaths([['apps/web/prod/kustomization.yaml', overlay]], known)).toEqual([...names('apps/components/tls'), 'apps/base/web/kustomization.yaml'].sort());
    expect(referencedKustomizationPaths([['k/kustomization.yaml', 'resources: [../..]\n']], new Set())).toEqual([]);
  });
});
