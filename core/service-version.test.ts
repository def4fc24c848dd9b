import { describe, expect, it } from 'vitest';
import { describeVersionChange, readServiceVersion, readVersions, splitImageReference } from './service-version.ts';

const values = (tag: string) => `image:\n  repository: registry.example.com/acme/payments\n  tag: "${tag}"\nreplicaCount: 2\n`;

describe('splitImageReference', () => {
  it.each([
    ['nginx:1.27', 'nginx', '1.27'],
    ['registry:5000/team/app:v1.2', 'registry:5000/team/app', 'v1.2'],
    ['registry:5000/team/app', 'registry:5000/team/app', null],
    ['ghcr.io/a/b:v3@sha256:0123456789abcdef0123456789abcdef', 'ghcr.io/a/b', 'v3'],
    ['ghcr.io/a/b@sha256:0123456789abcdef0123456789abcdef', 'ghcr.io/a/b', 'sha256:0123456789ab'],
  ])('%s', (reference, repository, version) => {
    expect(splitImageReference(reference)).toEqual({ repository, version });
  });
});

describe('readVersions', () => {
  it('reads image.tag from Helm values, with its repository', () => {
    expect(readVersions('services/payments/values.yaml', values('v2.13.14'))).toEqual([
      { version: 'v2.13.14', source: 'helm-values', file: 'services/payments/values.yaml', field: 'image.tag', image: 'registry.example.com/acme/payments' },
    ]);
  });

  it('keeps a numeric tag as YAML reads it', () => {
    expect(readVersions('values.yaml', 'image:\n  tag: 1.5\n')[0]?.version).toBe('1.5');
  });

  it('reads container images and version labels of every workload document', () => {
    const manifest = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      '  labels:',
      '    app.kubernetes.io/version: "4.11.0"',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: registry.example.com/web:v4.11.0',
      '        - name: proxy',
      '          image: envoyproxy/envoy:v1.31.0',
      '---',
      'apiVersion: batch/v1',
      'kind: CronJob',
      'metadata: { name: cleanup }',
      'spec:',
      '  jobTemplate:',
      '    spec:',
      '      template:',
      '        spec:',
      '          containers: [{ name: cleanup, image: "tools/cleanup:2024.1" }]',
    ].join('\n');
    expect(readVersions('deploy.yaml', manifest).map((r) => [r.source, r.field, r.version])).toEqual([
      ['container-image', 'containers[web].image', 'v4.11.0'],
      ['container-image', 'containers[proxy].image', 'v1.31.0'],
      ['label', 'labels.app.kubernetes.io/version', '4.11.0'],
      ['container-image', 'containers[cleanup].image', '2024.1'],
    ]);
  });

  it('reads Kustomize images, Flux HelmReleases and Chart.yaml', () => {
    const kustomization = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n  - name: payments\n    newTag: v2.13.12\n';
    expect(readVersions('kustomization.yaml', kustomization).map((r) => r.version)).toEqual(['v2.13.12']);
    const release = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nspec:\n  chart:\n    spec:\n      chart: podinfo\n      version: 6.7.1\n  values:\n    image:\n      tag: 6.7.1-rc\n';
    expect(readVersions('release.yaml', release).map((r) => [r.source, r.field, r.version])).toEqual([
      ['helm-release', 'spec.values.image.tag', '6.7.1-rc'],
      ['chart', 'spec.chart.spec.version', '6.7.1'],
    ]);
    expect(readVersions('charts/app/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 0.3.0\nappVersion: "1.9.2"\n')[0]?.version).toBe('1.9.2');
  });

  it('reads a file only when it names an image, version, tag or digest', () => {
    expect(readVersions('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\ndata:\n  level: debug\n')).toEqual([]);
    expect(readVersions('d.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels: { app.kubernetes.io/version: "3.1" }\n')[0]?.version).toBe('3.1');
    expect(readVersions('k.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n  - name: a\n    digest: sha256:abc\n')[0]?.version).toBe('sha256:abc');
    expect(readVersions('Chart.yaml', 'name: a\nappVersion: "1.2"\n')[0]?.version).toBe('1.2');
  });

  it('finds nothing in other kinds, non-YAML files, oversized or unparseable YAML', () => {
    expect(readVersions('cm.yaml', 'kind: ConfigMap\ndata:\n  image:\n    tag: v1\n')).toEqual([]);
    expect(readVersions('notes.txt', values('v1'))).toEqual([]);
    expect(readVersions('values.yaml', `${values('v1')}#${'x'.repeat(300_000)}\n`)).toEqual([]);
    expect(readVersions('values.yaml', 'image: [unclosed')).toEqual([]);
  });
});

describe('readServiceVersion', () => {
  it('prefers Helm values over labels and the image named like the service over a sidecar', () => {
    const deployment = 'kind: Deployment\nmetadata:\n  labels: { version: "9" }\nspec:\n  template:\n    spec:\n      containers:\n        - { name: istio, image: "istio/proxyv2:1.22" }\n        - { name: payments, image: "acme/payments:v2.13.12" }\n';
    const fromWorkload = readServiceVersion('payments', [['a/deployment.yaml', deployment]]);
    expect(fromWorkload).toMatchObject({ known: true, version: 'v2.13.12', reading: { field: 'containers[payments].image' } });
    const withValues = readServiceVersion('payments', [['a/deployment.yaml', deployment], ['a/values.yaml', values('v2.13.14')]]);
    expect(withValues).toMatchObject({ known: true, version: 'v2.13.14', reading: { file: 'a/values.yaml', source: 'helm-values' } });
    expect(withValues.known && withValues.others.map((r) => r.version)).toEqual(['v2.13.12', '1.22', '9']);
  });

  it('says why a service has no version', () => {
    expect(readServiceVersion('payments', [['a/configmap.yaml', 'kind: ConfigMap\ndata: {}\n']])).toEqual({
      known: false,
      reason: 'no image tag, chart version or version label in its manifests',
    });
    expect(readServiceVersion('payments', [['a/README.md', '# payments']])).toEqual({ known: false, reason: 'no manifests' });
  });

  it('describes a change between two revisions', () => {
    const from = readServiceVersion('payments', [['v.yaml', values('2.13.14')]]);
    const to = readServiceVersion('payments', [['v.yaml', values('2.13.12')]]);
    expect(describeVersionChange(from, to)).toBe('2.13.14 → 2.13.12');
    expect(describeVersionChange(to, to)).toBe('2.13.12');
    expect(describeVersionChange(from, readServiceVersion('payments', []))).toBeNull();
  });
});
