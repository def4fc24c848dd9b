/**
 * The request lifecycle of decision 039 (issue #12 items 3–5), written once and run against the
 * in-memory app and the real server over HTTP (lifecycle.memory.contract.test.ts,
 * lifecycle.git.contract.test.ts): withdraw, supersede, closing a request with nothing to do, and the
 * permissions a Target carries, which the server enforces with the same core rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionsOn } from '#core/review-rules.ts';
import {
  auditResponseSchema,
  peopleResponseSchema,
  rollbackDetailResponseSchema,
  rollbackListResponseSchema,
  rollbackRequestResponseSchema,
  targetResponseSchema,
  type AuditEvent,
  type User,
} from '#core/schemas.ts';
import { DEMO_END } from '#demo/demo-data.ts';
import { expectError, expectOk, type ApiHarness } from './harness.ts';

const SAM = 'sam@example.com'; // requester
const DANA = 'dana@example.com'; // approver
const MARCUS = 'marcus@example.com'; // admin
const OLU = 'olu@example.com'; // requester, break-glass
const VIKTOR = 'viktor@example.com'; // viewer

interface Where {
  tenant: string;
  environment: string;
  service: string;
}
const ACME_PROD = { tenant: 'acme', environment: 'production' };

export function describeLifecycleContract(name: string, makeHarness: () => Promise<ApiHarness>): void {
  describe(`request lifecycle contract: ${name}`, () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await makeHarness();
    }, 120_000);
    afterAll(async () => {
      await api?.close();
    });

    const headers = (user: string | null) => ({ 'Content-Type': 'application/json', ...(user ? { 'X-Forwarded-Email': user } : {}) });
    const post = (path: string, body: unknown, user: string | null) =>
      api.request(path, { method: 'POST', headers: headers(user), body: JSON.stringify(body) });
    const get = (path: string, user: string | null = SAM) => api.request(path, { headers: user ? { 'X-Forwarded-Email': user } : {} });
    const asRequest = (v: unknown) => rollbackRequestResponseSchema.parse(v).request;
    const detail = async (id: string) => expectOk(await get(`/api/rollbacks/${id}`), 200, (v) => rollbackDetailResponseSchema.parse(v));
    const list = async (query: string) => expectOk(await get(`/api/rollbacks${query}`), 200, (v) => rollbackListResponseSchema.parse(v).requests);
    const auditOf = async (requestId: string): Promise<AuditEvent[]> =>
      expectOk(await get(`/api/audit?requestId=${requestId}&limit=500`), 200, (v) => auditResponseSchema.parse(v).events);

    let canary = 0;
    const servicePath = (where: Where, file: string) => `tenants/${where.tenant}/${where.environment}/services/${where.service}/${file}`;
    const commit = (message: string, changes: Record<string, string | null>) =>
      api.appendCommit({
        timestamp: new Date(Date.parse(DEMO_END) + 7_200_000 + ++canary * 60_000).toISOString(),
        author: { name: 'CI', email: 'ci@example.com' },
        message,
        changes,
      });
    /** Lands a canary file on the service; returns the sha before it and the file's path. */
    const landCanary = async (where: Where) => {
      const before = await expectOk(await get(`/api/targets/${where.tenant}/${where.environment}/history?limit=1`), 200, (v) => v as { revisions: { sha: string }[] });
      const file = servicePath(where, `canary-${canary + 1}.yaml`);
      await commit(`release ${where.service} canary\n`, { [file]: `canary: ${canary + 1}\n` });
      return { targetSha: before.revisions[0]!.sha, file };
    };
    /** A request (by `user`) to roll the service (or, with mode full, the target) back before a fresh canary. */
    const request = async (where: Where, user = SAM, mode: 'service' | 'full' = 'service') => {
      const { targetSha, file } = await landCanary(where);
      const body = { tenant: where.tenant, environment: where.environment, mode, ...(mode === 'service' ? { service: where.service } : {}), targetSha, justification: `undo canary ${canary}` };
      return { request: await expectOk(await post('/api/rollbacks', body, user), 201, asRequest), file };
    };

    describe('withdraw (POST /api/rollbacks/{id}/withdraw)', () => {
      it('the requester withdraws a pending request; it is audited and nothing else can happen to it', async () => {
        const { request: pending } = await request({ ...ACME_PROD, service: 'payments' });
        await expectError(await post(`/api/rollbacks/${pending.id}/withdraw`, {}, DANA), 403, 'FORBIDDEN', `only the requester (${SAM}) or an admin may withdraw rollback request ${pending.id}`);
        await expectError(await post(`/api/rollbacks/${pending.id}/withdraw`, {}, VIKTOR), 403, 'FORBIDDEN', /only the requester/);
        await expectError(await post(`/api/rollbacks/${pending.id}/withdraw`, { reason: 42 }, SAM), 400, 'BAD_REQUEST', /^reason: /);
        const withdrawn = await expectOk(await post(`/api/rollbacks/${pending.id}/withdraw`, { reason: 'the release was fixed forward' }, SAM.toUpperCase()), 200, asRequest);
        expect(withdrawn).toMatchObject({ state: 'withdrawn', closedReason: `Withdrawn by ${SAM}: the release was fixed forward` });
        expect((await detail(pending.id)).request).toEqual(withdrawn);
        const event = (await auditOf(pending.id))[0]!;
        expect(event).toMatchObject({ type: 'rollback.withdrawn', actor: SAM, details: { previousState: 'pending', reason: 'the release was fixed forward' } });

        await expectError(await post(`/api/rollbacks/${pending.id}/withdraw`, {}, SAM), 409, 'CONFLICT', `rollback request ${pending.id} is withdrawn: only a pending or approved request can be withdrawn`);
        await expectError(await post(`/api/rollbacks/${pending.id}/execute`, {}, SAM), 409, 'CONFLICT', /is withdrawn: it cannot be executed/);
        await expectError(await post(`/api/rollbacks/${pending.id}/reviews`, { decision: 'approve' }, DANA), 400, 'BAD_REQUEST');
        await expectError(await post(`/api/rollbacks/${pending.id}/confirm-plan`, {}, SAM), 409, 'CONFLICT', /is withdrawn/);
        await expectError(await post('/api/rollbacks/rbk-doesnotexist/withdraw', {}, SAM), 404, 'NOT_FOUND');
        expect((await list('?open=true&tenant=acme&environment=production')).map((r) => r.id)).not.toContain(pending.id);
      });

      it('an admin withdraws anyone\'s request', async () => {
        const { request: pending } = await request({ ...ACME_PROD, service: 'checkout' }, OLU);
        const withdrawn = await expectOk(await post(`/api/rollbacks/${pending.id}/withdraw`, {}, MARCUS), 200, asRequest);
        expect(withdrawn).toMatchObject({ state: 'withdrawn', closedReason: `Withdrawn by ${MARCUS}` });
        expect((await auditOf(pending.id))[0]).toMatchObject({ type: 'rollback.withdrawn', actor: MARCUS });
      });
    });

    describe('supersede', () => {
      it('a new overlapping request replaces the waiting ones on its target, linked both ways; others stay', async () => {
        const { request: payments } = await request({ ...ACME_PROD, service: 'payments' });
        const { request: checkout } = await request({ ...ACME_PROD, service: 'checkout' }, OLU);
        // A second payments request replaces the first, not the checkout one.
        const { request: again } = await request({ ...ACME_PROD, service: 'payments' }, OLU);
        expect(again).toMatchObject({ state: 'pending', supersedes: [payments.id] });
        expect((await detail(payments.id)).request).toMatchObject({
          state: 'superseded',
          supersededBy: again.id,
          closedReason: `Superseded by ${again.id}, requested by ${OLU}`,
        });
        expect((await detail(checkout.id)).request.state).toBe('pending');
        expect((await auditOf(payments.id))[0]).toMatchObject({ type: 'rollback.superseded', actor: OLU, details: { previousState: 'pending', supersededBy: again.id } });
        expect((await auditOf(again.id))[0]).toMatchObject({ type: 'rollback.requested', details: { supersedes: [payments.id] } });
        await expectError(await post(`/api/rollbacks/${payments.id}/reviews`, { decision: 'approve' }, DANA), 400, 'BAD_REQUEST');
        await expectError(await post(`/api/rollbacks/${payments.id}/execute`, {}, SAM), 409, 'CONFLICT', /is superseded: it cannot be executed/);

        // A full rollback overlaps every service of the target.
        const { request: full } = await request({ ...ACME_PROD, service: 'web' }, SAM, 'full');
        expect([...(full.supersedes ?? [])].sort()).toEqual([checkout.id, again.id].sort());
        const open = await list('?open=true&tenant=acme&environment=production');
        expect(open.map((r) => r.id)).toEqual([full.id]);
      });
    });

    describe('nothing to do', () => {
      it('a request whose plan changes nothing any more is closed as such, with no action left', async () => {
        const where = { tenant: 'globex', environment: 'production', service: 'inventory' };
        const { request: pending, file } = await request(where);
        // Someone reverts the canary by hand: the request has nothing left to roll back.
        await commit('remove the canary by hand\n', { [file]: null });
        const { request: closed, diff } = await detail(pending.id);
        expect(closed).toMatchObject({ state: 'closed', closedReason: expect.stringMatching(/^Closed: nothing to roll back/) });
        expect(diff.diffError).toMatch(/^nothing to roll back/);
        expect((await auditOf(pending.id))[0]).toMatchObject({ type: 'rollback.closed', actor: 'rewind', details: { previousState: 'pending' } });
        await expectError(await post(`/api/rollbacks/${pending.id}/reviews`, { decision: 'approve' }, DANA), 400, 'BAD_REQUEST');
        await expectError(await post(`/api/rollbacks/${pending.id}/execute`, {}, SAM), 409, 'CONFLICT', /is closed: it cannot be executed/);
        await expectError(await post(`/api/rollbacks/${pending.id}/withdraw`, {}, SAM), 409, 'CONFLICT', /is closed/);
        expect((await list('?state=closed')).map((r) => r.id)).toContain(pending.id);
      });
    });

    describe('plan changes in lists (decision 043)', () => {
      it('every list carries planChange for a waiting request whose plan changed, the same as its page, until the requester confirms', async () => {
        const where = { tenant: 'globex', environment: 'production', service: 'inventory' };
        const { request: pending } = await request(where);
        const listed = async (query: string) => (await list(query)).find((r) => r.id === pending.id);
        expect(await listed('?state=pending&limit=200')).toMatchObject({ id: pending.id, state: 'pending' });
        expect((await listed('?state=pending&limit=200'))!.planChange).toBeUndefined();
        // CI lands another file on the service: the rollback would now also delete it.
        const moved = await commit('release inventory extra\n', { [servicePath(where, `extra-${canary + 1}.yaml`)]: 'extra: true\n' });
        const page = await detail(pending.id);
        expect(page.planChange).toMatchObject({ previousBaseSha: pending.baseSha, baseSha: moved });
        for (const query of ['?state=pending&limit=200', '?open=true&tenant=globex&environment=production', '?tenant=globex&environment=production&limit=200']) {
          expect((await listed(query))?.planChange, query).toEqual(page.planChange);
        }
        // Asked again with the same head: the same answer (served from the cache on the server).
        expect((await listed('?state=pending&limit=200'))!.planChange).toEqual(page.planChange);
        // Requests that are not waiting carry none.
        expect((await list('?tenant=globex&environment=production&limit=200')).filter((r) => r.planChange !== undefined && r.state !== 'pending' && r.state !== 'approved')).toEqual([]);
        await expectOk(await post(`/api/rollbacks/${pending.id}/confirm-plan`, {}, SAM), 200, asRequest);
        expect((await listed('?state=pending&limit=200'))!.planChange).toBeUndefined();
      });
    });

    describe('people by name (decision 043)', () => {
      it('GET /api/people names the emails requests carry, without roles', async () => {
        const people = await expectOk(await get('/api/people', VIKTOR), 200, (v) => peopleResponseSchema.strict().parse(v).people);
        const sam = people.find((p) => p.email === SAM);
        expect(sam?.name).toMatch(/^Sam/);
        expect(people.every((p) => Object.keys(p).sort().join() === 'email,name')).toBe(true);
      });
    });

    describe('permissions up front', () => {
      const me = async (email: string) => expectOk(await get('/api/me', email), 200, (v) => (v as { user: User }).user);

      it('the target carries its policy\'s role lists, and the server refuses exactly what permissionsOn refuses', async () => {
        const { target } = await expectOk(await get('/api/targets/acme/production'), 200, (v) => targetResponseSchema.parse(v));
        expect(target.policy).toMatchObject({ requesters: expect.arrayContaining(['requester']), approvers: expect.arrayContaining(['approver']), breakGlass: expect.arrayContaining(['break-glass']) });
        const viewer = permissionsOn(target.policy, await me(VIKTOR), 'acme/production');
        expect(viewer.request).toEqual({ allowed: false, reason: 'requesting a rollback on acme/production requires the role requester, approver or admin (viktor@example.com has viewer)' });
        const body = { tenant: 'acme', environment: 'production', mode: 'full', targetSha: 'a'.repeat(40), justification: 'x' };
        const refusal = await expectError(await post('/api/rollbacks', body, VIKTOR), 403, 'FORBIDDEN');
        expect(refusal).toBe(viewer.request.allowed ? null : viewer.request.reason);

        const requester = permissionsOn(target.policy, await me(SAM), 'acme/production');
        expect(requester.request.allowed).toBe(true);
        expect(requester.review).toEqual({ allowed: false, reason: 'reviewing a rollback on acme/production requires the role approver or admin (sam@example.com has requester)' });
        expect(permissionsOn(target.policy, await me(DANA), 'acme/production').review.allowed).toBe(true);
      });
    });
  });
}
