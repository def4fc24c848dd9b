import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyPath } from '#core/target-config.ts';
import { LAYOUT_FIXTURES } from '#tests/support/layout-fixtures.ts';
import { parseConfig } from './load-config.ts';
import { resolveTargets } from './resolve-targets.ts';

const example = (name: string) => parseConfig(readFileSync(`docs/examples/${name}.rewind.config.yaml`, 'utf8'), name);

describe('every common layout, with its docs example', () => {
  for (const [name, fixture] of Object.entries(LAYOUT_FIXTURES)) {
    it(`${name}: finds exactly its targets and services, and says what they share`, () => {
      const files = Object.keys(fixture.files);
      const { targets, shared, warnings } = resolveTargets(example(fixture.example), files);
      expect(Object.fromEntries(targets.map((t) => [`${t.tenant}/${t.environment}`, t.layout.services.map((s) => s.name)]))).toEqual(fixture.targets);
      expect(shared.map((g) => g.targets.join(', '))).toEqual(fixture.shared);
      // Every file of a target that a service does not own is a binding, variables or other file of it.
      for (const target of targets) {
        for (const service of target.layout.services) expect(files.some((f) => classifyPath(target.layout, f).service === service.name), service.name).toBe(true);
      }
      expect(warnings.filter((w) => !w.startsWith('targets ') || !w.includes(' share '))).toEqual([]);
      expect(warnings.filter((w) => w.includes(' share ')).length).toBe(fixture.shared.length);
    });
  }

  it('Flux monorepo: apps/base is shared by every environment, never a target of its own', () => {
    const { targets, warnings } = resolveTargets(example('flux'), Object.keys(LAYOUT_FIXTURES['flux-monorepo']!.files));
    const prod = targets.find((t) => t.environment === 'production')!;
    expect(prod.layout.services.find((s) => s.name === 'podinfo')!.paths).toEqual(['apps/production/podinfo-values.yaml', 'apps/base/podinfo/']);
    expect(classifyPath(prod.layout, 'apps/production/kustomization.yaml').kind).toBe('binding');
    expect(classifyPath(prod.layout, 'clusters/production/apps.yaml').kind).toBe('binding');
    expect(warnings).toEqual([
      'targets fleet/production, fleet/staging share 4 files (apps/base/podinfo/kustomization.yaml, apps/base/podinfo/release.yaml, apps/base/redis/kustomization.yaml and 1 more): rolling back one changes the others too',
    ]);
  });

  it('the old Flux pattern on a monorepo: `environments:` skips apps/base with a warning', () => {
    const config = parseConfig(
      'targets:\n  pattern:\n    tenant: fleet\n    environments: "clusters/{environment}/"\n    services: "apps/{environment}/{service}/"\n',
      'c.yaml',
    );
    const { targets, warnings } = resolveTargets(config, Object.keys(LAYOUT_FIXTURES['flux-monorepo']!.files));
    expect(targets.map((t) => t.environment)).toEqual(['production', 'staging']);
    expect(warnings).toContain('targets.pattern: skipped fleet/base: apps/{environment}/{service}/ matches it, but environments (clusters/{environment}/) does not find it');
    expect(warnings).toContain('target fleet/production: no service found (only full rollbacks)');
  });

  it('exclude: keeps files out of discovery', () => {
    const files = ['apps/base/web/a.yaml', 'apps/prod/web/a.yaml'];
    const config = (exclude: string) => parseConfig(`targets:\n  pattern:\n    tenant: t\n    services: "apps/{environment}/{service}/"\n${exclude}`, 'c.yaml');
    expect(resolveTargets(config(''), files).targets.map((t) => t.environment)).toEqual(['base', 'prod']);
    expect(resolveTargets(config('    exclude: ["apps/base/**"]\n'), files).targets.map((t) => t.environment)).toEqual(['prod']);
  });

  it('warns about every skipped name, also in a file name', () => {
    const config = parseConfig('targets:\n  pattern:\n    tenant: t\n    services: "env/{environment}/{service}.yaml"\n', 'c.yaml');
    const { targets, warnings } = resolveTargets(config, ['env/prod/web.yaml', 'env/prod/Web_Old.yaml', 'env/QA/web.yaml']);
    expect(targets.map((t) => `${t.environment}:${t.layout.services.map((s) => s.name).join()}`)).toEqual(['prod:web']);
    expect(warnings).toEqual([
      'targets.pattern: skipped service "Web_Old" (env/prod/Web_Old.yaml): names must be lowercase DNS labels ([a-z0-9-], at most 63)',
      'targets.pattern: skipped environment "QA" (env/QA/web.yaml): names must be lowercase DNS labels ([a-z0-9-], at most 63)',
    ]);
  });

  it('refuses a pattern without a tenant or environment, or one fixed and placed at once', () => {
    expect(() => parseConfig('targets:\n  pattern:\n    tenant: t\n    services: "apps/{service}/"\n', 'c.yaml')).toThrow(/put \{environment\} in services or environments, or set a fixed `environment:`/);
    expect(() => parseConfig('targets:\n  pattern:\n    environment: prod\n    services: "apps/{service}/"\n', 'c.yaml')).toThrow(/put \{tenant\} in services, or set a fixed `tenant:`/);
    expect(() => parseConfig('targets:\n  pattern:\n    tenant: t\n    environment: prod\n    services: "apps/{environment}/{service}/"\n', 'c.yaml')).toThrow(/environment is fixed here/);
    expect(() => parseConfig('targets:\n  pattern:\n    tenant: t\n    environment: prod\n    services: "apps/x/"\n', 'c.yaml')).toThrow(/must contain \{service\}/);
  });
});
