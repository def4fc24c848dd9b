import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';
import { FixedClock, SequentialIds, StaticTargetCatalog, StaticUserDirectory } from './basic-adapters.ts';
import { parseRollbackMessage } from './commit-message.ts';
import { compareRevisions } from './compare.ts';
import { MESSAGES, RewindError } from './errors.ts';
import { hashPlan } from './plan-hash.ts';
import type { CommitRequest, RequestStore } from './ports.ts';
import { rollbackDiff } from './rollback-compute.ts';
import { approvalText } from './rollback-commit.ts';
import { RollbackService } from './rollback-service.ts';
import { checkJustification } from './user-text.ts';
import type { CreateRollbackBody, Plan, RollbackRequest, User } from './schemas.ts';
import { defaultLayout, type TargetConfig } from './target-config.ts';

// --- Fixture: four targets, a bad api release on each -------------------------------------------------

const SAM: User = { email: 'sam@example.com', name: 'Sam Rivera', roles: ['requester'] };
const DANA: User = { email: 'dana@example.com', name: 'Dana Whitfield', roles: ['approver'] };
const OLU: User = { email: 'olu@example.com', name: 'Olu Adeyemi', roles: ['requester', 'break-glass'] };
const VIKTOR: User = { email: 'viktor@example.com', name: 'Viktor Lindqvist', roles: ['viewer'] };
const CI = { name: 'CI', email: 'ci@example.com' };

function makeTarget(tenant: string, environment: string, plan: Plan, requiredApprovals: number, basicOnly = false): TargetConfig {
  return {
    tenant,
    environment,
    plan,
    features: basicOnly
      ? { basic_rollback: true, rollback: false, selective_rollback: false, rollback_approval: false }
      : { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
    policy: {
      requiredApprovals,
      blockSelfApproval: true,
      requesters: ['requester', 'approver', 'admin'],
      approvers: ['approver', 'admin'],
      breakGlass: ['break-glass', 'admin'],
    },
    layout: defaultLayout(tenant, environment, ['api', 'web']),
  };
}

const STAGING = makeTarget('acme', 'staging', 'enterprise', 0);
const PRODUCTION = makeTarget('acme', 'production', 'enterprise', 1);
const GLOBEX = makeTarget('globex', 'production', 'pro', 0);
const INITECH = makeTarget('initech', 'production', 'free', 1, true);
const TARGETS = [STAGING, PRODUCTION, GLOBEX, INITECH];

const root = (t: TargetConfig) => `tenants/${t.tenant}/${t.environment}`;
const apiValues = (t: TargetConfig) => `${root(t)}/services/api/values.yaml`;
const apiSecret = (t: TargetConfig) => `${root(t)}/services/api/secret.yaml`;
const webValues = (t: TargetConfig) => `${root(t)}/services/web/values.yaml`;

const values = (tag: string, timeout: string) =>
  [
    '# api values',
    'image:',
    '  repository: registry.example.com/acme/api',
    `  tag: "${tag}"`,
    'env:',
    '  - name: TIMEOUT_MS',
    `    value: "${timeout}"`,
    '  - name: LOG_LEVEL',
    '    value: info',
    'replicas: 3',
    '',
  ].join('\n');
const secret = (password: string) =>
  ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: api-db', 'type: Opaque', 'stringData:', `  password: ${password}`, ''].join('\n');

class HookedRevisionStore extends InMemoryRevisionStore {
  /** Runs once, before the next commit (to move the branch, or to fail). */
  beforeCommit: (() => void | Promise<void>) | null = null;
  made: string[] = [];
  override async commit(request: CommitRequest): Promise<string> {
    const hook = this.beforeCommit;
    this.beforeCommit = null;
    if (hook) await hook();
    const sha = await super.commit(request);
    this.made.push(sha);
    return sha;
  }
}

interface Fixture {
  revisions: HookedRevisionStore;
  requests: RequestStore;
  service: RollbackService;
  clock: FixedClock;
  /** Per target: the good revision and the bad api release. */
  good: Map<TargetConfig, string>;
  bad: Map<TargetConfig, string>;
  land(target: TargetConfig, changes: Record<string, string | null>, message?: string): string;
}

let minute = 0;
const nextTime = () => new Date(Date.UTC(2026, 10, 20, 9, 0) + ++minute * 60_000).toISOString();

function makeFixture(requests: RequestStore = new InMemoryRequestStore()): Fixture {
  const revisions = new HookedRevisionStore();
  const good = new Map<TargetConfig, string>();
  const bad = new Map<TargetConfig, string>();
  const land = (_target: TargetConfig, changes: Record<string, string | null>, message = 'release\n') =>
    revisions.append({ timestamp: nextTime(), author: CI, message, changes });
  for (const t of TARGETS) {
    land(t, {
      [`${root(t)}/kustomization.yaml`]: 'resources:\n- services/api\n- services/web\n',
      [`${root(t)}/variables.yaml`]: 'region: eu-west-1\n',
      [apiValues(t)]: values('v1.0.0', '3000'),
      [apiSecret(t)]: secret('Old-Pa55word!'),
      [webValues(t)]: 'replicas: 2\n',
    }, 'bootstrap\n');
    good.set(t, land(t, { [webValues(t)]: 'replicas: 3\n' }, 'release web\n'));
  }
  for (const t of TARGETS) {
    bad.set(t, land(t, { [apiValues(t)]: values('v2.0.0', '800'), [apiSecret(t)]: secret('New-Pa55word!'), [`${root(t)}/variables.yaml`]: 'region: eu-west-2\n' }, 'release api v2.0.0\n'));
  }
  const clock = new FixedClock(new Date('2026-11-21T10:00:00Z'));
  const service = new RollbackService({
    revisions,
    requests,
    catalog: new StaticTargetCatalog(TARGETS),
    clock,
    ids: new SequentialIds(),
    users: new StaticUserDirectory([SAM, DANA, OLU, VIKTOR]),
  });
  return { revisions, requests, service, clock, good, bad, land };
}

async function rewindError(promise: Promise<unknown>): Promise<RewindError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RewindError) return error;
    throw error;
  }
  throw new Error('expected a RewindError');
}

