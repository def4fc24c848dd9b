/**
 * Approvals, break-glass in rollbacks, notes, verification and their audit trail (API.md "Rollbacks",
 * "Break-glass", "Audit", "Live updates"; docs/decisions/012-approvals.md), written once and run against
 * the in-memory app and the real server over HTTP (approvals.memory.contract.test.ts,
 * approvals.git.contract.test.ts).
 *
 * Demo policies: acme/production needs 1 approval, globex/production 2; both block self-approval.
 * Users: Sam requests, Dana and Priya approve, Marcus is admin (requests, approves, break-glass), Olu
 * requests and may open break-glass, Viktor only views. Each test makes its own change to roll back
 * (a canary file landed by "CI" in one service), so tests do not depend on each other's requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '#core/errors.ts';
import {
  auditResponseSchema,
  errorBodySchema,
  historyResponseSchema,
  rollbackDetailResponseSchema,
  rollbackRequestResponseSchema,
  type AuditEvent,
} from '#core/schemas.ts';
import { DEMO_END } from '#demo/demo-data.ts';
import { expectError, expectOk, openEventStream, type ApiHarness } from './harness.ts';
import { rollbackClient } from './rollback-client.ts';

const SAM = 'sam@example.com';
const DANA = 'dana@example.com';
const PRIYA = 'priya@example.com';
const MARCUS = 'marcus@example.com';
const OLU = 'olu@example.com';
const VIKTOR = 'viktor@example.com';

interface Where {
  tenant: string;
  environment: string;
  service: string;
}
const ACME_PROD: Where = { tenant: 'acme', environment: 'production', service: 'checkout' };
const GLOBEX_PROD: Where = { tenant: 'globex', environment: 'production', service: 'inventory' };

export function describeApprovalsContract(name: string, makeHarness: () => Promise<ApiHarness>): void {
  describe(`approvals contract: ${name}`, () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await makeHarness();
    }, 120_000);
    afterAll(async () => {
      await api?.close();
    });

    const { post, get } = rollbackClient(() => api, SAM);

    const ok = expectOk;
    const asRequest = (v: unknown) => rollbackRequestResponseSchema.parse(v).request;
    const review = (id: string, user: string, decision: 'approve' | 'reject', comment?: string) =>
      post(`/api/rollbacks/${id}/reviews`, { decision, ...(comment !== undefined ? { comment } : {}) }, user);
    const reviewOk = async (id: string, user: string, decision: 'approve' | 'reject', comment?: string) =>
      ok(await review(id, user, decision, comment), 200, asRequest);
    const detail = async (id: string) => ok(await get(`/api/rollbacks/${id}`), 200, (v) => rollbackDetailResponseSchema.parse(v));
    const history = async (where: Where, limit = 50) =>
      ok(await get(`/api/targets/${where.tenant}/${where.environment}/history?limit=${limit}`), 200, (v) => historyResponseSchema.parse(v)).then(
        (page) => page.revisions,
      );
    const auditOf = async (requestId: string, where: Where): Promise<AuditEvent[]> => {
      const page = await ok(await get(`/api/audit?tenant=${where.tenant}&environment=${where.environment}&limit=500`), 200, (v) => auditResponseSchema.parse(v));
      return page.events.filter((e) => e.requestId === requestId).reverse();
    };
    const commitsNaming = async (where: Where, requestId: string) =>
      (await history(where, 500)).filter((r) => r.rollback?.requestId === requestId).map((r) => r.sha);

    let canary = 0;
    const servicePath = (where: Where, file: string) => `tenants/${where.tenant}/${where.environment}/services/${where.service}/${file}`;
    /** CI lands a change to one service of the target; returns the revision before it. */
    const landCanary = async (where: Where) => {
      const [before] = await history(where, 1);
      canary += 1;
      await api.appendCommit({
        timestamp: new Date(Date.parse(DEMO_END) + 7_200_000 + canary * 60_000).toISOString(),
        author: { name: 'CI', email: 'ci@example.com' },
        message: `release ${where.service} canary ${canary}\n`,
        changes: { [servicePath(where, `canary-${canary}.yaml`)]: `canary: ${canary}\n` },
      });
      return before!.sha;
    };
    /** A request (by `user`) to roll the service back before a fresh canary release. */
    const requestRollback = async (where: Where, user = SAM, status = 201) => {
      const targetSha = await landCanary(where);
      const body = { tenant: where.tenant, environment: where.environment, mode: 'service', service: where.service, targetSha, justification: `undo canary ${canary}` };
      return ok(await post('/api/rollbacks', body, user), status, asRequest);
    };
    const openBreakGlass = async (user: string) => {
      const response = await post('/api/break-glass', { justification: 'checkout down, approvers unreachable', minutes: 15 }, user);
      expect(response.status, await response.clone().text()).toBe(201);
    };
    const closeBreakGlass = async (user: string) => {
      expect((await api.request('/api/break-glass', { method: 'DELETE', headers: { 'X-Forwarded-Email': user } })).status).toBe(204);
    };

    describe('review rules, with the exact errors', () => {
      it('only approver roles review; the 403 names the roles', async () => {
        const request = await requestRollback(ACME_PROD);
        expect(request).toMatchObject({ state: 'pending', requiredApprovals: 1, reviews: [] });
        await expectError(
          await review(request.id, SAM, 'approve'),
          403,
          'FORBIDDEN',
          'reviewing a rollback on acme/production requires the role approver or admin (sam@example.com has requester)',
        );
        await expectError(await review(request.id, VIKTOR, 'reject'), 403, 'FORBIDDEN', /requires the role approver or admin \(viktor@example\.com has viewer\)$/);
        await expectError(await review(request.id, OLU, 'approve'), 403, 'FORBIDDEN', /olu@example\.com has requester, break-glass/);
        expect((await detail(request.id)).request.reviews).toEqual([]);
      });

      it('never one\'s own request, whatever the case of the email', async () => {
        const request = await requestRollback(ACME_PROD, MARCUS);
        for (const user of [MARCUS, 'MARCUS@EXAMPLE.COM', 'Marcus@Example.com']) {
          for (const decision of ['approve', 'reject'] as const) {
            await expectError(await review(request.id, user, decision), 403, 'FORBIDDEN', MESSAGES.selfReview);
          }
        }
        expect((await detail(request.id)).request).toMatchObject({ state: 'pending', reviews: [] });
      });

      it('one review per approver (409), only while pending (400)', async () => {
        const request = await requestRollback(GLOBEX_PROD);
        const afterDana = await reviewOk(request.id, DANA, 'approve', 'matches the incident');
        expect(afterDana).toMatchObject({ state: 'pending', requiredApprovals: 2, reviews: [{ by: DANA, decision: 'approve', comment: 'matches the incident', stale: false }] });
        await expectError(await review(request.id, DANA, 'approve'), 409, 'CONFLICT', MESSAGES.alreadyReviewed);
        await expectError(await review(request.id, 'Dana@Example.com', 'reject'), 409, 'CONFLICT', MESSAGES.alreadyReviewed);

        const rejected = await reviewOk(request.id, PRIYA, 'reject', 'roll forward instead');
        expect(rejected.state).toBe('rejected');
        await expectError(await review(request.id, MARCUS, 'approve'), 400, 'BAD_REQUEST', MESSAGES.notPendingApproval);
      });

      it('rejects malformed bodies and unknown requests', async () => {
        const request = await requestRollback(ACME_PROD);
        await expectError(await post(`/api/rollbacks/${request.id}/reviews`, { decision: 'maybe' }, DANA), 400, 'BAD_REQUEST', /^decision: /);
        await expectError(await post(`/api/rollbacks/${request.id}/reviews`, {}, DANA), 400, 'BAD_REQUEST', /^decision: /);
        await expectError(await post(`/api/rollbacks/${request.id}/reviews`, { decision: 'approve', comment: 'x'.repeat(4001) }, DANA), 400, 'BAD_REQUEST', 'comment is too long: at most 4000 characters (got 4001)');
        await expectError(await post(`/api/rollbacks/${request.id}/reviews`, '{"decision":', DANA), 400, 'BAD_REQUEST', 'the request body is not valid JSON');
        await expectError(await review('rbk-doesnotexist', DANA, 'approve'), 404, 'NOT_FOUND', 'rollback request rbk-doesnotexist not found');
        const wrongType = await api.request(`/api/rollbacks/${request.id}/reviews`, { method: 'POST', headers: { 'X-Forwarded-Email': DANA, 'Content-Type': 'text/plain' }, body: '{}' });
        expect(wrongType.status).toBe(415);
        expect((await detail(request.id)).request.reviews).toEqual([]);
      });
    });

    describe('decisions', () => {
      it('a reject ends the request: rejected, nothing committed, execute refused, audited with the comment', async () => {
        const request = await requestRollback(ACME_PROD);
        const [head] = await history(ACME_PROD, 1);
        const rejected = await reviewOk(request.id, DANA, 'reject', 'this is not the bad release');
        expect(rejected).toMatchObject({ state: 'rejected', reviews: [{ by: DANA, decision: 'reject', comment: 'this is not the bad release', stale: false }] });
        expect(rejected.commitSha).toBeUndefined();
        expect((await history(ACME_PROD, 1))[0]!.sha).toBe(head!.sha);
        await expectError(await review(request.id, PRIYA, 'approve'), 400, 'BAD_REQUEST', MESSAGES.notPendingApproval);
        await expectError(await post(`/api/rollbacks/${request.id}/execute`, {}, SAM), 409, 'CONFLICT', `rollback request ${request.id} was rejected: it cannot be executed`);
        const events = await auditOf(request.id, ACME_PROD);
        expect(events.map((e) => [e.type, e.actor, e.details.decision, e.details.comment])).toEqual([
          ['rollback.requested', SAM, undefined, undefined],
          ['rollback.reviewed', DANA, 'reject', 'this is not the bad release'],
        ]);
      });

      it('quorum 2 on globex/production: the second approval executes in the call; the audit shows every step in order', async () => {
        const request = await requestRollback(GLOBEX_PROD);
        expect(await commitsNaming(GLOBEX_PROD, request.id)).toEqual([]);
        await reviewOk(request.id, DANA, 'approve', 'looks right');
        expect((await detail(request.id)).request.state).toBe('pending');
        const done = await reviewOk(request.id, PRIYA, 'approve', 'go');
        expect(done).toMatchObject({ state: 'completed', requiredApprovals: 2 });
        expect(done.reviews.map((r) => [r.by, r.decision, r.stale])).toEqual([[DANA, 'approve', false], [PRIYA, 'approve', false]]);
        expect(await commitsNaming(GLOBEX_PROD, request.id)).toEqual([done.commitSha]);
        const [head] = await history(GLOBEX_PROD, 1);
        expect(head).toMatchObject({ sha: done.commitSha, source: 'rollback', author: { email: SAM } });
        const events = await auditOf(request.id, GLOBEX_PROD);
        expect(events.map((e) => [e.type, e.actor, e.breakGlass])).toEqual([
          ['rollback.requested', SAM, false],
          ['rollback.reviewed', DANA, false],
          ['rollback.reviewed', PRIYA, false],
          ['rollback.executed', PRIYA, false],
        ]);
        expect(events[3]!.details).toMatchObject({ commitSha: done.commitSha, approval: `Approved by ${DANA}, ${PRIYA} (quorum: 2/2)` });
        // Completed: nobody reviews it any more.
        await expectError(await review(request.id, MARCUS, 'approve'), 400, 'BAD_REQUEST', MESSAGES.notPendingApproval);
        await expectError(await review(request.id, PRIYA, 'approve'), 409, 'CONFLICT', MESSAGES.alreadyReviewed);
      });

      it('with Prefer: respond-async the quorum approval answers 202 executing before its commit; the request then completes (decision 049)', async () => {
        const request = await requestRollback(GLOBEX_PROD);
        const async = { Prefer: 'respond-async' };
        // Below the quorum the preference changes nothing: 200, pending.
        const first = await post(`/api/rollbacks/${request.id}/reviews`, { decision: 'approve' }, DANA, async);
        expect(first.headers.get('preference-applied')).toBeNull();
        expect(await ok(first, 200, asRequest)).toMatchObject({ state: 'pending' });
        const second = await post(`/api/rollbacks/${request.id}/reviews`, { decision: 'approve', comment: 'go' }, PRIYA, async);
        expect(second.headers.get('preference-applied')).toBe('respond-async');
        const answered = await ok(second, 202, asRequest);
        expect(answered).toMatchObject({ state: 'executing', requiredApprovals: 2 });
        expect(answered.reviews.map((r) => r.by)).toEqual([DANA, PRIYA]);
        // The outcome is the request's: completed with its one commit, audited as in the synchronous answer.
        let now = answered;
        for (const deadline = Date.now() + 15_000; now.state === 'executing' && Date.now() < deadline; ) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          now = (await detail(request.id)).request;
        }
        expect(now.state).toBe('completed');
        expect(await commitsNaming(GLOBEX_PROD, request.id)).toEqual([now.commitSha]);
        const events = await auditOf(request.id, GLOBEX_PROD);
        expect(events.map((e) => [e.type, e.actor])).toEqual([
          ['rollback.requested', SAM],
          ['rollback.reviewed', DANA],
          ['rollback.reviewed', PRIYA],
          ['rollback.executed', PRIYA],
        ]);
        await expectError(await post(`/api/rollbacks/${request.id}/reviews`, { decision: 'approve' }, MARCUS, async), 400, 'BAD_REQUEST', MESSAGES.notPendingApproval);
      });

      it('approval binds to content: after the target moved, approving is a 409 naming the change until the requester confirms the new plan', async () => {
        const request = await requestRollback(GLOBEX_PROD);
        await reviewOk(request.id, DANA, 'approve');
        // CI changes another service of the target: the diff to commit is no longer the one approved.
        const moved = await api.appendCommit({
          timestamp: new Date(Date.parse(DEMO_END) + 7_200_000 + ++canary * 60_000).toISOString(),
          author: { name: 'CI', email: 'ci@example.com' },
          message: 'web: scale out\n',
          changes: { 'tenants/globex/production/services/web/scale.yaml': `replicas: ${canary}\n` },
        });
        // The request page says so before anyone clicks (decision 039).
        const stale = await detail(request.id);
        expect(stale.planChange).toMatchObject({ previousBaseSha: request.baseSha, baseSha: moved });
        expect(stale.planChange!.changes.join('; ')).toMatch(new RegExp(`is now made on ${moved.slice(0, 7)}`));
        await expectError(
          await review(request.id, PRIYA, 'approve'),
          409,
          'CONFLICT',
          new RegExp(`^the plan of rollback request ${request.id} changed since ${SAM} confirmed it on \\w{7}: .*cannot be approved until the requester confirms the new plan`),
        );
        expect(await commitsNaming(GLOBEX_PROD, request.id)).toEqual([]);
        expect((await detail(request.id)).request.reviews.map((r) => r.by)).toEqual([DANA]);
        // Only the requester confirms; then the earlier approvals are stale and the plan is the new one.
        await expectError(await post(`/api/rollbacks/${request.id}/confirm-plan`, {}, DANA), 403, 'FORBIDDEN', /only the requester/);
        const confirmed = await ok(await post(`/api/rollbacks/${request.id}/confirm-plan`, {}, SAM), 200, asRequest);
        expect(confirmed).toMatchObject({ state: 'pending', baseSha: moved, requiredApprovals: 2 });
        const { request: back, diff, planChange } = await detail(request.id);
        expect(planChange).toBeUndefined();
        expect(back.diffHash).not.toBe(request.diffHash);
        expect(diff.diffHash).toBe(back.diffHash);
        expect(back.reviews.map((r) => [r.by, r.stale])).toEqual([[DANA, true]]);
        const audited = (await auditOf(request.id, GLOBEX_PROD)).at(-1)!;
        expect(audited).toMatchObject({ type: 'rollback.plan-confirmed', actor: SAM, details: { previousDiffHash: request.diffHash, diffHash: back.diffHash, dismissedReviews: 1 } });
        // Stale reviews do not count against reviewing the new diff.
        expect((await reviewOk(request.id, DANA, 'approve', 'new diff checked')).state).toBe('pending');
        const done = await reviewOk(request.id, PRIYA, 'approve');
        expect(done.state).toBe('completed');
        expect(await commitsNaming(GLOBEX_PROD, request.id)).toEqual([done.commitSha]);
      });

      it('two approvers racing for the last slot make exactly one commit', async () => {
        for (let race = 0; race < 5; race++) {
          const request = await requestRollback(ACME_PROD);
          const responses = await Promise.all([review(request.id, DANA, 'approve'), review(request.id, PRIYA, 'approve')]);
          const statuses = responses.map((r) => r.status).sort();
          expect(statuses, `race ${race}`).toEqual([200, 400]);
          const loser = responses.find((r) => r.status === 400)!;
          expect(errorBodySchema.parse(await loser.json()).error.message).toBe(MESSAGES.notPendingApproval);
          const done = (await detail(request.id)).request;
          expect(done.state).toBe('completed');
          expect(done.reviews).toHaveLength(1);
          expect(await commitsNaming(ACME_PROD, request.id)).toEqual([done.commitSha]);
          expect((await auditOf(request.id, ACME_PROD)).filter((e) => e.type === 'rollback.executed')).toHaveLength(1);
        }
      }, 60_000);
    });

    describe('break-glass', () => {
      it('a break-glass user\'s request executes at once, flagged in the request, the audit and the commit', async () => {
        await openBreakGlass(OLU);
        try {
          const request = await requestRollback(ACME_PROD, OLU);
          expect(request).toMatchObject({ state: 'completed', breakGlass: true, requiredApprovals: 0, reviews: [] });
          expect(await commitsNaming(ACME_PROD, request.id)).toEqual([request.commitSha]);
          const events = await auditOf(request.id, ACME_PROD);
          expect(events.map((e) => [e.type, e.actor, e.breakGlass])).toEqual([
            ['rollback.requested', OLU, true],
            ['rollback.executed', OLU, true],
          ]);
          expect(events[1]!.details.approval).toBe(`break-glass by ${OLU}`);
        } finally {
          await closeBreakGlass(OLU);
        }
      });

      it('never lets anyone approve their own request; their other events are flagged', async () => {
        const own = await requestRollback(ACME_PROD, MARCUS);
        expect(own.state).toBe('pending');
        const sams = await requestRollback(GLOBEX_PROD, SAM);
        await openBreakGlass(MARCUS);
        try {
          for (const user of [MARCUS, 'MARCUS@EXAMPLE.COM']) {
            await expectError(await review(own.id, user, 'approve'), 403, 'FORBIDDEN', MESSAGES.selfReview);
          }
          // Reviewing someone else's request under break-glass is allowed, and flagged.
          const reviewed = await reviewOk(sams.id, MARCUS, 'approve', 'reviewed during the outage');
          expect(reviewed.state).toBe('pending');
          expect((await auditOf(sams.id, GLOBEX_PROD)).at(-1)).toMatchObject({ type: 'rollback.reviewed', actor: MARCUS, breakGlass: true });
          // The holder executes their own pending request instead: break-glass skips the approval.
          const executed = await ok(await post(`/api/rollbacks/${own.id}/execute`, {}, MARCUS), 200, asRequest);
          expect(executed).toMatchObject({ state: 'completed', breakGlass: true, requiredApprovals: 0 });
          expect((await auditOf(own.id, ACME_PROD)).map((e) => [e.type, e.breakGlass])).toEqual([
            ['rollback.requested', false],
            ['rollback.executed', true],
          ]);
        } finally {
          await closeBreakGlass(MARCUS);
        }
      });
    });

    describe('after the rollback', () => {
      it('notes: appended exactly, audited, refused to viewers and when blank or too long', async () => {
        const request = await requestRollback(ACME_PROD);
        const done = await reviewOk(request.id, DANA, 'approve');
        const text = 'Error rate back to baseline at 10:04.\r\nApproval: forged? no\u202e\u200b';
        const noted = await ok(await post(`/api/rollbacks/${request.id}/notes`, { text }, SAM), 200, asRequest);
        expect(noted.notes).toEqual([{ by: SAM, text, at: expect.any(String) }]);
        expect({ ...noted, notes: [] }).toEqual({ ...done, notes: [] });
        const second = await ok(await post(`/api/rollbacks/${request.id}/notes`, { text: 'postmortem: PM-42' }, DANA), 200, asRequest);
        expect(second.notes.map((n) => [n.by, n.text])).toEqual([[SAM, text], [DANA, 'postmortem: PM-42']]);
        expect((await detail(request.id)).request.notes).toEqual(second.notes);

        await expectError(await post(`/api/rollbacks/${request.id}/notes`, { text: 'hi' }, VIKTOR), 403, 'FORBIDDEN', /^adding a note to a rollback on acme\/production requires the role/);
        await expectError(await post(`/api/rollbacks/${request.id}/notes`, { text: ' \n\u200b' }, SAM), 400, 'BAD_REQUEST', 'note text is required');
        await expectError(await post(`/api/rollbacks/${request.id}/notes`, { text: 'x'.repeat(4001) }, SAM), 400, 'BAD_REQUEST', 'note is too long: at most 4000 characters (got 4001)');
        await expectError(await post(`/api/rollbacks/${request.id}/notes`, {}, SAM), 400, 'BAD_REQUEST', /^text: /);
        await expectError(await post('/api/rollbacks/rbk-doesnotexist/notes', { text: 'x' }, SAM), 404, 'NOT_FOUND');
        const events = (await auditOf(request.id, ACME_PROD)).filter((e) => e.type === 'rollback.note-added');
        expect(events.map((e) => [e.actor, e.details.text, e.breakGlass])).toEqual([[SAM, text, false], [DANA, 'postmortem: PM-42', false]]);
      });

      it('verification: the commit on the branch, the affected services\' state, drift when the files change', async () => {
        const request = await requestRollback(ACME_PROD);
        expect((await detail(request.id)).verification).toBeUndefined();
        const done = await reviewOk(request.id, DANA, 'approve');
        const { verification } = await detail(request.id);
        expect(verification).toMatchObject({ commitOnBranch: true, drift: false });
        expect(verification!.services.map((s) => s.name)).toEqual(done.affectedServices);
        expect(done.affectedServices).toEqual([ACME_PROD.service]);
        // Another service changing is no drift; the rolled-back service changing is.
        await landCanary({ ...ACME_PROD, service: 'web' });
        expect((await detail(request.id)).verification!.drift).toBe(false);
        await landCanary(ACME_PROD);
        expect((await detail(request.id)).verification).toMatchObject({ commitOnBranch: true, drift: true });
      });
    });

    describe('the audit of one request (GET /api/audit?requestId=, decision 016)', () => {
      const auditPage = async (query: string) => ok(await get(`/api/audit?${query}`), 200, (v) => auditResponseSchema.parse(v));
      const allPages = async (query: string) => {
        const events: AuditEvent[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await auditPage(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          events.push(...page.events);
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor && pages < 50);
        return { events, pages };
      };

      it('returns exactly the request\'s events, newest first, by cursor, and combines with type and actor', async () => {
        // Another request on the same target (another service: it is not superseded), with events in between, must not show.
        const other = await requestRollback({ ...GLOBEX_PROD, service: 'payments' }, MARCUS);
        const request = await requestRollback(GLOBEX_PROD);
        await reviewOk(request.id, DANA, 'approve', 'looks right');
        await reviewOk(other.id, DANA, 'reject', 'not this one');
        await ok(await post(`/api/rollbacks/${request.id}/notes`, { text: 'watching the error rate' }, SAM), 200, asRequest);
        await openBreakGlass(OLU);
        await closeBreakGlass(OLU);
        const done = await reviewOk(request.id, PRIYA, 'approve', 'go');
        expect(done.state).toBe('completed');

        const expected: [string, string][] = [
          ['rollback.executed', PRIYA],
          ['rollback.reviewed', PRIYA],
          ['rollback.note-added', SAM],
          ['rollback.reviewed', DANA],
          ['rollback.requested', SAM],
        ];
        const whole = await auditPage(`requestId=${request.id}&limit=500`);
        expect(whole.events.map((e) => [e.type, e.actor])).toEqual(expected);
        expect(whole.events.every((e) => e.requestId === request.id && e.tenant === 'globex' && e.environment === 'production')).toBe(true);
        expect(whole.nextCursor).toBeNull();
        // The same events, in the same order, as scanning the target and keeping the request's.
        expect([...whole.events].reverse()).toEqual(await auditOf(request.id, GLOBEX_PROD));

        const paged = await allPages(`requestId=${request.id}&limit=2`);
        expect(paged.pages).toBe(3);
        expect(paged.events).toEqual(whole.events);

        const reviews = await allPages(`requestId=${request.id}&type=rollback.reviewed&limit=1`);
        expect(reviews.events.map((e) => [e.actor, e.details.comment])).toEqual([[PRIYA, 'go'], [DANA, 'looks right']]);
        expect((await auditPage(`requestId=${request.id}&actor=${encodeURIComponent(SAM.toUpperCase())}`)).events.map((e) => e.type)).toEqual([
          'rollback.note-added',
          'rollback.requested',
        ]);
        expect((await auditPage(`requestId=${request.id}&tenant=globex&environment=production&type=rollback.executed`)).events).toHaveLength(1);
        expect((await auditPage(`requestId=${request.id}&tenant=acme`)).events).toEqual([]);
        expect((await auditPage(`requestId=${other.id}`)).events.map((e) => [e.type, e.actor])).toEqual([
          ['rollback.reviewed', DANA],
          ['rollback.requested', MARCUS],
        ]);
      });

      it('an unknown request is an empty page; a malformed id is a 400 naming the parameter', async () => {
        expect(await auditPage('requestId=rbk-doesnotexist')).toEqual({ events: [], nextCursor: null });
        await expectError(await get('/api/audit?requestId=rbk_1'), 400, 'BAD_REQUEST', /^requestId: must be a rollback request id/);
        await expectError(await get(`/api/audit?requestId=${encodeURIComponent('rbk-1\u202e')}`), 400, 'BAD_REQUEST', /^requestId: /);
      });
    });

    describe('live updates', () => {
      it('a review publishes request.updated for the request, and its commit revision.created', async () => {
        const request = await requestRollback(ACME_PROD);
        const stream = await openEventStream(api);
        try {
          await stream.readUntil(/event: ready/);
          await reviewOk(request.id, DANA, 'approve');
          // The claim (executing) is published before the commit, the commit before its completion.
          const text = await stream.readUntil(/"type":"revision\.created"/);
          expect(text).toContain(`data: {"type":"request.updated","tenant":"acme","environment":"production","requestId":"${request.id}"}`);
          expect(text).toContain('data: {"type":"revision.created","tenant":"acme","environment":"production"}');
        } finally {
          await stream.close();
        }
      });
    });
  });
}
