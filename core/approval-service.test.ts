import { HookedRevisionStore } from '#tests/support/hooked-revision-store.ts';
import { requestStoreBackends } from '#tests/support/request-store-backends.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { ApprovalService, checkNoteText } from './approval-service.ts';
import { SimulatedClusterStatus } from '#demo/simulated-cluster.ts';
import { FixedClock, SequentialIds, StaticTargetCatalog, StaticUserDirectory } from './basic-adapters.ts';
import { parseRollbackMessage } from './commit-message.ts';
import { MESSAGES, RewindError } from './errors.ts';
import { EventBus, type LiveEvent } from './events.ts';
import type { RequestStore, RequestStoreTx } from './ports.ts';
import { INTERRUPTED_ERROR, reconcileInterruptedRequests, SYSTEM_ACTOR } from './reconcile-requests.ts';
import { RollbackService, type RollbackHooks } from './rollback-service.ts';
import type { CreateRollbackBody, RollbackRequest, User } from './schemas.ts';
import { defaultLayout, type TargetConfig } from './target-config.ts';

// --- Fixture -------------------------------------------------------------------------------------------

const SAM: User = { email: 'sam@example.com', name: 'Sam Rivera', roles: ['requester'] };
const DANA: User = { email: 'dana@example.com', name: 'Dana Whitfield', roles: ['approver'] };
const PRIYA: User = { email: 'priya@example.com', name: 'Priya Raman', roles: ['approver'] };
/** The directory spells Marcus's email with capitals; identity proxies may not. */
const MARCUS: User = { email: 'Marcus@Example.com', name: 'Marcus Okafor', roles: ['admin'] };
const OLU: User = { email: 'olu@example.com', name: 'Olu Adeyemi', roles: ['requester', 'break-glass'] };
const VIKTOR: User = { email: 'viktor@example.com', name: 'Viktor Lindqvist', roles: ['viewer'] };
const CI = { name: 'CI', email: 'ci@example.com' };

function makeTarget(tenant: string, environment: string, requiredApprovals: number, blockSelfApproval = true): TargetConfig {
  return {
    tenant,
    environment,
    plan: 'enterprise',
    features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
    policy: {
      requiredApprovals,
      blockSelfApproval,
      requesters: ['requester', 'approver', 'admin'],
      approvers: ['approver', 'admin'],
      breakGlass: ['break-glass', 'admin'],
    },
    layout: defaultLayout(tenant, environment, ['api', 'web']),
  };
}

const STAGING = makeTarget('acme', 'staging', 0);
const PROD = makeTarget('acme', 'production', 1);
const GLOBEX = makeTarget('globex', 'production', 2);
const SELF = makeTarget('acme', 'sandbox', 1, false);
/** More approvals than the fixture has approvers: reviews never execute it. */
const QUORUM_4 = makeTarget('initech', 'production', 4);
const TARGETS = [STAGING, PROD, GLOBEX, SELF, QUORUM_4];

const root = (t: TargetConfig) => `tenants/${t.tenant}/${t.environment}`;
const apiValues = (t: TargetConfig) => `${root(t)}/services/api/values.yaml`;
const webValues = (t: TargetConfig) => `${root(t)}/services/web/values.yaml`;
const values = (tag: string) => `image:\n  repository: registry.example.com/api\n  tag: "${tag}"\nreplicas: 3\n`;

interface Fixture {
  revisions: HookedRevisionStore;
  requests: RequestStore;
  rollbacks: RollbackService;
  approvals: ApprovalService;
  clock: FixedClock;
  events: LiveEvent[];
  good: Map<TargetConfig, string>;
  land(changes: Record<string, string | null>, message?: string): string;
  /** A new api release on the target, and a pending request (by `user`) to roll it back. */
  pending(target: TargetConfig, user?: User): Promise<RollbackRequest>;
}

let minute = 0;
let release = 0;
const nextTime = () => new Date(Date.UTC(2026, 10, 20, 9, 0) + ++minute * 60_000).toISOString();

function makeFixture(requests: RequestStore = new InMemoryRequestStore(), hooks?: RollbackHooks): Fixture {
  const revisions = new HookedRevisionStore();
  const land = (changes: Record<string, string | null>, message = 'release\n') => revisions.append({ timestamp: nextTime(), author: CI, message, changes });
  const good = new Map<TargetConfig, string>();
  for (const t of TARGETS) {
    land({ [`${root(t)}/kustomization.yaml`]: 'resources: []\n', [apiValues(t)]: values('v1.0.0'), [webValues(t)]: 'replicas: 2\n' }, 'bootstrap\n');
    good.set(t, land({ [webValues(t)]: 'replicas: 3\n' }, 'release web\n'));
  }
  const clock = new FixedClock(new Date('2026-11-21T10:00:00Z'));
  const ids = new SequentialIds();
  const bus = new EventBus();
  const events: LiveEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const rollbacks = new RollbackService({
    revisions,
    requests,
    catalog: new StaticTargetCatalog(TARGETS),
    clock,
    ids,
    users: new StaticUserDirectory([SAM, DANA, PRIYA, MARCUS, OLU, VIKTOR]),
    events: bus,
    hooks,
  });
  const approvals = new ApprovalService({ rollbacks, revisions, requests, clock, ids, cluster: new SimulatedClusterStatus(revisions, clock), events: bus });
  const pending = async (target: TargetConfig, user: User = SAM) => {
    land({ [apiValues(target)]: values(`v2.${++release}.0`) }, `release api v2.${release}.0\n`);
    const { request } = await rollbacks.createRequest(user, body(target, good.get(target)!));
    return request;
  };
  return { revisions, requests, rollbacks, approvals, clock, events, good, land, pending };
}