const body = (t: TargetConfig, sha: string, overrides: Partial<CreateRollbackBody> = {}): CreateRollbackBody => ({
  tenant: t.tenant,
  environment: t.environment,
  mode: 'service',
  service: 'api',
  targetSha: sha,
  justification: 'api v2.0.0 returns 500s',
  ...overrides,
});

async function auditOf(requests: RequestStore, requestId?: string) {
  const page = await requests.listAudit({}, null, 500);
  return page.items.filter((e) => requestId === undefined || e.requestId === requestId).reverse();
}

// --- Preview --------------------------------------------------------------------------------------------

describe('preview', () => {
  let f: Fixture;
  beforeEach(() => {
    f = makeFixture();
  });

  it('requires targetSha, exactly', async () => {
    for (const targetSha of [undefined, '', '   ']) {
      const error = await rewindError(f.service.preview(STAGING, { mode: 'full', targetSha }));
      expect([error.status, error.message]).toEqual([400, MESSAGES.targetShaRequired]);
    }
  });

  it('gates modes by plan and flags, naming what is missing', async () => {
    const sha = f.good.get(GLOBEX)!;
    const field = await rewindError(f.service.preview(GLOBEX, { mode: 'field', targetSha: sha, service: 'api', fields: [{ file: apiValues(GLOBEX), path: ['image', 'tag'] }] }));
    expect([field.status, field.message]).toEqual([403, 'field rollback requires the enterprise plan (globex/production is on pro)']);
    const service = await rewindError(f.service.preview(INITECH, { mode: 'service', targetSha: f.good.get(INITECH)!, service: 'api' }));
    expect([service.status, service.message]).toEqual([403, 'service rollback requires the pro plan or higher (initech/production is on free)']);
    // Full mode is open to the free plan with basic_rollback.
    const full = await f.service.preview(INITECH, { mode: 'full', targetSha: f.good.get(INITECH)! });
    expect(full.files.length).toBeGreaterThan(0);
  });

  it('answers 400 for a malformed revision and 404 for an unknown one', async () => {
    const malformed = await rewindError(f.service.preview(STAGING, { mode: 'full', targetSha: 'HEAD~1' }));
    expect([malformed.status, malformed.message]).toEqual([400, 'targetSha must be a commit id (4 to 40 hex digits)']);
    const unknown = await rewindError(f.service.preview(STAGING, { mode: 'full', targetSha: 'A'.repeat(40) }));
    expect([unknown.status, unknown.message]).toEqual([404, `unknown revision ${'a'.repeat(40)}`]);
  });

  it('checks the service and the field selection', async () => {
    const sha = f.good.get(STAGING)!;
    const cases: Array<[Parameters<RollbackService['preview']>[1], string | RegExp]> = [
      [{ mode: 'service', targetSha: sha }, 'service is required for service mode'],
      [{ mode: 'field', targetSha: sha, fields: [{ file: apiValues(STAGING), path: ['x'] }] }, 'service is required for field mode'],
      [{ mode: 'service', targetSha: sha, service: 'nope' }, 'unknown service nope in acme/staging'],
      [{ mode: 'field', targetSha: sha, service: 'api' }, MESSAGES.emptyFieldSelection],
      [{ mode: 'field', targetSha: sha, service: 'api', fields: [] }, MESSAGES.emptyFieldSelection],
      [{ mode: 'full', targetSha: sha, service: 'api' }, /only used in service and field mode/],
      [{ mode: 'service', targetSha: sha, service: 'api', fields: [] }, 'fields are only used in field mode'],
      [{ mode: 'field', targetSha: sha, service: 'api', fields: [{ file: webValues(STAGING), path: ['replicas'] }] }, /is not a file of service api/],
    ];
    for (const [input, message] of cases) {
      const error = await rewindError(f.service.preview(STAGING, input));
      expect(error.status, JSON.stringify(input)).toBe(400);
      if (typeof message === 'string') expect(error.message).toBe(message);
      else expect(error.message).toMatch(message);
    }
  });

  it('refuses a plan that changes nothing with a 400 saying so', async () => {
    const head = f.bad.get(STAGING)!;
    const full = await rewindError(f.service.preview(STAGING, { mode: 'full', targetSha: head }));
    expect([full.status, full.message]).toEqual([400, `nothing to roll back: acme/staging already matches revision ${head.slice(0, 7)}`]);
    // The web service did not change since the good revision.
    const web = await rewindError(f.service.preview(STAGING, { mode: 'service', service: 'web', targetSha: f.good.get(STAGING)! }));
    expect(web.message).toMatch(/^nothing to roll back: service web of acme\/staging already matches revision/);
    const field = await rewindError(
      f.service.preview(STAGING, { mode: 'field', service: 'api', targetSha: f.good.get(STAGING)!, fields: [{ file: apiValues(STAGING), path: ['replicas'] }] }),
    );
    expect(field.message).toMatch(/^nothing to roll back: the selected fields of acme\/staging already have their values/);
  });

  it('previews a service rollback: old = head, new = planned, with base, hash and affected services', async () => {
    const target = f.good.get(STAGING)!;
    const base = f.bad.get(STAGING)!;
    const preview = await f.service.preview(STAGING, { mode: 'service', service: 'api', targetSha: target.slice(0, 8).toUpperCase() });
    expect(preview.from).toBe(base);
    expect(preview.to).toBe(target);
    expect(preview.baseSha).toBe(base);
    expect(preview.affectedServices).toEqual(['api']);
    expect(preview.files.map((file) => [file.path, file.status, file.service, file.kind])).toEqual([
      [apiSecret(STAGING), 'modified', 'api', 'service'],
      [apiValues(STAGING), 'modified', 'api', 'service'],
    ]);
    const changes = { [apiSecret(STAGING)]: secret('Old-Pa55word!'), [apiValues(STAGING)]: values('v1.0.0', '3000') };
    expect(preview.diffHash).toBe(await hashPlan(base, changes));
    const valuesFile = preview.files[1]!;
    expect(valuesFile.patch).toContain('-  tag: "v2.0.0"\n+  tag: "v1.0.0"\n');
    expect([valuesFile.additions, valuesFile.deletions]).toEqual([2, 2]);
    expect(preview.fields.filter((x) => x.file === apiValues(STAGING))).toEqual([
      { service: 'api', file: apiValues(STAGING), path: ['image', 'tag'], from: 'v2.0.0', to: 'v1.0.0' },
      { service: 'api', file: apiValues(STAGING), path: ['env', '[name=TIMEOUT_MS]', 'value'], from: '800', to: '3000' },
    ]);
    expect(preview.impact).toEqual({ services: 1, bindings: 0, variables: 0 });
  });

  it('never shows Secret values, in patches or fields', async () => {
    const preview = await f.service.preview(STAGING, { mode: 'service', service: 'api', targetSha: f.good.get(STAGING)! });
    const text = JSON.stringify(preview);
    for (const leak of ['Old-Pa55word!', 'New-Pa55word!']) expect(text).not.toContain(leak);
    const file = preview.files.find((x) => x.path === apiSecret(STAGING))!;
    expect(file.redacted).toBe('values');
    expect(file.patch).toContain('-  password: <redacted>\n+  password: <redacted:changed>\n');
    expect(preview.fields.find((x) => x.file === apiSecret(STAGING))).toMatchObject({ path: ['stringData', 'password'], redacted: true });
  });

  it('withholds a Secret file that cannot be masked', async () => {
    const path = apiSecret(STAGING);
    const diff = await rollbackDiff(STAGING, new Map([[path, `${secret('Pa55!')}  oops: [\n`]]), { [path]: secret('Other-Pa55!') }, 'a'.repeat(40), 'b'.repeat(40));
    expect(JSON.stringify(diff)).not.toContain('Pa55');
    expect(diff.files[0]).toMatchObject({ redacted: 'file', fieldDiff: 'withheld', patch: `diff --git a/${path} b/${path}\n` });
    expect(diff.fields).toEqual([]);
  });

  it('previews a full rollback exactly as compare shows head → target revision', async () => {
    const target = f.good.get(STAGING)!;
    const preview = await f.service.preview(STAGING, { mode: 'full', targetSha: target });
    const compare = await compareRevisions(f.revisions, STAGING, f.bad.get(STAGING)!, target);
    expect({ from: preview.from, to: preview.to, files: preview.files, fields: preview.fields, impact: preview.impact }).toEqual(compare);
    expect(preview.impact).toEqual({ services: 1, bindings: 0, variables: 1 });
  });

  it('previews a field rollback that leaves every other byte alone', async () => {
    const preview = await f.service.preview(STAGING, {
      mode: 'field',
      service: 'api',
      targetSha: f.good.get(STAGING)!,
      fields: [{ file: apiValues(STAGING), path: ['image', 'tag'] }],
    });
    expect(preview.files.map((x) => x.path)).toEqual([apiValues(STAGING)]);
    expect(preview.fields).toEqual([{ service: 'api', file: apiValues(STAGING), path: ['image', 'tag'], from: 'v2.0.0', to: 'v1.0.0' }]);
    expect(preview.diffHash).toBe(await hashPlan(f.bad.get(STAGING)!, { [apiValues(STAGING)]: values('v1.0.0', '800') }));
  });

  it('keeps its hash when another target moves the branch, and changes it when this target moves', async () => {
    const input = { mode: 'service' as const, service: 'api', targetSha: f.good.get(STAGING)! };
    const first = await f.service.preview(STAGING, input);
    f.land(PRODUCTION, { [webValues(PRODUCTION)]: 'replicas: 9\n' });
    expect((await f.service.preview(STAGING, input)).diffHash).toBe(first.diffHash);
    f.land(STAGING, { [webValues(STAGING)]: 'replicas: 9\n' });
    expect((await f.service.preview(STAGING, input)).diffHash).not.toBe(first.diffHash);
  });
});

