import { http, HttpResponse } from 'msw';
import type { Diff, RollbackPreview, RollbackRequest, Target } from '#core/schemas.ts';
import { server } from '#mocks/node.ts';
import { demoUsers, fakeSha, makeHistoryPage, makeTarget } from './fixtures.ts';

export const PAYMENTS_VALUES = 'tenants/acme/production/services/payments/values.yaml';

const PATCH = [
  `diff --git a/${PAYMENTS_VALUES} b/${PAYMENTS_VALUES}`,
  `--- a/${PAYMENTS_VALUES}`,
  `+++ b/${PAYMENTS_VALUES}`,
  '@@ -1,4 +1,4 @@',
  ' image:',
  '-  tag: v2.14.0',
  '+  tag: v2.13.14',
  ' env:',
  '-  PAYMENT_PROVIDER_TIMEOUT_MS: "800"',
  '+  PAYMENT_PROVIDER_TIMEOUT_MS: "3000"',
  '',
].join('\n');

/** What changed from revision 2 to the head (revision 0): the payments release. */
export function makeChangesSince(): Diff {
  return {
    from: fakeSha(2),
    to: fakeSha(0),
    files: [{ path: PAYMENTS_VALUES, service: 'payments', kind: 'service', status: 'modified', additions: 2, deletions: 2, patch: PATCH }],
    fields: [
      { service: 'payments', file: PAYMENTS_VALUES, path: ['image', 'tag'], from: 'v2.13.14', to: 'v2.14.0' },
      { service: 'payments', file: PAYMENTS_VALUES, path: ['env', 'PAYMENT_PROVIDER_TIMEOUT_MS'], from: '3000', to: '800' },
    ],
    impact: { services: 1, bindings: 0, variables: 0 },
  };
}

/** The rollback of payments to revision 2: from the head to the restored state. */
export function makePreview(overrides: Partial<RollbackPreview> = {}): RollbackPreview {
  const changes = makeChangesSince();
  return {
    from: fakeSha(0),
    to: fakeSha(2),
    files: changes.files,
    fields: changes.fields.map((field) => ({ ...field, from: field.to, to: field.from })),
    impact: changes.impact,
    baseSha: fakeSha(0),
    diffHash: 'c'.repeat(64),
    affectedServices: ['payments'],
    ...overrides,
  };
}

export function makeRequest(overrides: Partial<RollbackRequest> = {}): RollbackRequest {
  return {
    id: 'rbk-1',
    tenant: 'acme',
    environment: 'production',
    mode: 'service',
    targetSha: fakeSha(2),
    baseSha: fakeSha(0),
    service: 'payments',
    justification: 'payments v2.14.0 times out against the provider',
    requestedBy: 'alice@example.com',
    createdAt: '2025-11-20T10:05:00Z',
    state: 'pending',
    requiredApprovals: 1,
    reviews: [],
    breakGlass: false,
    affectedServices: ['payments'],
    diffHash: 'c'.repeat(64),
    notes: [],
    ...overrides,
  };
}

export const acmeProduction = makeTarget();
export const globexStaging = makeTarget({ tenant: 'globex', environment: 'staging', plan: 'pro' });
export const initechProduction = makeTarget({
  tenant: 'initech',
  environment: 'production',
  plan: 'free',
  features: { basic_rollback: true, rollback: false, selective_rollback: false, rollback_approval: false },
});

export interface RecordedCall {
  url: URL;
  body: unknown;
  headers: Headers;
}

/**
 * A small fixed backend for the wizard: three targets, a history of six revisions on each (revision 0
 * is the head; revision 1 failed), the payments change since revision 2, a preview, and a create that
 * answers with a pending request. Returns the recorded previews and creates.
 */
export function serveRollbackBackend(targets: Target[] = [acmeProduction, globexStaging, initechProduction]) {
  const previews: RecordedCall[] = [];
  const creates: RecordedCall[] = [];
  const history = makeHistoryPage(0, 6, null);
  const failed = history.revisions[1];
  if (failed) failed.status = 'failed';
  const record = async (list: RecordedCall[], request: Request) =>
    list.push({ url: new URL(request.url), body: await request.clone().json(), headers: request.headers });
  server.use(
    http.get('*/api/me', () => HttpResponse.json({ user: demoUsers[0], breakGlass: null, identityMode: 'demo' })),
    http.get('*/api/users', () => HttpResponse.json({ users: demoUsers })),
    http.get('*/api/targets', () => HttpResponse.json({ targets })),
    http.get('*/api/targets/:tenant/:environment/history', () => HttpResponse.json(history)),
    http.get('*/api/targets/:tenant/:environment/compare', () => HttpResponse.json(makeChangesSince())),
    http.post('*/api/targets/:tenant/:environment/rollback-preview', async ({ request }) => {
      await record(previews, request);
      return HttpResponse.json(makePreview());
    }),
    http.post('*/api/rollbacks', async ({ request }) => {
      await record(creates, request);
      return HttpResponse.json({ request: makeRequest() }, { status: 201 });
    }),
    http.get('*/api/rollbacks/rbk-1', () => HttpResponse.json({ request: makeRequest(), diff: makePreview() })),
  );
  return { previews, creates, history };
}
