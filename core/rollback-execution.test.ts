/** Execution of rollback requests: re-planning, conflicts, failures, and exactly one commit under concurrency. */
import { requestStoreBackends } from '#tests/support/request-store-backends.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseRollbackMessage } from './commit-message.ts';
import { RewindError, unavailable } from './errors.ts';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import type { RequestStoreTx, TransactionScope } from './ports.ts';
import { reconcileInterruptedRequests } from './reconcile-requests.ts';
import { approvalText } from './rollback-commit.ts';
import { SequentialIds, StaticTargetCatalog } from './basic-adapters.ts';
import type { RollbackRequest } from './schemas.ts';
import {
  SAM,
  DANA,
  OLU,
  VIKTOR,
  STAGING,
  PRODUCTION,
  GLOBEX,
  apiValues,
  apiSecret,
  webValues,
  values,
  secret,
  body,
  makeFixture,
  rewindError,
  auditOf,
  type Fixture,
} from '#tests/fixtures/rollback-service-fixture.ts';

// --- Execution ------------------------------------------------------------------------------------------

describe('execute', () => {
  let f: Fixture;
  beforeEach(() => {
    f = makeFixture();
  });

  /** A staging request whose first commit failed (a git error), so it can be executed again. */
  async function failedRequest(fixture = f): Promise<RollbackRequest> {
    fixture.revisions.beforeCommit = () => {
      throw new Error('git commit-tree failed: disk full');
    };
    const { request } = await fixture.service.createRequest(SAM, body(STAGING, fixture.good.get(STAGING)!));
    expect(request).toMatchObject({ state: 'failed', error: 'git commit-tree failed: disk full' });
    expect(request.commitSha).toBeUndefined();
    return request;
  }

  it('a database gone between the commit and its record: a 503 naming the commit, never "nothing was changed"; reconciliation records it', async () => {
    class FlakyStore extends InMemoryRequestStore {
      down = false;
      override transaction<T>(work: (tx: RequestStoreTx) => Promise<T>, scope?: TransactionScope): Promise<T> {
        if (this.down) return Promise.reject(unavailable('the database cannot be reached (connect ECONNREFUSED): nothing was changed; try again shortly'));
        return super.transaction(work, scope);
      }
    }
    const requests = new FlakyStore();
    const fixture = makeFixture(requests);
    fixture.revisions.beforeCommit = () => {
      requests.down = true;
    };
    const error = await rewindError(fixture.service.createRequest(SAM, body(STAGING, fixture.good.get(STAGING)!)));
    const [commitSha] = fixture.revisions.made;
    expect(commitSha).toBeDefined();
    expect([error.status, error.code]).toEqual([503, 'UNAVAILABLE']);
    expect(error.message).toMatch(new RegExp(`^the database cannot be reached to record rollback request \\S+: its commit ${commitSha!.slice(0, 7)} is on the branch, .*do not execute it again$`));
    expect(error.message).not.toMatch(/nothing was changed/);

    requests.down = false;
    const [stuck] = (await requests.listRequests({ state: 'executing' }, null, 10)).items;
    expect(stuck).toBeDefined();
    const settled = await reconcileInterruptedRequests({ revisions: fixture.revisions, requests, catalog: new StaticTargetCatalog([STAGING]), clock: fixture.clock, ids: new SequentialIds() });
    expect(settled).toEqual({ completed: [{ id: stuck!.id, commitSha }], failed: [] });
    expect(fixture.revisions.made).toEqual([commitSha]);
  });

  it('records a failed commit, then retries it', async () => {
    const failed = await failedRequest();
    expect((await auditOf(f.requests, failed.id)).map((e) => [e.type, e.details.error])).toEqual([
      ['rollback.requested', undefined],
      ['rollback.failed', 'git commit-tree failed: disk full'],
    ]);
    const done = await f.service.execute(failed.id, DANA);
    expect(done).toMatchObject({ state: 'completed' });
    expect(done.error).toBeUndefined();
    expect(f.revisions.made).toEqual([done.commitSha]);
    const events = await auditOf(f.requests, failed.id);
    expect(events.at(-1)).toMatchObject({ type: 'rollback.executed', actor: DANA.email });
    const again = await rewindError(f.service.execute(failed.id, SAM));
    expect([again.status, again.message]).toEqual([409, `rollback request ${failed.id} is already completed (commit ${done.commitSha!.slice(0, 7)})`]);
  });

  it('refuses to execute a stored request whose revision is not in the target history: 400, nothing committed', async () => {
    const failed = await failedRequest();
    // A request stored before the rule existed, restoring another target's revision.
    const foreign: RollbackRequest = { ...failed, id: 'rbk-foreign', targetSha: f.good.get(PRODUCTION)! };
    await f.requests.transaction((tx) => tx.insertRequest(foreign));
    const refused = await rewindError(f.service.execute(foreign.id, SAM));
    expect([refused.status, refused.field, refused.rule]).toEqual([400, 'targetSha', 'foreign-revision']);
    expect(refused.message).toBe(
      `rollback request rbk-foreign cannot be executed: revision ${foreign.targetSha.slice(0, 7)} is not in the history of acme/staging: ` +
        "it changed none of the target's files. Pick a revision from the history of acme/staging",
    );
    expect(f.revisions.made).toEqual([]);
    expect(await f.requests.getRequest(foreign.id)).toMatchObject({ state: 'failed', error: expect.stringContaining('not in the history of acme/staging') });
  });

  it('needs a requester or approver role, and a known request', async () => {
    const failed = await failedRequest();
    const viewer = await rewindError(f.service.execute(failed.id, VIKTOR));
    expect([viewer.status, viewer.message]).toEqual([
      403,
      'executing a rollback on acme/staging requires the role requester, approver or admin (viktor@example.com has viewer)',
    ]);
    for (const id of ['rbk-nope', '../etc', 'RBK-1']) {
      const missing = await rewindError(f.service.execute(id, SAM));
      expect([missing.status, missing.message]).toEqual([404, `rollback request ${id} not found`]);
    }
  });

  it('commits nothing and answers 409 when the branch moves between plan and commit; the retry commits', async () => {
    const failed = await failedRequest();
    let landed = '';
    f.revisions.beforeCommit = () => {
      landed = f.land(PRODUCTION, { [webValues(PRODUCTION)]: 'replicas: 7\n' }, 'CI: unrelated release\n');
    };
    const error = await rewindError(f.service.execute(failed.id, SAM));
    expect(error.status).toBe(409);
    expect(error.message).toMatch(new RegExp(`^the branch moved: .*: nothing was committed; rollback request ${failed.id} failed and can be executed again$`));
    expect(await f.revisions.branchHead()).toBe(landed);
    expect(f.revisions.made).toEqual([]);
    const after = (await f.service.get(failed.id)).request;
    expect(after.state).toBe('failed');
    expect((await auditOf(f.requests, failed.id)).at(-1)).toMatchObject({ type: 'rollback.failed', details: { conflict: true } });
    // The other target's commit did not change this rollback's diff: the retry goes through.
    const done = await f.service.execute(failed.id, SAM);
    expect(done.state).toBe('completed');
    expect(f.revisions.made).toEqual([done.commitSha]);
  });

  it('does not execute a changed diff: 409 naming the change, pending again, approvals dismissed', async () => {
    const failed = await failedRequest();
    // A review given on the old diff (the approvals flow adds these; written directly here).
    await f.requests.transaction((tx) =>
      tx.addReview(failed.id, { by: DANA.email, decision: 'approve', comment: 'ok', at: '2026-11-21T10:01:00.000Z', stale: false }),
    );
    const moved = f.land(STAGING, { [apiValues(STAGING)]: values('v2.0.1', '800') }, 'hotfix api v2.0.1\n');
    const error = await rewindError(f.service.execute(failed.id, SAM));
    expect(error.status).toBe(409);
    expect(error.message).toBe(
      `the rollback no longer matches the diff it was planned with: acme/staging moved from ${failed.baseSha.slice(0, 7)} to ${moved.slice(0, 7)} ` +
        `(changed: ${apiValues(STAGING)}). Nothing was committed; rollback request ${failed.id} is pending again and its approvals were dismissed: review the new diff`,
    );
    expect(f.revisions.made).toEqual([]);
    const { request, diff } = await f.service.get(failed.id);
    expect(request).toMatchObject({ state: 'pending', baseSha: moved, requiredApprovals: 0 });
    expect(request.diffHash).not.toBe(failed.diffHash);
    expect(request.diffHash).toBe(diff.diffHash);
    expect(request.reviews.map((r) => r.stale)).toEqual([true]);
    expect((await auditOf(f.requests, failed.id)).at(-1)).toMatchObject({
      type: 'rollback.approvals-dismissed',
      actor: SAM.email,
      details: { previousDiffHash: failed.diffHash, diffHash: request.diffHash, previousBaseSha: failed.baseSha, baseSha: moved, dismissedReviews: 1 },
    });
    // Staging needs no approval: the requester executes the new diff.
    const done = await f.service.execute(failed.id, SAM);
    expect(done.state).toBe('completed');
    const [commit] = await f.revisions.log({ paths: STAGING.layout.paths, limit: 1 });
    expect(commit!.sha).toBe(done.commitSha);
  });

  it('closes a request that has nothing left to roll back (a 409 for the execute; no retry offered)', async () => {
    const failed = await failedRequest();
    f.land(STAGING, { [apiValues(STAGING)]: values('v1.0.0', '3000'), [apiSecret(STAGING)]: secret('Old-Pa55word!') }, 'manual revert\n');
    const error = await rewindError(f.service.execute(failed.id, SAM));
    expect(error.status).toBe(409);
    expect(error.message).toMatch(/cannot be executed: nothing to roll back: service api of acme\/staging already matches/);
    const { request } = await f.service.get(failed.id);
    expect(request).toMatchObject({ state: 'closed', closedReason: expect.stringMatching(/^Closed: nothing to roll back/) });
    expect(request.error).toBeUndefined();
    await expect(f.service.execute(failed.id, SAM)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/is closed: it cannot be executed/) });
  });

  it('executes an approved request with the approvals in the commit message', async () => {
    const { request } = await f.service.createRequest(SAM, body(PRODUCTION, f.good.get(PRODUCTION)!));
    // What the approvals flow will do when the quorum is reached.
    await f.requests.transaction(async (tx) => {
      await tx.addReview(request.id, { by: DANA.email, decision: 'approve', comment: 'go', at: '2026-11-21T10:02:00.000Z', stale: false });
      await tx.updateRequest({ ...request, state: 'approved' });
    });
    const done = await f.service.executeAs(request.id, DANA.email);
    expect(done.state).toBe('completed');
    const [commit] = await f.revisions.log({ paths: PRODUCTION.layout.paths, limit: 1 });
    expect(parseRollbackMessage(commit!.message)!.approval).toBe('Approved by dana@example.com (quorum: 1/1)');
    expect(approvalText({ ...request, requiredApprovals: 2, reviews: [
      { by: 'a@x', decision: 'approve', comment: '', at: request.createdAt, stale: false },
      { by: 'c@x', decision: 'approve', comment: '', at: request.createdAt, stale: true },
      { by: 'b@y', decision: 'approve', comment: '', at: request.createdAt, stale: false },
    ] })).toBe('Approved by a@x, b@y (quorum: 2/2)');
  });

  it('lets only the requester with break-glass execute a pending request of an approval target', async () => {
    const { request } = await f.service.createRequest(OLU, body(PRODUCTION, f.good.get(PRODUCTION)!));
    expect(request.state).toBe('pending');
    await f.requests.transaction((tx) =>
      tx.openBreakGlass({ user: OLU.email, justification: 'now', openedAt: '2026-11-21T10:00:00.000Z', expiresAt: '2026-11-21T11:00:00.000Z' }),
    );
    expect((await rewindError(f.service.execute(request.id, SAM))).status).toBe(409);
    const done = await f.service.execute(request.id, OLU);
    expect(done).toMatchObject({ state: 'completed', breakGlass: true, requiredApprovals: 0 });
  });

  it('lists requests newest first with filters', async () => {
    const a = (await f.service.createRequest(SAM, body(PRODUCTION, f.good.get(PRODUCTION)!))).request;
    f.clock.advance(1000);
    const b = (await f.service.createRequest(SAM, body(STAGING, f.good.get(STAGING)!))).request;
    expect((await f.service.list({}, null, 10)).items.map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await f.service.list({ state: 'pending' }, null, 10)).items.map((r) => r.id)).toEqual([a.id]);
    expect((await f.service.list({ environment: 'staging' }, null, 10)).items.map((r) => r.id)).toEqual([b.id]);
    const first = await f.service.list({}, null, 1);
    expect(first.items.map((r) => r.id)).toEqual([b.id]);
    expect((await f.service.list({}, first.nextCursor, 1)).items.map((r) => r.id)).toEqual([a.id]);
  });

  it('shows a pending request with its current preview and a completed one with its commit', async () => {
    const pending = (await f.service.createRequest(SAM, body(PRODUCTION, f.good.get(PRODUCTION)!))).request;
    const preview = await f.service.preview(PRODUCTION, { mode: 'service', service: 'api', targetSha: f.good.get(PRODUCTION)! });
    // The request page shows the plan; versions and hints were recorded with the request when it was made.
    const { versions: _versions, hints: _hints, ...plan } = preview;
    expect((await f.service.get(pending.id)).diff).toEqual(plan);

    const stagingPreview = await f.service.preview(STAGING, { mode: 'service', service: 'api', targetSha: f.good.get(STAGING)! });
    const done = (await f.service.createRequest(SAM, body(STAGING, f.good.get(STAGING)!))).request;
    const { diff } = await f.service.get(done.id);
    expect(diff.from).toBe(done.baseSha);
    expect(diff.to).toBe(done.commitSha);
    // The commit is exactly the change that was previewed.
    expect({ files: diff.files, fields: diff.fields, impact: diff.impact }).toEqual({
      files: stagingPreview.files,
      fields: stagingPreview.fields,
      impact: stagingPreview.impact,
    });
    // A pending request whose selection has nothing left to do says so instead of failing the page.
    f.land(PRODUCTION, { [apiValues(PRODUCTION)]: values('v1.0.0', '3000'), [apiSecret(PRODUCTION)]: secret('Old-Pa55word!') }, 'manual revert\n');
    const stale = await f.service.get(pending.id);
    expect(stale.diff.files).toEqual([]);
    expect(stale.diff.diffError).toMatch(/^nothing to roll back/);
    // ... and is closed as such: nothing is left to approve (decision 039).
    expect(stale.request.state).toBe('closed');
    await expect(f.service.get('rbk-unknown')).rejects.toMatchObject({ status: 404, message: 'rollback request rbk-unknown not found' });
  });
});