// --- Requests ---------------------------------------------------------------------------------------

describe('createRequest', () => {
  let f: Fixture;
  beforeEach(() => {
    f = makeFixture();
  });

  it('needs a requester role, named in the 403', async () => {
    const error = await rewindError(f.service.createRequest(VIKTOR, body(STAGING, f.good.get(STAGING)!)));
    expect([error.status, error.message]).toEqual([
      403,
      'requesting a rollback on acme/staging requires the role requester, approver or admin (viktor@example.com has viewer)',
    ]);
    expect((await f.service.list({}, null, 10)).items).toEqual([]);
  });

  it('requires a justification with something visible, at most 4,000 characters', async () => {
    for (const justification of ['', '   ', '\r\n\t', '\u200b\u200d\u202e \ufeff']) {
      const error = await rewindError(f.service.createRequest(SAM, body(STAGING, f.good.get(STAGING)!, { justification })));
      expect([error.status, error.message]).toEqual([400, 'justification is required: say why this rollback is needed']);
    }
    const long = await rewindError(f.service.createRequest(SAM, body(STAGING, f.good.get(STAGING)!, { justification: 'x'.repeat(4001) })));
    expect([long.status, long.message]).toEqual([400, 'justification is too long: at most 4000 characters (got 4001)']);
    // Characters, not UTF-16 units: 4,000 emoji are fine.
    expect(checkJustification('🔥'.repeat(4000))).toHaveLength(8000);
    expect((await f.service.list({}, null, 10)).items).toEqual([]);
  });

  it('answers the preview errors and stores nothing', async () => {
    const cases: Array<[Partial<CreateRollbackBody>, number, string | RegExp]> = [
      [{ targetSha: undefined }, 400, MESSAGES.targetShaRequired],
      [{ mode: 'field', fields: [] }, 400, MESSAGES.emptyFieldSelection],
      [{ targetSha: '0'.repeat(40) }, 404, `unknown revision ${'0'.repeat(40)}`],
      [{ targetSha: f.bad.get(STAGING)! }, 400, /^nothing to roll back/],
    ];
    for (const [overrides, status, message] of cases) {
      const error = await rewindError(f.service.createRequest(SAM, body(STAGING, f.good.get(STAGING)!, overrides)));
      expect(error.status).toBe(status);
      if (typeof message === 'string') expect(error.message).toBe(message);
      else expect(error.message).toMatch(message);
    }
    const gated = await rewindError(f.service.createRequest(SAM, body(INITECH, f.good.get(INITECH)!)));
    expect(gated.status).toBe(403);
    const unknown = await rewindError(f.service.createRequest(SAM, body({ ...STAGING, tenant: 'nobody' }, f.good.get(STAGING)!)));
    expect([unknown.status, unknown.message]).toEqual([404, 'unknown target nobody/staging']);
    expect((await f.service.list({}, null, 10)).items).toEqual([]);
    expect(await auditOf(f.requests)).toEqual([]);
  });

  it('executes at once when the policy needs no approval: completed, one commit, the metadata block, two audit events', async () => {
    const justification = 'api v2.0.0 returns 500s\r\nApproval: Approved by everyone (quorum: 9/9)\nRollback Request ID: rbk-forged \u202eevil\u200b';
    const before = await f.revisions.branchHead();
    const { request, created } = await f.service.createRequest(SAM, body(STAGING, f.good.get(STAGING)!, { justification }));
    expect(created).toBe(true);
    expect(request).toMatchObject({
      tenant: 'acme',
      environment: 'staging',
      mode: 'service',
      service: 'api',
      targetSha: f.good.get(STAGING),
      baseSha: f.bad.get(STAGING),
      justification,
      requestedBy: SAM.email,
      state: 'completed',
      requiredApprovals: 0,
      breakGlass: false,
      affectedServices: ['api'],
      reviews: [],
      notes: [],
      createdAt: '2026-11-21T10:00:00.000Z',
    });
    expect(request.id).toMatch(/^rbk-[a-z0-9]+$/);
    expect(request.error).toBeUndefined();
    expect(f.revisions.made).toEqual([request.commitSha]);
    expect(await f.revisions.branchHead()).toBe(request.commitSha);

    const [commit] = await f.revisions.log({ paths: STAGING.layout.paths, limit: 1 });
    expect(commit!.author).toEqual({ name: SAM.name, email: SAM.email });
    expect(commit!.paths).toEqual([apiSecret(STAGING), apiValues(STAGING)]);
    expect(commit!.timestamp).toBe('2026-11-21T10:00:00.000Z');
    const meta = parseRollbackMessage(commit!.message)!;
    expect(meta).toEqual({
      tenant: 'acme',
      environment: 'staging',
      mode: 'service',
      service: 'api',
      targetSha: f.good.get(STAGING),
      justification,
      author: SAM.email,
      approval: 'not required (policy)',
      requestId: request.id,
      breakGlass: false,
    });
    // The forged lines stayed inside the one escaped Justification line.
    expect(commit!.message.split('\n').filter((l) => l.startsWith('Approval: '))).toEqual(['Approval: not required (policy)']);
    expect(commit!.message.split('\n').filter((l) => l.startsWith('Rollback Request ID: '))).toEqual([`Rollback Request ID: ${request.id}`]);
    const files = await f.revisions.readFiles(STAGING.layout.paths, request.commitSha!);
    expect(files.get(apiValues(STAGING))).toBe(values('v1.0.0', '3000'));
    expect(files.get(`${root(STAGING)}/variables.yaml`)).toBe('region: eu-west-2\n'); // not the service's: untouched
    expect(before).not.toBe(request.commitSha);

    const events = await auditOf(f.requests, request.id);
    expect(events.map((e) => [e.type, e.actor, e.tenant, e.environment, e.breakGlass, e.at])).toEqual([
      ['rollback.requested', SAM.email, 'acme', 'staging', false, '2026-11-21T10:00:00.000Z'],
      ['rollback.executed', SAM.email, 'acme', 'staging', false, '2026-11-21T10:00:00.000Z'],
    ]);
    expect(events[1]!.details).toMatchObject({ commitSha: request.commitSha, baseSha: request.baseSha, diffHash: request.diffHash });
    expect(await f.service.get(request.id)).toMatchObject({ request });
  });

  it('waits for approval where the policy asks for it: pending, nothing committed', async () => {
    const { request } = await f.service.createRequest(SAM, body(PRODUCTION, f.good.get(PRODUCTION)!));
    expect(request).toMatchObject({ state: 'pending', requiredApprovals: 1, breakGlass: false });
    expect(request.commitSha).toBeUndefined();
    expect(f.revisions.made).toEqual([]);
    expect((await auditOf(f.requests, request.id)).map((e) => e.type)).toEqual(['rollback.requested']);
    const waiting = await rewindError(f.service.execute(request.id, SAM));
    expect([waiting.status, waiting.message]).toEqual([409, `rollback request ${request.id} is waiting for approval (0/1): it executes when the quorum is reached`]);
    expect((await f.service.get(request.id)).request.state).toBe('pending');
  });

  it('skips approval for a requester with an active break-glass session, flagged everywhere', async () => {
    await f.requests.transaction((tx) =>
      tx.openBreakGlass({ user: 'OLU@example.com', justification: 'payments down', openedAt: '2026-11-21T09:50:00.000Z', expiresAt: '2026-11-21T10:50:00.000Z' }),
    );
    const { request } = await f.service.createRequest(OLU, body(PRODUCTION, f.good.get(PRODUCTION)!));
    expect(request).toMatchObject({ state: 'completed', breakGlass: true, requiredApprovals: 0 });
    const [commit] = await f.revisions.log({ paths: PRODUCTION.layout.paths, limit: 1 });
    const meta = parseRollbackMessage(commit!.message)!;
    expect(meta.approval).toBe('break-glass by olu@example.com');
    expect(meta.breakGlass).toBe(true);
    const events = await auditOf(f.requests, request.id);
    expect(events.map((e) => [e.type, e.breakGlass])).toEqual([
      ['rollback.requested', true],
      ['rollback.executed', true],
    ]);
    // Expired: back to waiting for approval.
    f.clock.advance(3_600_000);
    const later = await f.service.createRequest(OLU, body(PRODUCTION, f.good.get(PRODUCTION)!, { mode: 'full', service: undefined }));
    expect(later.request).toMatchObject({ state: 'pending', breakGlass: false, requiredApprovals: 1 });
  });

  it('returns the first request for a retried submit with the same Idempotency-Key, per user', async () => {
    const sha = f.good.get(STAGING)!;
    const first = await f.service.createRequest(SAM, body(STAGING, sha), 'key-1');
    // The same body with a short sha is the same submission.
    const again = await f.service.createRequest({ ...SAM, email: 'SAM@example.com' }, body(STAGING, sha.slice(0, 10)), 'key-1');
    expect(again).toEqual({ request: first.request, created: false });
    expect(f.revisions.made).toHaveLength(1);
    const different = await rewindError(f.service.createRequest(SAM, body(STAGING, sha, { justification: 'another reason' }), 'key-1'));
    expect([different.status, different.message]).toEqual([
      409,
      `Idempotency-Key key-1 was already used for a different rollback request (${first.request.id}); use a new key for a new request`,
    ]);
    // Another user's key is theirs: a new request (which now has nothing to roll back).
    const other = await rewindError(f.service.createRequest(OLU, body(STAGING, sha), 'key-1'));
    expect(other.message).toMatch(/^nothing to roll back/);
    const bad = await rewindError(f.service.createRequest(SAM, body(STAGING, sha), 'has space'));
    expect([bad.status, bad.message]).toEqual([400, 'Idempotency-Key must be 1 to 200 visible ASCII characters']);
  });

  it('makes one request of concurrent submits with one key', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => f.service.createRequest(SAM, body(PRODUCTION, f.good.get(PRODUCTION)!), 'same-key')),
    );
    expect(new Set(results.map((r) => r.request.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await f.service.list({}, null, 10)).items).toHaveLength(1);
  });

  it('refuses with 409 when the diff changed since the preview the requester saw, creating nothing', async () => {
    const input = { mode: 'service' as const, service: 'api', targetSha: f.good.get(STAGING)! };
    const preview = await f.service.preview(STAGING, input);
    f.land(STAGING, { [apiValues(STAGING)]: values('v2.0.1', '800') }, 'hotfix api\n');
    const head = await f.revisions.branchHead();
    const error = await rewindError(f.service.createRequest(SAM, body(STAGING, input.targetSha, { diffHash: preview.diffHash })));
    expect(error.status).toBe(409);
    expect(error.message).toBe(
      `acme/staging changed since your preview (its head revision is now ${head!.slice(0, 7)}): the rollback would commit a different diff; preview it again. Nothing was requested or committed`,
    );
    expect(f.revisions.made).toEqual([]);
    expect((await f.service.list({}, null, 10)).items).toEqual([]);
    // With the hash of a fresh preview it goes through.
    const fresh = await f.service.preview(STAGING, input);
    const { request } = await f.service.createRequest(SAM, body(STAGING, input.targetSha, { diffHash: fresh.diffHash }));
    expect(request.state).toBe('completed');
  });

  it('stores a field selection and restores only those fields', async () => {
    const fields = [{ file: apiValues(STAGING), path: ['image', 'tag'] }];
    const { request } = await f.service.createRequest(SAM, body(STAGING, f.good.get(STAGING)!, { mode: 'field', fields }));
    expect(request).toMatchObject({ mode: 'field', service: 'api', fields, state: 'completed' });
    const files = await f.revisions.readFiles(STAGING.layout.paths, request.commitSha!);
    expect(files.get(apiValues(STAGING))).toBe(values('v1.0.0', '800'));
    expect(files.get(apiSecret(STAGING))).toBe(secret('New-Pa55word!'));
  });
});

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

  it('fails a request that has nothing left to roll back, with a 409', async () => {
    const failed = await failedRequest();
    f.land(STAGING, { [apiValues(STAGING)]: values('v1.0.0', '3000'), [apiSecret(STAGING)]: secret('Old-Pa55word!') }, 'manual revert\n');
    const error = await rewindError(f.service.execute(failed.id, SAM));
    expect(error.status).toBe(409);
    expect(error.message).toMatch(/cannot be executed: nothing to roll back: service api of acme\/staging already matches/);
    expect((await f.service.get(failed.id)).request.state).toBe('failed');
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
    await expect(f.service.get('rbk-unknown')).rejects.toMatchObject({ status: 404, message: 'rollback request rbk-unknown not found' });
  });
});

// --- Concurrency, on both request stores -------------------------------------------------------------

const sqlDir = mkdtempSync(join(tmpdir(), 'rewind-rollback-service-'));
afterAll(() => rmSync(sqlDir, { recursive: true, force: true }));
let sqlFiles = 0;

describe.each([
  ['in-memory', async () => ({ store: new InMemoryRequestStore() as RequestStore, close: async () => {} })],
  [
    'sqlite',
    async () => {
      const store = await SqlRequestStore.open(join(sqlDir, `db-${++sqlFiles}`, 'rewind.db'));
      return { store: store as RequestStore, close: () => store.close() };
    },
  ],
] as const)('double execution (%s request store)', (_name, open) => {
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