const body = (t: TargetConfig, sha: string): CreateRollbackBody => ({
  tenant: t.tenant,
  environment: t.environment,
  mode: 'service',
  service: 'api',
  targetSha: sha,
  justification: 'api release returns 500s',
});

async function rewindError(promise: Promise<unknown>): Promise<RewindError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RewindError) return error;
    throw error;
  }
  throw new Error('expected a RewindError');
}

async function auditOf(requests: RequestStore, requestId: string) {
  const page = await requests.listAudit({}, null, 500);
  return page.items.filter((e) => e.requestId === requestId).reverse();
}

const approve = { decision: 'approve' } as const;

// --- Rules ---------------------------------------------------------------------------------------------

describe('reviews', () => {
  let f: Fixture;
  beforeEach(() => {
    f = makeFixture();
  });

  it('approving a request whose target has not moved reads no files: the recorded plan still holds (decision 041)', async () => {
    const request = await f.pending(GLOBEX);
    // Another target's commit moves the branch, not GLOBEX's newest commit.
    f.land({ [apiValues(PROD)]: values('v9.0.0') }, 'release api v9.0.0 on acme/production\n');
    const reads: string[] = [];
    const readFiles = f.revisions.readFiles.bind(f.revisions);
    f.revisions.readFiles = async (paths, sha) => {
      reads.push(sha);
      return readFiles(paths, sha);
    };
    expect((await f.approvals.review(request.id, DANA, approve)).state).toBe('pending');
    expect(reads).toEqual([]);
    // Once the target moved, the review plans again and refuses until the requester confirms.
    f.land({ [webValues(GLOBEX)]: 'replicas: 9\n' }, 'scale web\n');
    const error = await rewindError(f.approvals.review(request.id, PRIYA, approve));
    expect(error.code).toBe('CONFLICT');
    expect(reads.length).toBeGreaterThan(0);
  });

  it('are for the approver roles of the target policy, named in the 403', async () => {
    const request = await f.pending(PROD);
    for (const [user, roles] of [[SAM, 'requester'], [VIKTOR, 'viewer'], [OLU, 'requester, break-glass']] as const) {
      const error = await rewindError(f.approvals.review(request.id, user, approve));
      expect([error.status, error.code, error.message]).toEqual([
        403,
        'FORBIDDEN',
        `reviewing a rollback on acme/production requires the role approver or admin (${user.email} has ${roles})`,
      ]);
    }
    expect((await f.rollbacks.requireRequest(request.id)).reviews).toEqual([]);
    const missing = await rewindError(f.approvals.review('rbk-nope', DANA, approve));
    expect([missing.status, missing.message]).toEqual([404, 'rollback request rbk-nope not found']);
  });

  it('never approve or reject one\'s own request while the policy blocks it, emails compared case-insensitively', async () => {
    const request = await f.pending(PROD, MARCUS);
    expect(request.requestedBy).toBe('Marcus@Example.com');
    for (const email of ['marcus@example.com', 'MARCUS@EXAMPLE.COM', 'Marcus@Example.com']) {
      for (const decision of ['approve', 'reject'] as const) {
        const error = await rewindError(f.approvals.review(request.id, { ...MARCUS, email }, { decision }));
        expect([error.status, error.code, error.message]).toEqual([403, 'FORBIDDEN', MESSAGES.selfReview]);
      }
    }
    expect((await f.rollbacks.requireRequest(request.id)).state).toBe('pending');
  });

  it('allow self-approval where the policy does not block it, but never under the reviewer\'s break-glass', async () => {
    const first = await f.pending(SELF, MARCUS);
    await f.requests.transaction((tx) =>
      tx.openBreakGlass({ user: 'marcus@example.com', justification: 'outage', openedAt: '2026-11-21T09:59:00.000Z', expiresAt: '2026-11-21T11:00:00.000Z' }),
    );
    const refused = await rewindError(f.approvals.review(first.id, { ...MARCUS, email: 'MARCUS@example.com' }, approve));
    expect([refused.status, refused.message]).toEqual([403, MESSAGES.selfReview]);
    // The session expires: self-approval is what the policy allows again.
    f.clock.advance(61 * 60_000);
    const done = await f.approvals.review(first.id, MARCUS, approve);
    expect(done).toMatchObject({ state: 'completed', reviews: [{ by: MARCUS.email, decision: 'approve', stale: false }] });
  });

  it('one per approver: a second review is a 409, whatever the case of the email', async () => {
    const request = await f.pending(GLOBEX);
    const afterDana = await f.approvals.review(request.id, DANA, { decision: 'approve', comment: 'diff looks right' });
    expect(afterDana).toMatchObject({ state: 'pending', reviews: [{ by: DANA.email, decision: 'approve', comment: 'diff looks right', stale: false }] });
    for (const decision of ['approve', 'reject'] as const) {
      const again = await rewindError(f.approvals.review(request.id, { ...DANA, email: 'DANA@example.COM' }, { decision }));
      expect([again.status, again.code, again.message]).toEqual([409, 'CONFLICT', MESSAGES.alreadyReviewed]);
    }
    expect((await f.rollbacks.requireRequest(request.id)).reviews).toHaveLength(1);
  });

  it('only while pending: 400 for a request already decided', async () => {
    const request = await f.pending(PROD);
    const done = await f.approvals.review(request.id, DANA, approve);
    expect(done.state).toBe('completed');
    const late = await rewindError(f.approvals.review(request.id, PRIYA, { decision: 'reject' }));
    expect([late.status, late.code, late.message]).toEqual([400, 'BAD_REQUEST', MESSAGES.notPendingApproval]);
    // The one who approved hears that they already did.
    expect((await rewindError(f.approvals.review(request.id, DANA, approve))).message).toBe(MESSAGES.alreadyReviewed);
  });

  it('a review of a request no longer pending is refused as read, without a transaction (decision 052); the requester still hears of self-review first', async () => {
    let transactions = 0;
    class CountingStore extends InMemoryRequestStore {
      override transaction<T>(...args: Parameters<InMemoryRequestStore['transaction']>): Promise<T> {
        transactions += 1;
        return super.transaction(...(args as [never]));
      }
    }
    const g = makeFixture(new CountingStore());
    const request = await g.pending(PROD);
    expect((await g.approvals.review(request.id, DANA, approve)).state).toBe('completed');
    const before = transactions;
    expect((await rewindError(g.approvals.review(request.id, PRIYA, approve))).message).toBe(MESSAGES.notPendingApproval);
    expect((await rewindError(g.approvals.review(request.id, MARCUS, { decision: 'reject' }))).message).toBe(MESSAGES.notPendingApproval);
    expect(transactions).toBe(before);
    expect((await rewindError(g.approvals.review(request.id, { ...SAM, roles: ['approver'] }, approve))).message).toBe(MESSAGES.selfReview);
    expect((await g.requests.getRequest(request.id))!.reviews).toHaveLength(1);
  });

  it('a reject ends the request: rejected, nothing committed, audited with the comment', async () => {
    const request = await f.pending(GLOBEX);
    await f.approvals.review(request.id, DANA, approve);
    const rejected = await f.approvals.review(request.id, PRIYA, { decision: 'reject', comment: 'roll forward instead' });
    expect(rejected).toMatchObject({ state: 'rejected', reviews: [{ by: DANA.email }, { by: PRIYA.email, decision: 'reject', comment: 'roll forward instead' }] });
    expect(f.revisions.made).toEqual([]);
    expect((await rewindError(f.approvals.review(request.id, MARCUS, approve))).message).toBe(MESSAGES.notPendingApproval);
    expect((await rewindError(f.rollbacks.execute(request.id, SAM))).message).toBe(`rollback request ${request.id} was rejected: it cannot be executed`);
    const events = await auditOf(f.requests, request.id);
    expect(events.map((e) => [e.type, e.actor, e.details.decision, e.details.comment, e.details.state])).toEqual([
      ['rollback.requested', SAM.email, undefined, undefined, 'pending'],
      ['rollback.reviewed', DANA.email, 'approve', '', 'pending'],
      ['rollback.reviewed', PRIYA.email, 'reject', 'roll forward instead', 'rejected'],
    ]);
  });

  it('the approve that reaches the quorum executes within the call, with the approvals in the commit', async () => {
    const request = await f.pending(GLOBEX);
    await f.approvals.review(request.id, DANA, approve);
    expect(f.revisions.made).toEqual([]);
    const done = await f.approvals.review(request.id, PRIYA, { decision: 'approve', comment: 'go' });
    expect(done).toMatchObject({ state: 'completed', requiredApprovals: 2 });
    expect(f.revisions.made).toEqual([done.commitSha]);
    const [commit] = await f.revisions.log({ paths: GLOBEX.layout.paths, limit: 1 });
    expect(parseRollbackMessage(commit!.message)).toMatchObject({ requestId: request.id, approval: 'Approved by dana@example.com, priya@example.com (quorum: 2/2)' });
    const events = await auditOf(f.requests, request.id);
    expect(events.map((e) => [e.type, e.actor])).toEqual([
      ['rollback.requested', SAM.email],
      ['rollback.reviewed', DANA.email],
      ['rollback.reviewed', PRIYA.email],
      ['rollback.executed', PRIYA.email],
    ]);
    expect(events[2]!.details).toMatchObject({ approvals: 2, requiredApprovals: 2, state: 'approved', quorumReached: true });
    expect(events.every((e) => !e.breakGlass)).toBe(true);
  });

  it('a changed target: approving is a 409 naming the changed fields; the requester confirms the new plan, approvals stale', async () => {
    const request = await f.pending(GLOBEX);
    await f.approvals.review(request.id, DANA, approve);
    // A bigger api change lands: the plan now reverts more than the requester saw.
    const moved = f.land({ [apiValues(GLOBEX)]: values('v2.99.0').replace('replicas: 3', 'replicas: 7') }, 'scale api\n');
    const { planChange } = await f.rollbacks.get(request.id);
    expect(planChange).toMatchObject({ previousBaseSha: request.baseSha, baseSha: moved });
    expect(planChange!.changes).toEqual(
      expect.arrayContaining(['now also reverts values.yaml: replicas 7 → 3', 'now also reverts values.yaml: image.tag v2.99.0 → v1.0.0']),
    );
    const error = await rewindError(f.approvals.review(request.id, PRIYA, approve));
    expect(error.status).toBe(409);
    expect(error.message).toMatch(/changed since sam@example\.com confirmed it on \w{7}: now also reverts values\.yaml: .*cannot be approved until the requester confirms/);
    expect(f.revisions.made).toEqual([]);
    expect((await f.rollbacks.requireRequest(request.id)).reviews.map((r) => r.by)).toEqual([DANA.email]);

    await expect(f.rollbacks.confirmPlan(request.id, DANA)).rejects.toMatchObject({ status: 403 });
    const confirmed = await f.rollbacks.confirmPlan(request.id, SAM);
    expect(confirmed).toMatchObject({ state: 'pending', baseSha: moved, requiredApprovals: 2 });
    expect(confirmed.reviews.map((r) => [r.by, r.stale])).toEqual([[DANA.email, true]]);
    expect((await f.rollbacks.get(request.id)).planChange).toBeUndefined();
    expect((await auditOf(f.requests, request.id)).at(-1)).toMatchObject({ type: 'rollback.plan-confirmed', actor: SAM.email, details: { dismissedReviews: 1 } });
    // Confirming an unchanged plan changes nothing.
    expect(await f.rollbacks.confirmPlan(request.id, SAM)).toEqual(confirmed);
    // Stale reviews do not count against reviewing the new diff.
    expect((await f.approvals.review(request.id, DANA, approve)).state).toBe('pending');
    const done = await f.approvals.review(request.id, PRIYA, approve);
    expect(done.state).toBe('completed');
    const [commit] = await f.revisions.log({ paths: GLOBEX.layout.paths, limit: 1 });
    expect(parseRollbackMessage(commit!.message)!.approval).toBe('Approved by dana@example.com, priya@example.com (quorum: 2/2)');
  });

  it('a failed commit at the quorum: 500 EXECUTION_FAILED, review saved, request failed; execute retries', async () => {
    const request = await f.pending(PROD);
    f.revisions.beforeCommit = () => {
      throw new Error('git commit-tree failed: disk full');
    };
    const error = await rewindError(f.approvals.review(request.id, DANA, approve));
    expect([error.status, error.code, error.message]).toEqual([500, 'EXECUTION_FAILED', MESSAGES.executionFailed]);
    const failed = await f.rollbacks.requireRequest(request.id);
    expect(failed).toMatchObject({ state: 'failed', error: 'git commit-tree failed: disk full', reviews: [{ by: DANA.email, decision: 'approve', stale: false }] });
    const done = await f.rollbacks.execute(request.id, SAM);
    expect(done.state).toBe('completed');
    expect(f.revisions.made).toEqual([done.commitSha]);
    expect((await auditOf(f.requests, request.id)).map((e) => e.type)).toEqual(['rollback.requested', 'rollback.reviewed', 'rollback.failed', 'rollback.executed']);
  });

  it('flag every event of an actor under break-glass', async () => {
    const request = await f.pending(GLOBEX);
    await f.requests.transaction((tx) =>
      tx.openBreakGlass({ user: 'marcus@example.com', justification: 'outage', openedAt: '2026-11-21T09:59:00.000Z', expiresAt: '2026-11-21T11:00:00.000Z' }),
    );
    await f.approvals.review(request.id, DANA, approve);
    await f.approvals.review(request.id, MARCUS, approve);
    await f.approvals.addNote(request.id, MARCUS, 'approved under break-glass during the outage');
    const events = await auditOf(f.requests, request.id);
    expect(events.map((e) => [e.type, e.actor, e.breakGlass])).toEqual([
      ['rollback.requested', SAM.email, false],
      ['rollback.reviewed', DANA.email, false],
      ['rollback.reviewed', MARCUS.email, true],
      ['rollback.executed', MARCUS.email, true],
      ['rollback.note-added', MARCUS.email, true],
    ]);
  });

  it('publish request.updated on every change, and revision.created for the commit', async () => {
    const request = await f.pending(GLOBEX);
    const where = { tenant: 'globex', environment: 'production' };
    expect(f.events).toEqual([{ type: 'request.updated', ...where, requestId: request.id }]);
    f.events.length = 0;
    await f.approvals.review(request.id, DANA, approve);
    expect(f.events).toEqual([{ type: 'request.updated', ...where, requestId: request.id }]);
    f.events.length = 0;
    await f.approvals.review(request.id, PRIYA, approve);
    expect(f.events.map((e) => e.type)).toEqual(['request.updated', 'request.updated', 'revision.created', 'request.updated']);
    expect(f.events.find((e) => e.type === 'revision.created')).toEqual({ type: 'revision.created', ...where });
    f.events.length = 0;
    await f.approvals.addNote(request.id, DANA, 'verified');
    expect(f.events).toEqual([{ type: 'request.updated', ...where, requestId: request.id }]);
  });
});

