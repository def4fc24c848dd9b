/**
 * Versions, revision details, roll-forward hints and incidents (issue 12), written once and run
 * against every backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDemoStory } from '#demo/demo-data.ts';
import { revisionDetailSchema, errorBodySchema, incidentReportResponseSchema, historyResponseSchema, rollbackListResponseSchema, rollbackPreviewSchema, rollbackRequestResponseSchema, targetResponseSchema } from '#core/schemas.ts';
import type { ApiHarness } from './harness.ts';

export function describeIncidentContract(name: string, makeHarness: () => Promise<ApiHarness>): void {
  describe(`incident contract: ${name}`, () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await makeHarness();
    }, 120_000);
    afterAll(async () => api?.close());

    const story = () => findDemoStory(api.repo);

    const as = (email: string, init: RequestInit = {}) => ({ ...init, headers: { 'X-Forwarded-Email': email, ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...init.headers } });
    const post = (path: string, email: string, body: unknown) => api.request(path, as(email, { method: 'POST', body: JSON.stringify(body) }));
    const requester = () => api.repo.users.find((u) => u.roles.includes('requester'))!.email;

    describe('revision details', () => {
      const detail = async (sha: string, target = 'acme/production') => {
        const response = await api.request(`/api/targets/${target}/revisions/${sha}`);
        return { status: response.status, body: (await response.json()) as unknown };
      };

      it('gives the full message, trailers, versions, outcome and the rollback that undid it', { timeout: 60_000 }, async () => {
        const { checkoutFailedRelease, checkoutRollback, checkoutRollbackTarget } = story();
        const { status, body } = await detail(api.shaOf(checkoutFailedRelease.id).slice(0, 10));
        expect(status).toBe(200);
        const parsed = revisionDetailSchema.parse(body);
        expect(parsed.revision.sha).toBe(api.shaOf(checkoutFailedRelease.id));
        expect(parsed.message).toBe(checkoutFailedRelease.message);
        expect(parsed.revision.status).toBe('rolled-back');
        expect(parsed.deployment.outcome).toBe('failed');
        expect(parsed.revision.versions?.map((v) => v.service)).toEqual(parsed.revision.services);
        expect(parsed.undoneBy).toEqual({ sha: api.shaOf(checkoutRollback.id), request: { id: checkoutRollback.rollback!.requestId } });
        expect(parsed.isHead).toBe(false);
        expect(parsed.previous).not.toBeNull();
        // The rollback commit names the request that made it, and its trailers are listed.
        const rollback = revisionDetailSchema.parse((await detail(api.shaOf(checkoutRollback.id))).body);
        expect(rollback.madeBy?.id).toBe(checkoutRollback.rollback!.requestId);
        expect(rollback.revision.rollback?.targetSha).toBe(api.shaOf(checkoutRollbackTarget.id));
        expect(rollback.trailers.find((t) => t.key === 'Mode')?.value).toBe('service');
      });

      it('says the current failed release is the head, with no undoing', { timeout: 60_000 }, async () => {
        const parsed = revisionDetailSchema.parse((await detail(api.shaOf(story().paymentsFailedRelease.id))).body);
        expect(parsed.isHead).toBe(true);
        expect(parsed.revision.status).toBe('failed');
        expect(parsed.deployment.outcome).toBe('failed');
        expect(parsed.undoneBy).toBeUndefined();
      });

      it('answers 404 for a revision of another target and 400 for a malformed one', { timeout: 60_000 }, async () => {
        const other = await detail(api.shaOf(story().globexRollback.id));
        expect(other.status).toBe(404);
        expect(errorBodySchema.parse(other.body).error.message).toMatch(/is not in the history of acme\/production/);
        expect((await detail('not-a-sha')).status).toBe(400);
        expect((await detail('0123456789abcdef0123456789abcdef01234567')).status).toBe(404);
      });
    });

    describe('roll-forward hints', () => {
      it('are in the preview with the versions, and recorded with the request', { timeout: 60_000 }, async () => {
        const targetSha = api.shaOf(story().checkoutFailedRelease.id);
        const response = await post('/api/targets/acme/production/rollback-preview', requester(), { mode: 'full', targetSha });
        expect(response.status).toBe(200);
        const preview = rollbackPreviewSchema.parse(await response.json());
        const kinds = preview.hints?.map((h) => h.kind);
        // The checkout release was undone by a service rollback, and it is ten days old.
        expect(kinds).toEqual(expect.arrayContaining(['target-rolled-back', 'large-span']));
        expect(preview.hints?.find((h) => h.kind === 'target-rolled-back')?.sha).toBe(targetSha);
        expect(preview.versions?.map((v) => v.service)).toEqual(preview.affectedServices);
        const payments = preview.versions?.find((v) => v.service === 'payments');
        expect(payments).toMatchObject({ from: { known: true, version: 'v2.14.0' }, to: { known: true } });

        const created = await post('/api/rollbacks', requester(), { tenant: 'acme', environment: 'production', mode: 'full', targetSha, justification: 'contract: hints recorded' });
        expect(created.status).toBe(201);
        const { request } = rollbackRequestResponseSchema.parse(await created.json());
        expect(request.hints?.map((h) => h.kind)).toEqual(kinds);
        // Decision 047: the versions the preview read are recorded with the request, and listed with it.
        expect(request.versions).toEqual(preview.versions);
        const read = rollbackRequestResponseSchema.parse(await (await api.request(`/api/rollbacks/${request.id}`)).json());
        expect(read.request.hints).toEqual(request.hints);
        expect(read.request.versions).toEqual(preview.versions);
        const listed = rollbackListResponseSchema.parse(await (await api.request('/api/rollbacks?limit=200')).json());
        expect(listed.requests.find((r) => r.id === request.id)?.versions).toEqual(preview.versions);
      });
    });

    describe('incident', () => {
      const body = (incident: unknown) => ({
        tenant: 'acme',
        environment: 'production',
        mode: 'service',
        service: 'payments',
        targetSha: api.shaOf(story().checkoutRollback.id),
        justification: 'contract: incident',
        incident,
      });

      it('is stored with the request and filters the request list by id or link', { timeout: 60_000 }, async () => {
        const incident = { id: 'INC-4711', url: 'https://status.example.com/incidents/4711' };
        const created = await post('/api/rollbacks', requester(), body(incident));
        expect(created.status).toBe(201);
        const { request } = rollbackRequestResponseSchema.parse(await created.json());
        expect(request.incident).toEqual(incident);
        for (const filter of ['INC-4711', 'https://status.example.com/incidents/4711']) {
          const list = rollbackListResponseSchema.parse(await (await api.request(`/api/rollbacks?incident=${encodeURIComponent(filter)}`)).json());
          expect(list.requests.map((r) => r.id)).toEqual([request.id]);
        }
        const none = rollbackListResponseSchema.parse(await (await api.request('/api/rollbacks?incident=INC-0')).json());
        expect(none.requests).toEqual([]);

        const report = await api.request('/api/incident-report?incident=INC-4711');
        expect(report.status).toBe(200);
        const { markdown } = (await report.json()) as { markdown: string };
        expect(markdown.split('\n')[0]).toBe('# Post-Incident Review: Incident INC-4711');
        expect(markdown).toContain('Incident record: https://status.example.com/incidents/4711');
        expect(markdown).toContain(`- ${request.id}: service rollback of payments in acme/production, pending. Justification: contract: incident`);
        expect(markdown).toMatch(/Deployed [0-9a-f]{7} "release payments v2\.14\.0" to acme\/production/);
        expect(markdown).toContain(`Rollback requested: service rollback of payments in acme/production to ${request.targetSha.slice(0, 7)} (${request.id})`);
        expect(markdown).toContain('- **Response**: unknown (unknown: no rollback has been committed yet)');
        for (const heading of ['### Timeline', '### Pipeline Questions', '### Action Items']) expect(markdown).toContain(heading);
        expect(markdown).toContain('\nCluster sync and health: no rollback has been committed yet.\n');
      });

      it('says what the cluster reports about a committed rollback, naming its source (decision 044)', { timeout: 60_000 }, async () => {
        const history = historyResponseSchema.parse(await (await api.request('/api/targets/acme/staging/history?limit=200')).json()).revisions;
        const index = history.findIndex((r) => r.summary === 'release payments v2.14.0');
        const incident = { id: 'INC-4712' };
        const created = await post('/api/rollbacks', requester(), { ...body(incident), environment: 'staging', targetSha: history[index + 1]!.sha });
        expect(created.status).toBe(201);
        const { request } = rollbackRequestResponseSchema.parse(await created.json());
        expect(request.state).toBe('completed');
        const response = await api.request('/api/incident-report?incident=INC-4712');
        expect(response.status).toBe(200);
        const { report, markdown } = incidentReportResponseSchema.parse(await response.json());
        // Both backends run the demo's simulated cluster: what it says is labelled as such, never as Argo CD.
        expect(report.cluster).toEqual([{ requestId: request.id, source: 'the simulated cluster (demo)', text: expect.stringContaining(request.commitSha!.slice(0, 7)) }]);
        expect(report.timeline.filter((e) => e.source).every((e) => e.source === 'the simulated cluster (demo)')).toBe(true);
        expect(markdown).toContain(`\nCluster sync and health (${request.id}): `);
        expect(markdown).toContain('(reported by the simulated cluster (demo))');
      });

      it('reports per request, and refuses an unknown or missing subject', { timeout: 60_000 }, async () => {
        expect((await api.request('/api/incident-report?incident=INC-0')).status).toBe(404);
        expect((await api.request('/api/incident-report?request=rbk-nope')).status).toBe(404);
        const neither = await api.request('/api/incident-report');
        expect(neither.status).toBe(400);
        expect(errorBodySchema.parse(await neither.json()).error.message).toMatch(/either incident .* or request/);
      });

      it.each([
        [{ id: 'has space' }, 'incident.id'],
        [{ url: 'ftp://example.com/1' }, 'incident.url'],
        [{}, 'incident needs an id or a url'],
      ])('refuses %j with a 400 naming the field, creating nothing', { timeout: 60_000 }, async (incident, field) => {
        const before = rollbackListResponseSchema.parse(await (await api.request('/api/rollbacks?limit=200')).json()).requests.length;
        const response = await post('/api/rollbacks', requester(), body(incident));
        expect(response.status).toBe(400);
        expect(errorBodySchema.parse(await response.json()).error.message).toContain(field);
        const after = rollbackListResponseSchema.parse(await (await api.request('/api/rollbacks?limit=200')).json()).requests.length;
        expect(after).toBe(before);
      });
    });

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
