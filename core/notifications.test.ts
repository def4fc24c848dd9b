import { describe, expect, it } from 'vitest';
import { channelsFor, eligibleApprovers, messageBody, notificationKindOf, slackBody, targetMatches, webhookBody, type NotificationRouting } from './notifications.ts';
import { signatureHeader, verifySignature } from './notification-signing.ts';
import type { AuditEvent, RollbackRequest, User } from './schemas.ts';

const request: RollbackRequest = {
  id: 'rbk-1',
  tenant: 'acme',
  environment: 'production',
  mode: 'service',
  service: 'payments',
  targetSha: 'a'.repeat(40),
  baseSha: 'b'.repeat(40),
  justification: 'payments 5xx <after> v2.14 & more',
  requestedBy: 'sam@example.com',
  createdAt: '2025-03-01T10:00:00.000Z',
  state: 'pending',
  requiredApprovals: 1,
  reviews: [],
  breakGlass: false,
  affectedServices: ['payments'],
  diffHash: 'h',
  notes: [],
};
const event = (type: string, details: Record<string, unknown> = {}): AuditEvent => ({
  id: 'evt-1',
  at: '2025-03-01T10:00:00.000Z',
  actor: 'sam@example.com',
  type,
  tenant: 'acme',
  environment: 'production',
  requestId: 'rbk-1',
  breakGlass: false,
  details,
});
const users: User[] = [
  { email: 'sam@example.com', name: 'Sam', roles: ['requester', 'approver'] },
  { email: 'dana@example.com', name: 'Dana', roles: ['approver'] },
  { email: 'olu@example.com', name: 'Olu', roles: ['break-glass'] },
];

describe('notificationKindOf', () => {
  it('maps audit events to notifications, and ignores the rest', () => {
    expect(notificationKindOf(event('rollback.requested', { state: 'pending' }))).toBe('requested');
    expect(notificationKindOf(event('rollback.requested', { state: 'executing' }))).toBeNull();
    expect(notificationKindOf(event('rollback.reviewed', { state: 'approved' }))).toBe('approved');
    expect(notificationKindOf(event('rollback.reviewed', { state: 'pending' }))).toBeNull();
    expect(notificationKindOf(event('rollback.reviewed', { state: 'rejected' }))).toBe('rejected');
    expect(notificationKindOf(event('rollback.executed'))).toBe('executed');
    expect(notificationKindOf(event('rollback.failed'))).toBe('failed');
    expect(notificationKindOf(event('rollback.withdrawn'))).toBe('withdrawn');
    expect(notificationKindOf(event('rollback.superseded'))).toBe('superseded');
    expect(notificationKindOf(event('rollback.closed'))).toBe('closed');
    expect(notificationKindOf(event('rollback.plan-confirmed'))).toBeNull();
    expect(notificationKindOf(event('break-glass.opened'))).toBe('break-glass-opened');
    expect(notificationKindOf(event('notification.delivered'))).toBeNull();
    expect(notificationKindOf(event('toString'))).toBeNull();
  });
});

describe('channelsFor', () => {
  const routing: NotificationRouting = {
    baseUrl: 'https://rewind.example.com/',
    channels: [
      { name: 'all', type: 'webhook' },
      { name: 'acme', type: 'slack', targets: ['acme/*'] },
      { name: 'failures', type: 'slack', events: ['failed'] },
    ],
    overrides: [{ target: 'globex/production', channels: ['failures'] }],
  };
  it('filters by event and target pattern; an override replaces the list; break-glass goes to untargeted channels', () => {
    expect(targetMatches('acme/*', 'acme', 'staging')).toBe(true);
    expect(targetMatches('acme/*', 'acmex', 'staging')).toBe(false);
    expect(targetMatches('acme', 'acme', 'production')).toBe(true);
    expect(channelsFor(routing, 'requested', { tenant: 'acme', environment: 'production' }).map((c) => c.name)).toEqual(['all', 'acme']);
    expect(channelsFor(routing, 'failed', { tenant: 'initech', environment: 'production' }).map((c) => c.name)).toEqual(['all', 'failures']);
    expect(channelsFor(routing, 'requested', { tenant: 'globex', environment: 'production' })).toEqual([]);
    expect(channelsFor(routing, 'failed', { tenant: 'globex', environment: 'production' }).map((c) => c.name)).toEqual(['failures']);
    expect(channelsFor(routing, 'break-glass-opened', null).map((c) => c.name)).toEqual(['all']);
  });
});

