/**
 * Versions, revision details, roll-forward hints and incidents (issue 12), written once and run
 * against every backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDemoStory } from '#demo/demo-data.ts';
import { historyResponseSchema, targetResponseSchema } from '#core/schemas.ts';
import type { ApiHarness } from './harness.ts';

export function describeIncidentContract(name: string, makeHarness: () => Promise<ApiHarness>): void {
  describe(`incident contract: ${name}`, () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await makeHarness();
    }, 120_000);
    afterAll(async () => api?.close());

    const story = () => findDemoStory(api.repo);

    describe('versions', () => {
      it('gives each history row the versions of the services it changed, with where they were read', { timeout: 30_000 }, async () => {
        const history = historyResponseSchema.parse(await (await api.request('/api/targets/acme/production/history?limit=5')).json());
        const failed = history.revisions.find((r) => r.sha === api.shaOf(story().paymentsFailedRelease.id))!;
        expect(failed.versions).toEqual([
          {
            service: 'payments',
            from: expect.objectContaining({ known: true, version: 'v2.13.14', field: 'image.tag' }),
            to: expect.objectContaining({ known: true, version: 'v2.14.0', file: 'tenants/acme/production/services/payments/values.yaml' }),
          },
        ]);
        for (const revision of history.revisions) expect(revision.versions?.map((v) => v.service)).toEqual(revision.services);
      });

      it('gives the target every service version at its head', { timeout: 30_000 }, async () => {
        const { target } = targetResponseSchema.parse(await (await api.request('/api/targets/acme/production')).json());
        const payments = target.versions?.find((v) => v.service === 'payments');
        expect(payments?.version).toMatchObject({ known: true, version: 'v2.14.0', source: 'helm-values' });
        expect(target.versions?.length).toBe(api.repo.targets.find((t) => t.tenant === 'acme' && t.environment === 'production')!.layout.services.length);
      });

      it('says why a version is unknown instead of guessing', { timeout: 30_000 }, async () => {
        const sha = await api.appendCommit({
          timestamp: '2026-11-20T15:59:00.000Z',
          author: { name: 'Sam Rivera', email: 'sam@example.com' },
          message: 'payments: move to a plain ConfigMap\n',
          changes: { 'tenants/acme/production/services/payments/values.yaml': 'kind: ConfigMap\ndata: {}\n' },
        });
        const history = historyResponseSchema.parse(await (await api.request('/api/targets/acme/production/history?limit=1')).json());
        expect(history.revisions[0]?.sha).toBe(sha);
        expect(history.revisions[0]?.versions?.[0]).toMatchObject({
          service: 'payments',
          from: { known: true, version: 'v2.14.0' },
          to: { known: false, reason: 'no image tag, chart version or version label in its manifests' },
        });
      });
    });
  });
}
