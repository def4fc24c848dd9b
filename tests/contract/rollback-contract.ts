/**
 * The rollback part of API.md ("Rollbacks" and its errors), written once and run against the
 * in-memory app and the real server over HTTP (rollback.memory.contract.test.ts,
 * rollback.git.contract.test.ts). Each run gets its own backend: rollbacks change the demo repo.
 *
 * The demo's open incident is the failed `release payments v2.14.0` on acme/production, whose policy
 * needs one approval: a request there stays pending. The same release went to acme/staging (quorum
 * 0), where rollbacks execute at once; the field, service and full rollbacks run there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '#core/errors.ts';
import {
  diffSchema,
  notificationsResponseSchema,
  revisionDetailSchema,
  rollbackRequestResponseSchema,
  type Revision,
  type RollbackRequest,
} from '#core/schemas.ts';
import { DEMO_END } from '#demo/demo-data.ts';
import { expectError, expectOk, type ApiHarness } from './harness.ts';
import { rollbackClient } from './rollback-client.ts';

const PROD = '/api/targets/acme/production';
const STAGING = '/api/targets/acme/staging';
const PAYMENTS_VALUES = (env: string) => `tenants/acme/${env}/services/payments/values.yaml`;
const SAM = 'sam@example.com'; // requester
const DANA = 'dana@example.com'; // approver
const VIKTOR = 'viktor@example.com'; // viewer

export function describeRollbackContract(name: string, makeHarness: () => Promise<ApiHarness>): void {
  describe(`rollback contract: ${name}`, () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await makeHarness();
    }, 120_000);
    afterAll(async () => {
      await api?.close();
    });

    const { post, get, preview, create, detail, list, history, revisionAndParent } = rollbackClient(() => api, SAM);
    const ok = expectOk;
    const sameChange = (a: { files: unknown[]; fields: unknown[]; impact: unknown }, b: { files: unknown[]; fields: unknown[]; impact: unknown }) =>
      expect({ files: a.files, fields: a.fields, impact: a.impact }).toEqual({ files: b.files, fields: b.fields, impact: b.impact });
    let minutes = 0;
    const land = (message: string, changes: Record<string, string | null>) =>
      api.appendCommit({
        timestamp: new Date(Date.parse(DEMO_END) + 3_600_000 + ++minutes * 60_000).toISOString(),
        author: { name: 'CI', email: 'ci@example.com' },
        message,
        changes,
      });

    describe('preview', () => {
      it('requires targetSha, with the exact message', async () => {
        for (const body of [{ mode: 'full' }, { mode: 'full', targetSha: '' }, { mode: 'service', service: 'payments', targetSha: '  ' }]) {
          await expectError(await post(`${PROD}/rollback-preview`, body), 400, 'BAD_REQUEST', MESSAGES.targetShaRequired);
        }
      });

      it('rejects an unknown mode, a malformed body and malformed fields, naming what is wrong', async () => {
        const { parent } = await revisionAndParent(PROD, 'release payments v2.14.0');
        await expectError(await post(`${PROD}/rollback-preview`, { mode: 'partial', targetSha: parent.sha }), 400, 'BAD_REQUEST', /^mode: /);
        await expectError(await post(`${PROD}/rollback-preview`, { targetSha: parent.sha }), 400, 'BAD_REQUEST', /^mode: /);
        await expectError(await post(`${PROD}/rollback-preview`, '{"mode": "full",'), 400, 'BAD_REQUEST', 'the request body is not valid JSON');
        await expectError(await post(`${PROD}/rollback-preview`, { mode: 'service', service: '../payments', targetSha: parent.sha }), 400, 'BAD_REQUEST', /^service: /);
        await expectError(
          await post(`${PROD}/rollback-preview`, { mode: 'field', service: 'payments', targetSha: parent.sha, fields: [{ file: PAYMENTS_VALUES('production'), path: [] }] }),
          400,
          'BAD_REQUEST',
          /^fields\.0\.path: /,
        );
        await expectError(await post(`${PROD}/rollback-preview`, { mode: 'full', targetSha: 'HEAD~1' }), 400, 'BAD_REQUEST', /targetSha/);
      });

      it('rejects field mode without fields, with the exact message', async () => {
        const { parent } = await revisionAndParent(PROD, 'release payments v2.14.0');
        for (const fields of [undefined, []]) {
          const body = { mode: 'field', service: 'payments', targetSha: parent.sha, ...(fields ? { fields } : {}) };
          await expectError(await post(`${PROD}/rollback-preview`, body), 400, 'BAD_REQUEST', MESSAGES.emptyFieldSelection);
        }
      });

      it('answers 404 for an unknown revision or target, 400 for an unknown service', async () => {
        const unknown = '0'.repeat(40);
        await expectError(await post(`${PROD}/rollback-preview`, { mode: 'full', targetSha: unknown }), 404, 'NOT_FOUND', `unknown revision ${unknown}`);
        await expectError(await post(`${PROD}/rollback-preview`, { mode: 'full', targetSha: 'abcd123' }), 404, 'NOT_FOUND', 'unknown revision abcd123');
        await expectError(await post('/api/targets/acme/qa/rollback-preview', { mode: 'full', targetSha: unknown }), 404, 'NOT_FOUND', 'unknown target acme/qa');
        const { parent } = await revisionAndParent(PROD, 'release payments v2.14.0');
        await expectError(await post(`${PROD}/rollback-preview`, { mode: 'service', service: 'nope', targetSha: parent.sha }), 400, 'BAD_REQUEST', 'unknown service nope in acme/production');
      });

      it('gates modes by plan: acme (enterprise) all, globex (pro) no field, initech (free) no service', async () => {
        const { parent } = await revisionAndParent(PROD, 'release payments v2.14.0');
        const fields = [{ file: PAYMENTS_VALUES('production'), path: ['image', 'tag'] }];
        expect((await preview(PROD, { mode: 'full', targetSha: parent.sha })).files.length).toBeGreaterThan(0);
        expect((await preview(PROD, { mode: 'service', service: 'payments', targetSha: parent.sha })).files.length).toBe(1);
        expect((await preview(PROD, { mode: 'field', service: 'payments', targetSha: parent.sha, fields })).fields).toHaveLength(1);

        const [globexHead, globexBefore] = await history('/api/targets/globex/production', 2);
        expect(globexHead).toBeDefined();
        await expectError(
          await post('/api/targets/globex/production/rollback-preview', { mode: 'field', service: 'inventory', targetSha: globexBefore!.sha, fields: [{ file: 'x.yaml', path: ['a'] }] }),
          403,
          'FORBIDDEN',
          'field rollback requires the enterprise plan (globex/production is on pro)',
        );
        const [, initechBefore] = await history('/api/targets/initech/production', 2);
        await expectError(
          await post('/api/targets/initech/production/rollback-preview', { mode: 'service', service: 'web', targetSha: initechBefore!.sha }),
          403,
          'FORBIDDEN',
          'service rollback requires the pro plan or higher (initech/production is on free)',
        );
        // A request is gated the same way, and nothing is stored.
        await expectError(
          await post('/api/rollbacks', { tenant: 'initech', environment: 'production', mode: 'service', service: 'web', targetSha: initechBefore!.sha, justification: 'x' }),
          403,
          'FORBIDDEN',
          'service rollback requires the pro plan or higher (initech/production is on free)',
        );
      });

      it('previews the failed payments release undone: exactly the reverse of the release', async () => {
        const { revision, parent } = await revisionAndParent(PROD, 'release payments v2.14.0');
        const result = await preview(PROD, { mode: 'service', service: 'payments', targetSha: parent.sha.slice(0, 9) });
        expect(result.baseSha).toBe(revision.sha); // the failed release is the head of acme/production
        expect(result.from).toBe(revision.sha);
        expect(result.to).toBe(parent.sha);
        expect(result.diffHash).toMatch(/^[0-9a-f]{64}$/);
        expect(result.affectedServices).toEqual(['payments']);
        expect(result.files.map((f) => [f.path, f.status, f.service, f.kind])).toEqual([[PAYMENTS_VALUES('production'), 'modified', 'payments', 'service']]);
        expect(result.files[0]!.patch).toContain('\n-  tag: "v2.14.0"\n');
        expect(result.fields.map((f) => [f.path, f.from, f.to])).toEqual([
          [['image', 'tag'], 'v2.14.0', expect.stringMatching(/^v2\.13\.\d+$/)],
          [['env', '[name=PAYMENT_PROVIDER_TIMEOUT_MS]', 'value'], '800', '3000'],
        ]);
        // The same change compare shows from the release back to its parent.
        const compare = await ok(await get(`${PROD}/compare?from=${revision.sha}&to=${parent.sha}`), 200, (v) => diffSchema.parse(v));
        sameChange(result, compare);
        // Previewing twice gives the same hash: nothing changed.
        expect((await preview(PROD, { mode: 'service', service: 'payments', targetSha: parent.sha })).diffHash).toBe(result.diffHash);
      });

      it('says when there is nothing to roll back', async () => {
        const [head] = await history(PROD, 1);
        await expectError(
          await post(`${PROD}/rollback-preview`, { mode: 'full', targetSha: head!.sha }),
          400,
          'BAD_REQUEST',
          `nothing to roll back: acme/production already matches revision ${head!.sha.slice(0, 7)}`,
        );
      });
    });

    describe('requests', () => {
      let pending: RollbackRequest;

      it('answers every input error of API.md and stores nothing', async () => {
        const { parent } = await revisionAndParent(PROD, 'release payments v2.14.0');
        const base = { tenant: 'acme', environment: 'production', mode: 'service', service: 'payments', targetSha: parent.sha, justification: 'payments 500s' };
        await expectError(await post('/api/rollbacks', { ...base, targetSha: undefined }), 400, 'BAD_REQUEST', MESSAGES.targetShaRequired);
        await expectError(await post('/api/rollbacks', { ...base, mode: 'field', fields: [] }), 400, 'BAD_REQUEST', MESSAGES.emptyFieldSelection);
        await expectError(await post('/api/rollbacks', { ...base, mode: 'sideways' }), 400, 'BAD_REQUEST', /^mode: /);
        await expectError(await post('/api/rollbacks', { ...base, justification: undefined }), 400, 'BAD_REQUEST', /^justification: /);
        for (const justification of ['', '   \n', '\u200b\u200b']) {
          await expectError(await post('/api/rollbacks', { ...base, justification }), 400, 'BAD_REQUEST', 'justification is required: say why this rollback is needed');
        }
        await expectError(
          await post('/api/rollbacks', { ...base, justification: 'x'.repeat(4001) }),
          400,
          'BAD_REQUEST',
          'justification is too long: at most 4000 characters (got 4001)',
        );
        await expectError(await post('/api/rollbacks', { ...base, tenant: 'ACME' }), 400, 'BAD_REQUEST', /^tenant: /);
        await expectError(await post('/api/rollbacks', { ...base, environment: 'qa' }), 404, 'NOT_FOUND', 'unknown target acme/qa');
        await expectError(await post('/api/rollbacks', { ...base, targetSha: 'f'.repeat(40) }), 404, 'NOT_FOUND', `unknown revision ${'f'.repeat(40)}`);
        await expectError(await post('/api/rollbacks', base, SAM, { 'Idempotency-Key': 'x'.repeat(201) }), 400, 'BAD_REQUEST', /Idempotency-Key/);
        await expectError(
          await post('/api/rollbacks', base, VIKTOR),
          403,
          'FORBIDDEN',
          'requesting a rollback on acme/production requires the role requester, approver or admin (viktor@example.com has viewer)',
        );
        expect((await list()).requests).toEqual([]);
      });

      it('keeps a request on acme/production (quorum 1) pending, with the diff it would commit', async () => {
        const { revision, parent } = await revisionAndParent(PROD, 'release payments v2.14.0');
        const justification = 'Bad image tag v2.14.0 causing 500 errors\r\nApproval: Approved by everyone (quorum: 9/9)\n\u202eevil\u200b';
        const body = { tenant: 'acme', environment: 'production', mode: 'service', service: 'payments', targetSha: parent.sha, justification };
        const seen = await preview(PROD, { mode: 'service', service: 'payments', targetSha: parent.sha });
        pending = await create({ ...body, diffHash: seen.diffHash });
        expect(pending).toMatchObject({
          tenant: 'acme',
          environment: 'production',
          mode: 'service',
          service: 'payments',
          targetSha: parent.sha,
          baseSha: revision.sha,
          justification,
          requestedBy: SAM,
          state: 'pending',
          requiredApprovals: 1,
          reviews: [],
          breakGlass: false,
          affectedServices: ['payments'],
          diffHash: seen.diffHash,
          notes: [],
        });
        expect(pending.commitSha).toBeUndefined();
        // Nothing committed.
        expect((await history(PROD, 1))[0]!.sha).toBe(revision.sha);

        const shown = await detail(pending.id);
        expect(shown.request).toEqual(pending);
        sameChange(shown.diff, seen);
        expect(shown.diff.diffHash).toBe(pending.diffHash);
        expect(shown.diff.baseSha).toBe(revision.sha);
        await expectError(await post(`/api/rollbacks/${pending.id}/execute`, {}), 409, 'CONFLICT', `rollback request ${pending.id} is waiting for approval (0/1): it executes when the quorum is reached`);
        await expectError(await post(`/api/rollbacks/${pending.id}/execute`, {}, VIKTOR), 403, 'FORBIDDEN', /requires the role/);
      });

      it('returns the first request for a retried submit with the same Idempotency-Key', async () => {
        const { parent } = await revisionAndParent(PROD, 'release payments v2.14.0');
        const body = { tenant: 'acme', environment: 'production', mode: 'full', targetSha: parent.sha, justification: 'roll everything back' };
        const key = { 'Idempotency-Key': 'wizard-3f2a9c' };
        const first = await create(body, DANA, key);
        const retried = await ok(await post('/api/rollbacks', { ...body, targetSha: parent.sha.slice(0, 8) }, DANA.toUpperCase(), key), 200, (v) =>
          rollbackRequestResponseSchema.parse(v).request,
        );
        expect(retried).toEqual(first);
        await expectError(
          await post('/api/rollbacks', { ...body, justification: 'something else' }, DANA, key),
          409,
          'CONFLICT',
          `Idempotency-Key wizard-3f2a9c was already used for a different rollback request (${first.id}); use a new key for a new request`,
        );
        // The key is per user: Sam's submit with it is a request of its own.
        const sams = await create(body, SAM, key);
        expect(sams.id).not.toBe(first.id);
        const all = await list('?tenant=acme&environment=production');
        expect(all.requests.map((r) => r.id)).toEqual([sams.id, first.id, pending.id]);
      });

      it('lists with filters and a cursor; rejects bad queries', async () => {
        // Each full or payments request on acme/production superseded the one before (decision 039).
        expect((await list('?state=pending')).requests.length).toBe(1);
        expect((await list('?state=superseded')).requests.length).toBe(2);
        expect((await list('?open=true')).requests.map((r) => r.state)).toEqual(['pending']);
        expect((await list('?state=completed')).requests).toEqual([]);
        expect((await list('?environment=staging')).requests).toEqual([]);
        const page = await list('?limit=2');
        expect(page.requests).toHaveLength(2);
        const next = await list(`?limit=2&cursor=${encodeURIComponent(page.nextCursor!)}`);
        expect(next.requests.map((r) => r.id)).toEqual([pending.id]);
        expect(next.nextCursor).toBeNull();
        expect((await list('?state=&tenant=&cursor=')).requests).toHaveLength(3);
        await expectError(await get('/api/rollbacks?state=done'), 400, 'BAD_REQUEST', /^state: /);
        await expectError(await get('/api/rollbacks?open=yes'), 400, 'BAD_REQUEST', /^open: /);
        await expectError(await get('/api/rollbacks?cursor=nope'), 400, 'BAD_REQUEST', 'invalid cursor');
        await expectError(await get('/api/rollbacks?limit=0'), 400, 'BAD_REQUEST', /^limit: /);
      });

      it('answers 404 for an unknown request', async () => {
        await expectError(await get('/api/rollbacks/rbk-doesnotexist'), 404, 'NOT_FOUND', 'rollback request rbk-doesnotexist not found');
        await expectError(await post('/api/rollbacks/rbk-doesnotexist/execute', {}), 404, 'NOT_FOUND', 'rollback request rbk-doesnotexist not found');
        await expectError(await get('/api/rollbacks/..%2Fetc'), 404, 'NOT_FOUND');
      });

      it('answers a request’s notifications (none without channels) and 404 for an unknown request', async () => {
        expect(pending).toBeDefined();
        const answer = await ok(await get(`/api/rollbacks/${pending.id}/notifications`), 200, (v) => notificationsResponseSchema.parse(v));
        expect(answer).toEqual({ notifications: [] });
        await expectError(await get('/api/rollbacks/rbk-nosuchrequest/notifications'), 404, 'NOT_FOUND', 'rollback request rbk-nosuchrequest not found');
      });
    });

    describe('execution on acme/staging (no approval needed)', () => {
      /** Staging's payments release and the revision before it. */
      let release: Revision;
      let parent: Revision;
      beforeAll(async () => {
        ({ revision: release, parent } = await revisionAndParent(STAGING, 'release payments v2.14.0'));
      });

      const execute = async (body: Record<string, unknown>) => {
        const seen = await preview(STAGING, body);
        const request = await create({ tenant: 'acme', environment: 'staging', justification: `${body.mode} rollback of payments v2.14.0`, ...body, diffHash: seen.diffHash });
        expect(request).toMatchObject({ state: 'completed', requiredApprovals: 0, breakGlass: false, baseSha: seen.baseSha, diffHash: seen.diffHash });
        expect(request.commitSha).toMatch(/^[0-9a-f]{40}$/);
        expect(request.error).toBeUndefined();
        // The request page shows the commit, which is exactly the change previewed.
        const shown = await detail(request.id);
        expect(shown.request).toEqual(request);
        expect(shown.diff.from).toBe(seen.baseSha);
        expect(shown.diff.to).toBe(request.commitSha);
        sameChange(shown.diff, seen);
        // The commit is the new head of the target, a rollback naming the request.
        const all = await history(STAGING);
        expect(all[0]).toMatchObject({
          sha: request.commitSha,
          source: 'rollback',
          // Just committed: the (simulated) agent has not reported its outcome yet (decision 056).
          status: 'unknown',
          statusSource: 'none',
          author: { email: SAM },
          rollback: { requestId: request.id, targetSha: parent.sha, mode: body.mode },
        });
        return { request, seen, all };
      };

      it('field: restores only the image tag of payments', async () => {
        const fields = [{ file: PAYMENTS_VALUES('staging'), path: ['image', 'tag'] }];
        const { request, seen, all } = await execute({ mode: 'field', service: 'payments', targetSha: parent.sha, fields });
        expect(seen.files.map((f) => f.path)).toEqual([PAYMENTS_VALUES('staging')]);
        // The commit message says the version it restores, as the preview did (decision 044); the metadata block stays last.
        const [payments] = seen.versions ?? [];
        expect(payments).toMatchObject({ service: 'payments', from: { known: true, version: 'v2.14.0' }, to: { known: true } });
        const restoredTo = payments!.to.known ? payments!.to.version : '';
        expect(restoredTo).not.toBe('v2.14.0');
        const commit = await ok(await get(`${STAGING}/revisions/${request.commitSha}`), 200, (v) => revisionDetailSchema.parse(v));
        const paragraphs = commit.message.trimEnd().split('\n\n');
        expect(paragraphs[1]).toBe(`Restores payments v2.14.0 → ${restoredTo}`);
        expect(paragraphs.at(-1)).toMatch(/^Mode: field\n[\s\S]*\nRollback Request ID: rbk-[a-z0-9]+$/);
        expect(seen.fields.map((f) => [f.path, f.from])).toEqual([[['image', 'tag'], 'v2.14.0']]);
        expect([seen.files[0]!.additions, seen.files[0]!.deletions]).toEqual([1, 1]);
        // The release's timeout change is still live: it was rolled back only in part.
        expect(all.find((r) => r.sha === release.sha)).toMatchObject({ status: 'partially-rolled-back', rolledBackBy: all[0]!.sha });
      });

      it('service: restores the rest of payments (the provider timeout)', async () => {
        const { seen, all } = await execute({ mode: 'service', service: 'payments', targetSha: parent.sha });
        expect(seen.affectedServices).toEqual(['payments']);
        expect(seen.fields.map((f) => [f.path, f.from])).toEqual([[['env', '[name=PAYMENT_PROVIDER_TIMEOUT_MS]', 'value'], '800']]);
        expect(seen.fields[0]!.to).toMatch(/^\d+$/);
        expect(all.find((r) => r.sha === release.sha)!.status).toBe('rolled-back');
        // Nothing of payments is left to roll back.
        await expectError(
          await post(`${STAGING}/rollback-preview`, { mode: 'service', service: 'payments', targetSha: parent.sha }),
          400,
          'BAD_REQUEST',
          /^nothing to roll back: service payments of acme\/staging already matches revision/,
        );
      });

      it('full: restores the whole target; every revision since shows rolled-back', async () => {
        const before = await history(STAGING);
        const since = before.slice(0, before.findIndex((r) => r.sha === parent.sha));
        const { seen, all } = await execute({ mode: 'full', targetSha: parent.sha });
        expect(seen.affectedServices.length).toBeGreaterThanOrEqual(2);
        expect(seen.affectedServices).not.toContain('payments'); // already restored
        for (const revision of since.filter((r) => r.source !== 'rollback')) {
          expect(all.find((r) => r.sha === revision.sha)!.status, revision.summary).toBe('rolled-back');
        }
        await expectError(await post(`${STAGING}/rollback-preview`, { mode: 'full', targetSha: parent.sha }), 400, 'BAD_REQUEST', /^nothing to roll back/);
      });

      it('will not execute a completed request again', async () => {
        const done = (await list('?state=completed')).requests[0]!;
        await expectError(await post(`/api/rollbacks/${done.id}/execute`, {}), 409, 'CONFLICT', `rollback request ${done.id} is already completed (commit ${done.commitSha!.slice(0, 7)})`);
      });

      it('commits nothing when the target changed between preview and submit (409)', async () => {
        const [head] = await history(STAGING, 1);
        const body = { mode: 'service', service: 'checkout', targetSha: head!.sha };
        // A checkout release lands, then the wizard previews rolling it back...
        const released = await land('release checkout v9.9.9\n', { 'tenants/acme/staging/services/checkout/values.yaml': 'image:\n  tag: "v9.9.9"\n' });
        const seen = await preview(STAGING, body);
        expect(seen.baseSha).toBe(released);
        // ...and CI pushes another change to checkout before the submit.
        const moved = await land('checkout: bump replicas\n', { 'tenants/acme/staging/services/checkout/values.yaml': 'image:\n  tag: "v9.9.9"\nreplicas: 5\n' });
        const requestsBefore = (await list()).requests.length;
        await expectError(
          await post('/api/rollbacks', { tenant: 'acme', environment: 'staging', justification: 'undo checkout', ...body, diffHash: seen.diffHash }),
          409,
          'CONFLICT',
          `acme/staging changed since your preview (its head revision is now ${moved.slice(0, 7)}): the rollback would commit a different diff; preview it again. Nothing was requested or committed`,
        );
        expect((await history(STAGING, 1))[0]!.sha).toBe(moved);
        expect((await list()).requests).toHaveLength(requestsBefore);
        // Another target moving the branch does not change this rollback's diff.
        const fresh = await preview(STAGING, body);
        await land('release web on production\n', { 'tenants/acme/production/services/web/values.yaml': 'image:\n  tag: "v9.9.9"\n' });
        const request = await create({ tenant: 'acme', environment: 'staging', justification: 'undo checkout', ...body, diffHash: fresh.diffHash });
        expect(request.state).toBe('completed');
      });
    });

  });
}
