/**
 * Generated infra repos, one per common layout (decision 036), with what Rewind must find in each:
 * the docs example config of the layout, its targets and services, and the files they share. Used by
 * the target discovery tests and the `rewind check` / `rewind init` tests (as real git repos).
 */
const deployment = (name: string, image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: ${name}\n          image: ${image}\n`;
const kustomization = (resources: string[]) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}\n`).join('')}`;
const helmValues = (tag: string, replicas = 2) => `image:\n  tag: "${tag}"\nreplicas: ${replicas}\n`;
const chart = (name: string) => `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n`;
const fluxKustomization = (name: string, path: string) =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ${path}\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n`;

export interface LayoutFixture {
  /** docs/examples/<example>.rewind.config.yaml */
  example: string;
  files: Record<string, string>;
  /** `tenant/environment` → its services, sorted. */
  targets: Record<string, string[]>;
  /** Target sets sharing files (sorted keys joined by ", "), when the layout shares any. */
  shared: string[];
  /** What `rewind init` must recognise: the name of the layout it proposes. */
  recognisedAs: string;
}

const ENVS = ['production', 'staging'];

export const LAYOUT_FIXTURES: Record<string, LayoutFixture> = {
  tenants: {
    example: 'tenants-layout',
    files: Object.fromEntries(
      ['acme', 'globex'].flatMap((tenant) =>
        ENVS.flatMap((env) => [
          [`tenants/${tenant}/${env}/kustomization.yaml`, kustomization(['services/web', 'services/api'])],
          [`tenants/${tenant}/${env}/variables.yaml`, `logLevel: info\n`],
          [`tenants/${tenant}/${env}/services/web/values.yaml`, helmValues('v1.0.0')],
          [`tenants/${tenant}/${env}/services/api/values.yaml`, helmValues('v2.0.0')],
        ]),
      ),
    ),
    targets: { 'acme/production': ['api', 'web'], 'acme/staging': ['api', 'web'], 'globex/production': ['api', 'web'], 'globex/staging': ['api', 'web'] },
    shared: [],
    recognisedAs: 'tenants',
  },
  'env-first': {
    example: 'env-first',
    files: Object.fromEntries(
      ENVS.flatMap((env) => [
        [`apps/${env}/kustomization.yaml`, kustomization(['web', 'api'])],
        [`apps/${env}/config.env`, 'LOG_LEVEL=info\n'],
        [`apps/${env}/web/deployment.yaml`, deployment('web', 'web:1.0.0')],
        [`apps/${env}/api/deployment.yaml`, deployment('api', 'api:2.0.0')],
      ]),
    ),
    targets: { 'shop/production': ['api', 'web'], 'shop/staging': ['api', 'web'] },
    shared: [],
    recognisedAs: 'env-first',
  },
  'service-first': {
    example: 'service-first',
    files: Object.fromEntries(
      ['web', 'api'].flatMap((service) => [
        [`apps/${service}/base/deployment.yaml`, deployment(service, `${service}:1.0.0`)],
        [`apps/${service}/base/kustomization.yaml`, kustomization(['deployment.yaml'])],
        ...ENVS.map((env) => [`apps/${service}/overlays/${env}/kustomization.yaml`, kustomization(['../../base'])]),
      ]),
    ),
    targets: { 'shop/production': ['api', 'web'], 'shop/staging': ['api', 'web'] },
    shared: [],
    recognisedAs: 'service-first',
  },
  'flux-monorepo': {
    example: 'flux',
    files: {
      ...Object.fromEntries(
        ENVS.flatMap((env) => [
          [`clusters/${env}/flux-system/gotk-sync.yaml`, fluxKustomization('flux-system', `./clusters/${env}`)],
          [`clusters/${env}/apps.yaml`, fluxKustomization('apps', `./apps/${env}`)],
          [`apps/${env}/kustomization.yaml`, kustomization(['../base/podinfo', '../base/redis'])],
          [`apps/${env}/podinfo-values.yaml`, helmValues(env === 'production' ? '6.5.0' : '6.6.0')],
        ]),
      ),
      'apps/base/podinfo/kustomization.yaml': kustomization(['release.yaml']),
      'apps/base/podinfo/release.yaml': 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\n',
      'apps/base/redis/kustomization.yaml': kustomization(['deployment.yaml']),
      'apps/base/redis/deployment.yaml': deployment('redis', 'redis:7.2'),
    },
    targets: { 'fleet/production': ['podinfo', 'redis'], 'fleet/staging': ['podinfo', 'redis'] },
    shared: ['fleet/production, fleet/staging'],
    recognisedAs: 'flux-monorepo',
  },
  'argocd-apps': {
    example: 'argocd-apps',
    files: {
      'apps/podinfo/Chart.yaml': chart('podinfo'),
      'apps/podinfo/values.yaml': helmValues('6.5.0'),
      'apps/podinfo/templates/deployment.yaml': deployment('podinfo', '{{ .Values.image.tag }}'),
      'apps/guestbook/kustomization.yaml': kustomization(['deployment.yaml']),
      'apps/guestbook/deployment.yaml': deployment('guestbook', 'guestbook:0.1'),
      'apps/redis/deployment.yaml': deployment('redis', 'redis:7.2'),
      'apps/redis/README.md': '# redis\n',
    },
    targets: { 'fleet/production': ['guestbook', 'podinfo', 'redis'] },
    shared: [],
    recognisedAs: 'argocd-apps',
  },
  'argocd-helm-envs': {
    example: 'argocd-helm-envs',
    files: Object.fromEntries(
      ['podinfo', 'web'].flatMap((app) => [
        [`apps/${app}/Chart.yaml`, chart(app)],
        [`apps/${app}/values.yaml`, helmValues('1.0.0')],
        [`apps/${app}/templates/deployment.yaml`, deployment(app, '{{ .Values.image.tag }}')],
        ...ENVS.map((env) => [`apps/${app}/values-${env}.yaml`, helmValues(env === 'production' ? '1.0.0' : '1.1.0')]),
      ]),
    ),
    targets: { 'shop/production': ['podinfo', 'web'], 'shop/staging': ['podinfo', 'web'] },
    shared: ['shop/production, shop/staging'],
    recognisedAs: 'argocd-helm-envs',
  },
  'helm-values': {
    example: 'helm-values',
    files: {
      ...Object.fromEntries(['web', 'api'].flatMap((s) => [[`charts/${s}/Chart.yaml`, chart(s)], [`charts/${s}/templates/deployment.yaml`, deployment(s, '{{ .Values.image.tag }}')]])),
      ...Object.fromEntries(
        ENVS.flatMap((env) => [
          [`environments/${env}/global.yaml`, 'region: eu-west-1\n'],
          [`environments/${env}/web.yaml`, helmValues('1.0.0')],
          [`environments/${env}/api.yaml`, helmValues('2.0.0')],
        ]),
      ),
    },
    targets: { 'shop/production': ['api', 'web'], 'shop/staging': ['api', 'web'] },
    shared: ['shop/production, shop/staging'],
    recognisedAs: 'helm-values',
  },
};
