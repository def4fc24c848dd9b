/**
 * A repo whose targets share files (the Flux monorepo of decision 036): a rollback preview names the
 * other targets a plan changes, on every backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollbackPreviewSchema } from '#core/schemas.ts';
import { LAYOUT_FIXTURES } from '#tests/support/layout-fixtures.ts';
import type { FixtureCommit } from '#tests/support/layout-repo.ts';

export interface LayoutHarness {
  request(path: string, init?: RequestInit): Promise<Response>;
  /** shas of the bootstrap commit and then of each of FLUX_COMMITS. */
  shas: string[];
  close(): Promise<void>;
}

export const FLUX = LAYOUT_FIXTURES['flux-monorepo']!;
export const FLUX_COMMITS: FixtureCommit[] = [
  {
    message: 'podinfo: chart 6.6 in the base, production values\n',
    changes: {
      'apps/base/podinfo/release.yaml': 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\nspec:\n  chart: { spec: { version: "6.6.0" } }\n',
      'apps/production/podinfo-values.yaml': 'image:\n  tag: "6.6.0"\nreplicas: 2\n',
    },
  },
  { message: 'podinfo: production replicas\n', changes: { 'apps/production/podinfo-values.yaml': 'image:\n  tag: "6.6.0"\nreplicas: 4\n' } },
  {
    message: 'production: database credentials from a secretGenerator\n',
    changes: {
      'apps/production/kustomization.yaml': generatorKustomization('hunter2-literal'),
      'apps/production/db.env': 'DB_USER=podinfo\nDB_PASSWORD=correct-horse-env\n',
    },
  },
  {
    message: 'production: rotate the database credentials\n',
    changes: {
      'apps/production/kustomization.yaml': generatorKustomization('tr0ub4dor-literal'),
      'apps/production/db.env': 'DB_USER=podinfo\nDB_PASSWORD=battery-staple-env\n',
    },
  },
];

function generatorKustomization(password: string): string {
  return [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - ../base/podinfo',
    '  - ../base/redis',
    'secretGenerator:',
    '  - name: podinfo-db',
    '    literals:',
    '      - API_KEY=static-key-literal',
    `      - PASSWORD=${password}`,
    '    envs:',
    '      - db.env',
    '',
  ].join('\n');
}

/** Every secret value any commit of FLUX_COMMITS writes: none may ever be in a response. */
const SECRET_VALUES = ['hunter2-literal', 'tr0ub4dor-literal', 'static-key-literal', 'correct-horse-env', 'battery-staple-env'];

export function describeLayoutsContract(name: string, makeHarness: () => Promise<LayoutHarness>): void {
  describe(`layouts contract: ${name}`, () => {
    let api: LayoutHarness;
    beforeAll(async () => {
      api = await makeHarness();
    }, 120_000);
    afterAll(async () => api?.close());

    const preview = async (body: Record<string, unknown>) => {
      const response = await api.request('/api/targets/fleet/production/rollback-preview', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, await response.clone().text()).toBe(200);
      return rollbackPreviewSchema.parse(await response.json());
    };

    it('lists both environments of the Flux monorepo, apps/base in each', { timeout: 60_000 }, async () => {
      const response = await api.request('/api/targets');
      const { targets } = (await response.json()) as { targets: { tenant: string; environment: string }[] };
      expect(targets.map((t) => `${t.tenant}/${t.environment}`)).toEqual(['fleet/production', 'fleet/staging']);
    });

    it('a full rollback changing apps/base says it changes fleet/staging too', { timeout: 60_000 }, async () => {
      const seen = await preview({ mode: 'full', targetSha: api.shas[0] });
      expect(seen.files.map((f) => f.path).sort()).toEqual(['apps/base/podinfo/release.yaml', 'apps/production/db.env', 'apps/production/kustomization.yaml', 'apps/production/podinfo-values.yaml']);
      expect(seen.sharedWith).toEqual([{ path: 'apps/base/podinfo/release.yaml', targets: ['fleet/staging'] }]);
    });

    it('a rollback changing only production files names no other target', { timeout: 60_000 }, async () => {
      const seen = await preview({ mode: 'full', targetSha: api.shas[1] });
      expect(seen.files.map((f) => f.path).sort()).toEqual(['apps/production/db.env', 'apps/production/kustomization.yaml', 'apps/production/podinfo-values.yaml']);
      expect(seen.sharedWith).toBeUndefined();
    });

    const expectNoSecret = (body: string) => {
      for (const value of SECRET_VALUES) expect(body).not.toContain(value);
    };

    it('masks secretGenerator literals and the env file it reads in compare, whole-file views and fields', { timeout: 60_000 }, async () => {
      for (const query of ['', '&context=100000']) {
        const response = await api.request(`/api/targets/fleet/production/compare?from=${api.shas[3]}&to=${api.shas[4]}${query}`);
        const text = await response.text();
        expect(response.status, text).toBe(200);
        expectNoSecret(text);
        const diff = JSON.parse(text) as { files: { path: string; patch: string; redacted?: string }[]; fields: { file: string; redacted?: boolean }[] };
        const byPath = new Map(diff.files.map((f) => [f.path, f]));
        expect(byPath.get('apps/production/db.env')).toMatchObject({ redacted: 'values' });
        expect(byPath.get('apps/production/db.env')!.patch).toContain('+DB_PASSWORD=<redacted:changed>');
        expect(byPath.get('apps/production/db.env')!.patch).toContain('DB_USER=<redacted>');
        expect(byPath.get('apps/production/kustomization.yaml')).toMatchObject({ redacted: 'values' });
        expect(byPath.get('apps/production/kustomization.yaml')!.patch).toContain('PASSWORD=<redacted:changed>');
        for (const field of diff.fields.filter((f) => f.file === 'apps/production/kustomization.yaml')) expect(field.redacted).toBe(true);
      }
      const fields = await api.request(`/api/targets/fleet/production/compare/fields?from=${api.shas[3]}&to=${api.shas[4]}`);
      const text = await fields.text();
      expect(fields.status, text).toBe(200);
      expectNoSecret(text);
    });

    it('masks them in a rollback preview too', { timeout: 60_000 }, async () => {
      const response = await api.request('/api/targets/fleet/production/rollback-preview', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ mode: 'full', targetSha: api.shas[3] }),
      });
      const text = await response.text();
      expect(response.status, text).toBe(200);
      expectNoSecret(text);
      expect(text).toContain('<redacted:changed>');
    });
  });
}
