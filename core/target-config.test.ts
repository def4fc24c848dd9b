import { describe, expect, it } from 'vitest';
import { classifyPath, defaultLayout, matchesPathspec, servicesTouched } from './target-config.ts';

describe('pathspecs', () => {
  it.each([
    ['tenants/acme/', 'tenants/acme/production/x.yaml', true],
    ['tenants/acme/', 'tenants/acme-corp/x.yaml', false],
    ['apps/*/overlays/production/', 'apps/web/overlays/production/', false],
    ['apps/*/overlays/production/**', 'apps/web/overlays/production/kustomization.yaml', true],
    ['apps/*/overlays/production/**', 'apps/web/base/kustomization.yaml', false],
    ['clusters/production/*.yaml', 'clusters/production/flux.yaml', true],
    ['clusters/production/*.yaml', 'clusters/production/sub/flux.yaml', false],
    ['**/values.yaml', 'a/b/c/values.yaml', true],
    ['**/values.yaml', 'values.yaml', true],
    ['apps/web/values.yaml', 'apps/web/values.yaml', true],
    ['apps/web/values.yaml', 'apps/web/values.yaml.bak', false],
    ['apps/web.v1/', 'apps/webXv1/x', false],
    ['apps/(x)/', 'apps/(x)/y', true],
  ])('%s matches %s: %s', (spec, path, expected) => {
    expect(matchesPathspec(spec, path)).toBe(expected);
  });
});

describe('default layout', () => {
  const layout = defaultLayout('acme', 'production', ['payments', 'web']);
  it('classifies services, bindings, variables and others', () => {
    expect(classifyPath(layout, 'tenants/acme/production/services/payments/values.yaml')).toEqual({ kind: 'service', service: 'payments' });
    expect(classifyPath(layout, 'tenants/acme/production/kustomization.yaml')).toEqual({ kind: 'binding', service: null });
    expect(classifyPath(layout, 'tenants/acme/production/variables.yaml')).toEqual({ kind: 'variables', service: null });
    expect(classifyPath(layout, 'tenants/acme/production/README.md')).toEqual({ kind: 'other', service: null });
  });
  it('lists touched services in layout order', () => {
    expect(servicesTouched(layout, ['tenants/acme/production/services/web/a.yaml', 'tenants/acme/production/services/payments/b.yaml'])).toEqual(['payments', 'web']);
  });
});