describe('messages', () => {
  const approvers = eligibleApprovers(request, null, users, Date.parse('2025-03-01T10:00:00.000Z'));
  it('names the approvers who may review it (not the requester, not those without the role)', () => {
    expect(approvers.map((u) => u.email)).toEqual(['dana@example.com']);
  });
  it('builds a Slack text with the link, the diff summary, the approvers, escaped', () => {
    const { text } = slackBody({ kind: 'requested', event: event('rollback.requested'), request, approvers, baseUrl: 'https://rewind.example.com/' });
    expect(text).toBe(
      [
        '*Rollback awaiting review*: <https://rewind.example.com/rollbacks/rbk-1|rbk-1> on acme/production by sam@example.com',
        'service payments rollback of acme/production to aaaaaaa (from bbbbbbb); services: payments',
        '> payments 5xx &lt;after&gt; v2.14 &amp; more',
        'Approvers: @Dana',
      ].join('\n'),
    );
  });
  it('builds the webhook JSON with the request, its link and the approvers’ emails', () => {
    const body = webhookBody({ kind: 'requested', event: event('rollback.requested'), request, approvers, baseUrl: 'https://rewind.example.com' }, 'ntf-1');
    expect(body).toMatchObject({ id: 'ntf-1', kind: 'requested', approvers: ['dana@example.com'], request: { id: 'rbk-1', url: 'https://rewind.example.com/rollbacks/rbk-1', state: 'pending' } });
    expect(JSON.parse(messageBody('webhook', { kind: 'executed', event: event('rollback.executed'), request, approvers: [], baseUrl: 'https://x' }, 'ntf-2'))).toMatchObject({ kind: 'executed', approvers: [] });
  });
  it('mentions approvers by Slack member id when the directory has one, else by name', () => {
    const withIds = [{ ...users[1]!, slackId: 'U024BE7LH' }, { email: 'priya@example.com', name: 'Priya <admin>', roles: ['approver' as const] }];
    const { text } = slackBody({ kind: 'requested', event: event('rollback.requested'), request, approvers: withIds, baseUrl: 'https://x' });
    expect(text.split('\n').at(-1)).toBe('Approvers: <@U024BE7LH>, @Priya &lt;admin&gt;');
    // The webhook still names them by email.
    expect(webhookBody({ kind: 'requested', event: event('rollback.requested'), request, approvers: withIds, baseUrl: 'https://x' }, 'n')).toMatchObject({ approvers: ['dana@example.com', 'priya@example.com'] });
  });
  it('says why a superseded or closed request ended, and links the request that replaced it', () => {
    const superseded: RollbackRequest = { ...request, state: 'superseded', supersededBy: 'rbk-2', closedReason: 'Superseded by rbk-2, requested by priya@example.com' };
    const s = slackBody({ kind: 'superseded', event: event('rollback.superseded'), request: superseded, approvers: [], baseUrl: 'https://rewind.example.com' });
    expect(s.text.split('\n')[0]).toBe('*Rollback superseded*: <https://rewind.example.com/rollbacks/rbk-1|rbk-1> on acme/production by sam@example.com');
    expect(s.text.split('\n')[3]).toBe('Superseded by rbk-2, requested by priya@example.com (<https://rewind.example.com/rollbacks/rbk-2|rbk-2>)');
    expect(webhookBody({ kind: 'superseded', event: event('rollback.superseded'), request: superseded, approvers: [], baseUrl: 'https://rewind.example.com' }, 'n')).toMatchObject({
      kind: 'superseded',
      request: { state: 'superseded', supersededBy: 'rbk-2', supersededByUrl: 'https://rewind.example.com/rollbacks/rbk-2', closedReason: superseded.closedReason },
    });
    const closed: RollbackRequest = { ...request, state: 'closed', closedReason: 'Closed: nothing to roll back: <payments> already matches' };
    const c = slackBody({ kind: 'closed', event: { ...event('rollback.closed'), actor: 'rewind' }, request: closed, approvers: [], baseUrl: 'https://x' });
    expect(c.text.split('\n')[0]).toMatch(/^\*Rollback closed\*: .* by rewind$/);
    expect(c.text.split('\n')[3]).toBe('Closed: nothing to roll back: &lt;payments&gt; already matches');
  });
  it('names who acted as people read it, Name (email), when the directory knows them', () => {
    const sam = { email: 'sam@example.com', name: 'Sam <Rivera>', roles: ['requester' as const] };
    const { text } = slackBody({ kind: 'requested', event: event('rollback.requested'), request, approvers, actor: sam, baseUrl: 'https://x' });
    expect(text.split('\n')[0]).toBe('*Rollback awaiting review*: <https://x/rollbacks/rbk-1|rbk-1> on acme/production by Sam &lt;Rivera&gt; (sam@example.com)');
    const glass = slackBody({ kind: 'break-glass-opened', event: { ...event('break-glass.opened', { justification: 'prod down' }), requestId: undefined }, request: null, approvers: [], actor: sam, baseUrl: 'https://x' });
    expect(glass.text.split('\n')[0]).toBe('*Break-glass session opened* by Sam &lt;Rivera&gt; (sam@example.com)');
  });
  it('says break-glass without a request', () => {
    const { text } = slackBody({ kind: 'break-glass-opened', event: { ...event('break-glass.opened', { justification: 'prod down', expiresAt: '2025-03-01T11:00:00.000Z' }), requestId: undefined }, request: null, approvers: [], baseUrl: 'https://x' });
    expect(text).toBe('*Break-glass session opened* by sam@example.com until 2025-03-01T11:00:00.000Z\n> prod down');
  });
});

describe('signature', () => {
  const at = new Date('2025-03-01T10:00:00.000Z');
  it('signs t.body with HMAC-SHA256 (a known vector) and verifies it', async () => {
    const header = await signatureHeader('secret', '{"a":1}', at);
    // printf '1740823200.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(header).toBe('t=1740823200,v1=b60e30427a0e3e41595fd91630a6855dd8aec00361ec6dc474e8ce4eb4afcf39');
    expect(await verifySignature('secret', '{"a":1}', header, at)).toEqual({ ok: true });
  });
  it('rejects another body, another secret, an old timestamp, a malformed header', async () => {
    const header = await signatureHeader('secret', '{"a":1}', at);
    expect(await verifySignature('secret', '{"a":2}', header, at)).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(await verifySignature('other', '{"a":1}', header, at)).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(await verifySignature('secret', '{"a":1}', header, new Date(at.getTime() + 301_000))).toMatchObject({ ok: false, reason: /timestamp/ });
    expect(await verifySignature('secret', '{"a":1}', 'v1=abc', at)).toMatchObject({ ok: false, reason: 'malformed signature header' });
    expect(await verifySignature('secret', '{"a":1}', null, at)).toMatchObject({ ok: false });
  });
});
