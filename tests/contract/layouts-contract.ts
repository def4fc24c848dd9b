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
];

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
      expect(seen.files.map((f) => f.path).sort()).toEqual(['apps/base/podinfo/release.yaml', 'apps/production/podinfo-values.yaml']);
      expect(seen.sharedWith).toEqual([{ path: 'apps/base/podinfo/release.yaml', targets: ['fleet/staging'] }]);
    });

    it('a rollback changing only production files names no other target', { timeout: 60_000 }, async () => {
      const seen = await preview({ mode: 'full', targetSha: api.shas[1] });
      expect(seen.files.map((f) => f.path)).toEqual(['apps/production/podinfo-values.yaml']);
      expect(seen.sharedWith).toBeUndefined();
    });
  });
}