describe('notes', () => {
  it('are appended exactly, audited, for the target\'s rollback roles only', async () => {
    const f = makeFixture();
    const request = await f.pending(PROD);
    const text = 'Error rate back to baseline at 10:04.\r\n\u202eno forging here\u200b';
    const noted = await f.approvals.addNote(request.id, DANA, text);
    expect(noted.notes).toEqual([{ by: DANA.email, text, at: '2026-11-21T10:00:00.000Z' }]);
    expect((await f.rollbacks.requireRequest(request.id)).notes).toEqual(noted.notes);
    expect((await auditOf(f.requests, request.id)).at(-1)).toMatchObject({ type: 'rollback.note-added', actor: DANA.email, details: { text } });
    const viewer = await rewindError(f.approvals.addNote(request.id, VIKTOR, 'hi'));
    expect([viewer.status, viewer.message]).toEqual([
      403,
      'adding a note to a rollback on acme/production requires the role requester, approver, admin or break-glass (viktor@example.com has viewer)',
    ]);
    expect(() => checkNoteText(' \n\u200b')).toThrow('note text is required');
    expect(() => checkNoteText(undefined)).toThrow('note text is required');
    expect(() => checkNoteText('😀'.repeat(4001))).toThrow('note is too long: at most 4000 characters (got 4001)');
    expect(checkNoteText('😀'.repeat(4000))).toHaveLength(8000);
  });
});

