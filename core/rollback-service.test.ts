import { beforeEach, describe, expect, it } from 'vitest';
import { parseRollbackMessage } from './commit-message.ts';
import { compareRevisions } from './compare.ts';
import { MESSAGES } from './errors.ts';
import { hashPlan } from './plan-hash.ts';
import { rollbackDiff } from './rollback-compute.ts';
import type { RollbackService } from './rollback-service.ts';
import { checkJustification } from './user-text.ts';
import type { CreateRollbackBody } from './schemas.ts';
import {
  SAM,
  OLU,
  VIKTOR,
  STAGING,
  PRODUCTION,
  GLOBEX,
  INITECH,
  root,
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