// --- Concurrency, on both request stores -------------------------------------------------------------

describe.each(requestStoreBackends('rollback-service'))('double execution (%s request store)', (_name, open) => {
  it('executions queued together land as one series, each its own commit; two of one target never both plan on the same head (decision 049)', async () => {
    const { store, close } = await open();
    try {
      const f = makeFixture(store);
      const before = await f.revisions.branchHead();
      // GLOBEX's commit is held until both STAGING rollbacks wait behind it: they form the next batch.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      f.revisions.beforeCommit = () => held;
      const first = f.service.createRequest(SAM, body(GLOBEX, f.good.get(GLOBEX)!));
      const queued = [
        f.service.createRequest(SAM, body(STAGING, f.good.get(STAGING)!)),
        f.service.createRequest(SAM, body(STAGING, f.good.get(STAGING)!, { mode: 'full', service: undefined })),
      ];
      // Both claimed (`executing`) and past their early plan (in-memory: a few milliseconds) before the
      // held commit goes on; on a busy machine the wait only grows, it never lets one through early.
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
        const executing = (await f.requests.listRequests({ state: 'executing', tenant: 'acme' }, null, 10)).items;
        if (executing.length === 2) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      const results = await Promise.allSettled([first, ...queued]);
      const landed = results.filter((r) => r.status === 'fulfilled').map((r) => r.value.request);
      const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason as RewindError);
      // GLOBEX lands; of the two STAGING rollbacks the second is planned again on the first's commit,
      // where it no longer matches (dismissed) or has nothing left to do (closed): a 409 either way.
      expect(landed.map((r) => [r.tenant, r.state])).toContainEqual(['globex', 'completed']);
      expect(landed.filter((r) => r.tenant === 'acme').map((r) => r.state)).toEqual(['completed']);
      expect(refused.map((e) => e.status)).toEqual([409]);
      expect(f.revisions.made).toHaveLength(2);
      // A series on the branch: each commit on top of the one before, none lost.
      const log = await f.revisions.log({ paths: ['tenants/'], limit: 10 });
      expect(log.slice(0, 2).map((c) => c.sha).sort()).toEqual([...f.revisions.made].sort());
      expect(log[2]!.sha).toBe(before);
      for (const request of landed) expect(f.revisions.made).toContain(request.commitSha);
    } finally {
      await close();
    }
  });

  it('makes exactly one commit of 20 concurrent executions', async () => {
    const { store, close } = await open();
    try {
      const f = makeFixture(store);
      f.revisions.beforeCommit = () => {
        throw new Error('transient git failure');
      };
      const { request } = await f.service.createRequest(SAM, body(STAGING, f.good.get(STAGING)!));
      expect(request.state).toBe('failed');
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => f.service.execute(request.id, SAM)));
      const done = results.filter((r) => r.status === 'fulfilled');
      expect(done).toHaveLength(1);
      expect(f.revisions.made).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') {
          expect(result.reason).toBeInstanceOf(RewindError);
          expect((result.reason as RewindError).status).toBe(409);
          expect((result.reason as RewindError).message).toMatch(/is already (executing|completed)/);
        }
      }
      const events = await auditOf(f.requests, request.id);
      expect(events.filter((e) => e.type === 'rollback.executed')).toHaveLength(1);
      expect((await f.service.get(request.id)).request).toMatchObject({ state: 'completed', commitSha: f.revisions.made[0] });
    } finally {
      await close();
    }
  });
});