describe('verification of a completed request', () => {
  it('shows the commit on the branch, the services converging, and drift in the rolled-back scope only', async () => {
    const f = makeFixture();
    const request = await f.pending(PROD);
    expect(await f.approvals.verify(request)).toBeNull();
    const done = await f.approvals.review(request.id, DANA, approve);
    expect(await f.approvals.verify(done)).toMatchObject({
      commitOnBranch: true,
      services: [{ name: 'api', health: 'progressing', sync: 'out-of-sync' }],
      drift: false,
      rollout: { state: 'syncing', source: 'simulated', sync: 'out-of-sync' },
    });
    // While out of sync the previous commit is still live.
    expect((await f.approvals.verify(done))!.rollout.liveRevision).not.toBe(done.commitSha);
    f.clock.advance(2_500);
    expect((await f.approvals.verify(done))!.services).toEqual([{ name: 'api', health: 'progressing', sync: 'synced' }]);
    expect((await f.approvals.verify(done))!.rollout).toMatchObject({ state: 'syncing', liveRevision: done.commitSha, health: 'progressing' });
    f.clock.advance(2_500);
    expect((await f.approvals.verify(done))!.services).toEqual([{ name: 'api', health: 'healthy', sync: 'synced' }]);
    expect((await f.approvals.verify(done))!.rollout).toMatchObject({ state: 'healthy', liveRevision: done.commitSha, reason: null });
    // Another service changing is no drift of this rollback; the api changing is, until undone.
    f.land({ [webValues(PROD)]: 'replicas: 5\n' });
    expect((await f.approvals.verify(done))!.drift).toBe(false);
    f.land({ [apiValues(PROD)]: values('v9.9.9') });
    expect((await f.approvals.verify(done))!.drift).toBe(true);
    f.land({ [apiValues(PROD)]: values('v1.0.0') });
    expect((await f.approvals.verify(done))!.drift).toBe(false);
    expect(await f.approvals.verify({ ...done, commitSha: 'f'.repeat(40) })).toMatchObject({ commitOnBranch: false, drift: true });
  });
});

// --- Concurrency and crash safety, on both request stores ---------------------------------------------

/** Waits until `condition` holds, checking every 5 ms; fails saying `what` after 10 s. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; !(await condition()); waited += 5) {
    if (waited > 10_000) throw new Error(`${what} after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * `store` behind a proxy that counts its transactions and its reads outside them (counted once
 * answered: what a review does after its read until it queues is in memory), and can hold the
 * transactions that begin until released.
 */
function watchedStore(store: RequestStore) {
  /** `sessionReads`: reads of break-glass sessions in transactions; `sessionsAsked`: the sessions they asked for. */
  const counts = { transactions: 0, reads: 0, sessionReads: 0, sessionsAsked: 0 };
  let gate: Promise<void> | null = null;
  const watchedTx = (tx: RequestStoreTx): RequestStoreTx =>
    new Proxy(tx, {
      get(target, key) {
        if (key === 'activeBreakGlass' || key === 'activeBreakGlassOf') {
          return (...args: unknown[]) => {
            counts.sessionReads += 1;
            counts.sessionsAsked += key === 'activeBreakGlassOf' ? (args[0] as unknown[]).length : 1;
            return (Reflect.get(target, key, target) as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const watched = new Proxy(store, {
    get(target, key) {
      if (key === 'transaction') {
        return async (...[work, scope]: Parameters<RequestStore['transaction']>) => {
          counts.transactions += 1;
          if (gate) await gate;
          return target.transaction((tx) => work(watchedTx(tx)), scope);
        };
      }
      if (key === 'getRequest') return (id: string) => target.getRequest(id).finally(() => counts.reads++);
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  /** Holds transactions from now on; the function returned lets them (and later ones) go. */
  const hold = (): (() => void) => {
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    return () => {
      gate = null;
      open();
    };
  };
  return { store: watched, counts, hold };
}

describe.each(requestStoreBackends('approvals'))('%s request store', (_name, open) => {
  it('two approvers racing for the last quorum slot make exactly one commit, 50 times over', async () => {
    const { store, close } = await open();
    try {
      const f = makeFixture(store);
      for (let race = 0; race < 50; race++) {
        const request = await f.pending(GLOBEX);
        await f.approvals.review(request.id, DANA, approve);
        const madeBefore = f.revisions.made.length;
        const results = await Promise.allSettled([f.approvals.review(request.id, PRIYA, approve), f.approvals.review(request.id, MARCUS, approve)]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won, `race ${race}`).toHaveLength(1);
        expect((won[0] as PromiseFulfilledResult<RollbackRequest>).value.state).toBe('completed');
        expect(lost.map((r) => [(r.reason as RewindError).status, (r.reason as RewindError).message])).toEqual([[400, MESSAGES.notPendingApproval]]);
        expect(f.revisions.made.length - madeBefore, `race ${race}`).toBe(1);
        const final = await f.rollbacks.requireRequest(request.id);
        expect(final.reviews).toHaveLength(2);
        expect(final.commitSha).toBe(f.revisions.made.at(-1));
        const events = await auditOf(f.requests, request.id);
        expect(events.filter((e) => e.type === 'rollback.executed')).toHaveLength(1);
        expect(events.filter((e) => e.type === 'rollback.reviewed')).toHaveLength(2);
      }
      // Every commit names a different request.
      const ids = (await f.revisions.logRollbacks(GLOBEX.layout.paths)).map((c) => parseRollbackMessage(c.message)!.requestId);
      expect(new Set(ids).size).toBe(50);
    } finally {
      await close();
    }
  }, 60_000);

  it('respond-async: the quorum approval claims in its own transaction and answers `executing`; racing approvers still make one commit', async () => {
    const { store, close } = await open();
    let transactions = 0;
    const counted = new Proxy(store, {
      get(target, key) {
        if (key === 'transaction') {
          return (...args: Parameters<RequestStore['transaction']>) => {
            transactions += 1;
            return target.transaction(...args);
          };
        }
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const settled = async (id: string) => {
      for (let waited = 0; waited < 10_000; waited += 10) {
        const request = await counted.getRequest(id);
        if (request && request.state !== 'executing') return request;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`${id} still executing after 10 s`);
    };
    try {
      const f = makeFixture(counted);
      // Alone: one transaction until the answer (the review that claimed), none for a claim.
      const alone = await f.pending(PROD);
      const before = transactions;
      const answer = await f.approvals.review(alone.id, DANA, approve, { respondAsync: true }).then((r) => ({ request: r, transactions: transactions - before }));
      expect(answer).toMatchObject({ request: { state: 'executing' }, transactions: 1 });
      expect((await settled(alone.id)).state).toBe('completed');
      for (let race = 0; race < 10; race++) {
        const request = await f.pending(GLOBEX);
        await f.approvals.review(request.id, DANA, approve, { respondAsync: true });
        const madeBefore = f.revisions.made.length;
        const results = await Promise.allSettled([PRIYA, MARCUS].map((user) => f.approvals.review(request.id, user, approve, { respondAsync: true })));
        const won = results.filter((r): r is PromiseFulfilledResult<RollbackRequest> => r.status === 'fulfilled');
        expect(won.map((r) => r.value.state), `race ${race}`).toEqual(['executing']);
        expect(results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as RewindError).message)).toEqual([MESSAGES.notPendingApproval]);
        const done = await settled(request.id);
        expect(done.state).toBe('completed');
        expect(f.revisions.made.length - madeBefore, `race ${race}`).toBe(1);
        const events = await auditOf(f.requests, request.id);
        expect(events.map((e) => e.type)).toEqual(['rollback.requested', 'rollback.reviewed', 'rollback.reviewed', 'rollback.executed']);
        expect(events[2]!.details).toMatchObject({ state: 'approved', quorumReached: true, approvals: 2 });
      }
    } finally {
      await close();
    }
  }, 60_000);

  it('reviews of one request that queue meanwhile share its next transaction, each answered as if alone, in order (decision 055)', async () => {
    const { store, close } = await open();
    const { store: gated, counts, hold } = watchedStore(store);
    try {
      const f = makeFixture(gated);
      const request = await f.pending(QUORUM_4);
      await f.requests.transaction((tx) =>
        tx.openBreakGlass({ user: 'marcus@example.com', justification: 'outage', openedAt: '2026-11-21T09:59:00.000Z', expiresAt: '2026-11-21T11:00:00.000Z' }),
      );
      const release = hold();
      const [transactionsBefore, readsBefore, sessionReadsBefore, sessionsAskedBefore] = [counts.transactions, counts.reads, counts.sessionReads, counts.sessionsAsked];
      const first = f.approvals.review(request.id, DANA, approve);
      await until(() => counts.transactions > transactionsBefore, 'the first review never began its transaction');
      // Three more while the first is held: an approval, the same approver again, another approval.
      const rest = [
        f.approvals.review(request.id, PRIYA, approve),
        f.approvals.review(request.id, PRIYA, approve),
        f.approvals.review(request.id, MARCUS, { decision: 'approve', comment: 'fine by me' }),
      ].map((p) => p.then((r) => ({ state: r.state, approvals: r.reviews.length }), (e: RewindError) => ({ status: e.status, message: e.message })));
      await until(() => counts.reads >= readsBefore + 4, 'the reviews never read the request');
      await new Promise((resolve) => setTimeout(resolve, 20));
      release();
      expect((await first).reviews).toHaveLength(1);
      expect(await Promise.all(rest)).toEqual([
        { state: 'pending', approvals: 2 },
        { status: 409, message: MESSAGES.alreadyReviewed },
        { state: 'pending', approvals: 3 },
      ]);
      expect(counts.transactions - transactionsBefore, 'the held one and one for the three that queued').toBe(2);
      // Each transaction read its reviewers' break-glass sessions once: 1 + 3 asked in 2 reads.
      expect([counts.sessionReads - sessionReadsBefore, counts.sessionsAsked - sessionsAskedBefore]).toEqual([2, 4]);
      const final = await f.rollbacks.requireRequest(request.id);
      expect(final.state).toBe('pending');
      expect(final.reviews.map((r) => r.by)).toEqual([DANA.email, PRIYA.email, MARCUS.email]);
      const events = await auditOf(f.requests, request.id);
      expect(events.filter((e) => e.type === 'rollback.reviewed').map((e) => [e.actor, e.breakGlass, e.details])).toMatchObject([
        [DANA.email, false, { decision: 'approve', approvals: 1, state: 'pending' }],
        [PRIYA.email, false, { decision: 'approve', approvals: 2, state: 'pending' }],
        [MARCUS.email, true, { decision: 'approve', comment: 'fine by me', approvals: 3, state: 'pending' }],
      ]);
    } finally {
      await close();
    }
  }, 60_000);

  it('respond-async: an approval that reaches the quorum unforeseen by its own read claims the request in its batch\'s transaction, reading it there only (decision 058)', async () => {
    const { store, close } = await open();
    const { store: gated, counts, hold } = watchedStore(store);
    try {
      const f = makeFixture(gated);
      const request = await f.pending(GLOBEX);
      const claims: unknown[] = [];
      const executeAs = f.rollbacks.executeAs.bind(f.rollbacks);
      f.rollbacks.executeAs = (...args) => {
        claims.push(args);
        return executeAs(...args);
      };
      const release = hold();
      const readsBefore = counts.reads;
      // Both read the request with no approval yet: neither foresees the quorum; the second reaches it.
      const answers = [DANA, PRIYA].map((user) => f.approvals.review(request.id, user, approve, { respondAsync: true }));
      await until(() => counts.reads >= readsBefore + 2, 'the reviews never read the request');
      release();
      expect((await Promise.all(answers)).map((r) => r.state)).toEqual(['pending', 'executing']);
      expect(counts.reads - readsBefore, 'the two reviews read the request once each, and nothing else outside a transaction').toBe(2);
      expect(claims, 'claimed in the batch that reached the quorum, not by a claim of its own (executeAs)').toHaveLength(0);
      await until(async () => (await store.getRequest(request.id))!.state !== 'executing', 'still executing');
      expect((await store.getRequest(request.id))!.state).toBe('completed');
    } finally {
      await close();
    }
  }, 60_000);

  it('respond-async: while someone else holds the execution lease, the quorum leaves the request approved and its reviewer claims it once the lease is free (decision 058)', async () => {
    const { store, close } = await open();
    try {
      const f = makeFixture(store);
      const request = await f.pending(PROD);
      let free!: () => void;
      const held = f.rollbacks.lock.withExecutionLease(request.id, () => new Promise<void>((resolve) => (free = resolve)));
      let answered = false;
      const answer = f.approvals.review(request.id, DANA, approve, { respondAsync: true }).finally(() => (answered = true));
      await until(async () => (await store.getRequest(request.id))!.state === 'approved', 'the approval was never recorded');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(answered, 'the answer waits for the claim, which waits for the lease').toBe(false);
      free();
      await held;
      expect((await answer).state).toBe('executing');
      await until(async () => (await store.getRequest(request.id))!.state !== 'executing', 'still executing');
      expect((await store.getRequest(request.id))!.state).toBe('completed');
      expect(f.revisions.made).toHaveLength(1);
    } finally {
      await close();
    }
  }, 60_000);

  it('the review reaching the quorum racing executions of the same request: one commit', async () => {
    const { store, close } = await open();
    try {
      const f = makeFixture(store);
      for (let race = 0; race < 10; race++) {
        const request = await f.pending(PROD);
        const madeBefore = f.revisions.made.length;
        const results = await Promise.allSettled([
          f.rollbacks.execute(request.id, SAM),
          f.approvals.review(request.id, DANA, approve),
          f.rollbacks.execute(request.id, DANA),
          f.rollbacks.execute(request.id, SAM),
        ]);
        expect(results[1]!.status, `race ${race}`).toBe('fulfilled');
        for (const result of results) {
          if (result.status === 'rejected') expect((result.reason as RewindError).status).toBe(409);
        }
        expect(f.revisions.made.length - madeBefore).toBe(1);
        const events = await auditOf(f.requests, request.id);
        expect(events.filter((e) => e.type === 'rollback.executed')).toHaveLength(1);
        expect((await f.rollbacks.requireRequest(request.id)).state).toBe('completed');
      }
    } finally {
      await close();
    }
  }, 60_000);

  it('reconciles at start: committed but not recorded → completed once; never committed → failed and retryable', async () => {
    const { store, close } = await open();
    try {
      let crash = true;
      const f = makeFixture(store, {
        afterCommit: () => {
          if (crash) throw new Error('killed between commit and database update');
        },
      });
      const request = await f.pending(PROD);
      await expect(f.approvals.review(request.id, DANA, approve)).rejects.toThrow('killed between commit and database update');
      crash = false;
      expect(f.revisions.made).toHaveLength(1);
      expect(await f.rollbacks.requireRequest(request.id)).toMatchObject({ state: 'executing' });
      // A second request stuck before its commit (the process died while planning).
      const second = await f.pending(SELF);
      await f.requests.transaction((tx) => tx.updateRequest({ ...second, state: 'executing' }));

      let n = 0;
      const ids = { next: (prefix: string) => `${prefix}reconciled${++n}` };
      const deps = { revisions: f.revisions, requests: f.requests, catalog: new StaticTargetCatalog(TARGETS), clock: f.clock, ids };
      const result = await reconcileInterruptedRequests(deps);
      expect(result).toEqual({ completed: [{ id: request.id, commitSha: f.revisions.made[0] }], failed: [second.id] });
      expect(await f.rollbacks.requireRequest(request.id)).toMatchObject({ state: 'completed', commitSha: f.revisions.made[0] });
      expect(await f.rollbacks.requireRequest(second.id)).toMatchObject({ state: 'failed', error: INTERRUPTED_ERROR });
      const events = await auditOf(f.requests, request.id);
      expect(events.map((e) => e.type)).toEqual(['rollback.requested', 'rollback.reviewed', 'rollback.executed']);
      expect(events.at(-1)).toMatchObject({ actor: SYSTEM_ACTOR, details: { commitSha: f.revisions.made[0], reconciled: true, approval: 'Approved by dana@example.com (quorum: 1/1)' } });
      expect((await auditOf(f.requests, second.id)).at(-1)).toMatchObject({ type: 'rollback.failed', details: { stage: 'interrupted', reconciled: true } });

      // Running it again changes nothing; the failed one executes again.
      expect(await reconcileInterruptedRequests(deps)).toEqual({ completed: [], failed: [] });
      expect((await auditOf(f.requests, request.id)).filter((e) => e.type === 'rollback.executed')).toHaveLength(1);
      await expect(f.rollbacks.execute(request.id, SAM)).rejects.toMatchObject({ status: 409 });
      expect((await f.rollbacks.execute(second.id, SAM)).state).toBe('completed');
      expect(f.revisions.made).toHaveLength(2);
    } finally {
      await close();
    }
  });
});
