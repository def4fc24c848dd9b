/**
 * The services' state changes through the outbox decorator (decision 038): each notifying change
 * enqueues its message, in order, with the approvers of a pending request; nothing else does.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock, StaticTargetCatalog, StaticUserDirectory } from './basic-adapters.ts';
import { ApprovalService } from './approval-service.ts';
import { openBreakGlass } from './break-glass-service.ts';
import { withNotificationOutbox } from './notification-outbox.ts';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { apiSecret, apiValues, body, DANA, makeFixture, OLU, PRODUCTION, SAM, secret, STAGING, TARGETS, values, VIKTOR } from '../tests/fixtures/rollback-service-fixture.ts';

let reviews = 0;

describe('notifications from the services', () => {
  const setUp = () => {
    const inner = new InMemoryRequestStore();
    const users = new StaticUserDirectory([SAM, DANA, OLU, VIKTOR]);
    const requests = withNotificationOutbox(inner, {
      routing: { baseUrl: 'https://rewind.example.com', channels: [{ name: 'ops', type: 'webhook' }, { name: '#prod', type: 'slack', targets: ['*/production'] }] },
      users,
      catalog: new StaticTargetCatalog(TARGETS),
      clock: new FixedClock(new Date('2026-11-21T10:00:00Z')),
    });
    const f = makeFixture(requests);
    const approvals = new ApprovalService({ rollbacks: f.service, revisions: f.revisions, requests, clock: f.clock, ids: { next: (prefix) => `${prefix}review-${++reviews}` } });
    return { f, requests, approvals };
  };

  it('requested (naming the approvers who may review it) → approved → executed, to every routed channel', async () => {
    const { f, requests, approvals } = setUp();
    const { request } = await f.service.createRequest(SAM, body(PRODUCTION, f.good.get(PRODUCTION)!));
    expect(request.state).toBe('pending');
    await approvals.review(request.id, DANA, { decision: 'approve' });
    const messages = await requests.listNotifications(request.id);
    expect(messages.map((m) => [m.kind, m.channel])).toEqual([
      ['requested', 'ops'],
      ['requested', '#prod'],
      ['approved', 'ops'],
      ['approved', '#prod'],
      ['executed', 'ops'],
      ['executed', '#prod'],
    ]);
    expect(JSON.parse(messages[0]!.body)).toMatchObject({ kind: 'requested', approvers: ['dana@example.com'], request: { id: request.id, url: `https://rewind.example.com/rollbacks/${request.id}` } });
    expect(JSON.parse(messages[1]!.body).text).toContain('Approvers: @Dana Whitfield');
  });

  it('a request that needs no review notifies only its outcome; a rejection notifies; break-glass notifies untargeted channels', async () => {
    const { f, requests, approvals } = setUp();
    const { request: staged } = await f.service.createRequest(SAM, body(STAGING, f.good.get(STAGING)!));
    expect((await requests.listNotifications(staged.id)).map((m) => [m.kind, m.channel])).toEqual([['executed', 'ops']]);

    const { request } = await f.service.createRequest(SAM, body(PRODUCTION, f.good.get(PRODUCTION)!));
    await approvals.review(request.id, DANA, { decision: 'reject', comment: 'not this one' });
    expect((await requests.listNotifications(request.id)).map((m) => m.kind)).toEqual(['requested', 'requested', 'rejected', 'rejected']);

    await openBreakGlass({ requests, catalog: new StaticTargetCatalog(TARGETS), clock: f.clock, ids: { next: (prefix) => `${prefix}break-glass-1` } }, OLU, { justification: 'prod down', minutes: 30 });
    const claimed = await requests.transaction((tx) => tx.claimNotifications({ owner: 't', now: new Date('2030-01-01T00:00:00Z'), leaseMs: 1000, limit: 100 }));
    expect(claimed.filter((m) => m.kind === 'break-glass-opened').map((m) => [m.channel, m.requestId])).toEqual([['ops', null]]);
  });

  it('superseded and closed (decision 039) notify, saying why and linking the replacement', async () => {
    const { f, requests } = setUp();
    const { request: first } = await f.service.createRequest(SAM, body(PRODUCTION, f.good.get(PRODUCTION)!));
    const { request: second } = await f.service.createRequest(SAM, body(PRODUCTION, f.good.get(PRODUCTION)!));
    expect((await requests.getRequest(first.id))?.state).toBe('superseded');
    const firstMessages = await requests.listNotifications(first.id);
    expect(firstMessages.map((m) => [m.kind, m.channel])).toEqual([['requested', 'ops'], ['requested', '#prod'], ['superseded', 'ops'], ['superseded', '#prod']]);
    expect(JSON.parse(firstMessages[2]!.body)).toMatchObject({ kind: 'superseded', request: { state: 'superseded', supersededBy: second.id } });
    expect(JSON.parse(firstMessages[3]!.body).text).toContain(`(<https://rewind.example.com/rollbacks/${second.id}|${second.id}>)`);

    // Someone reverts by hand: the waiting request has nothing left to do and is closed, by Rewind.
    f.land(PRODUCTION, { [apiValues(PRODUCTION)]: values('v1.0.0', '3000'), [apiSecret(PRODUCTION)]: secret('Old-Pa55word!') }, 'manual revert\n');
    expect((await f.service.get(second.id)).request.state).toBe('closed');
    const secondMessages = await requests.listNotifications(second.id);
    expect(secondMessages.map((m) => m.kind)).toEqual(['requested', 'requested', 'closed', 'closed']);
    expect(JSON.parse(secondMessages[3]!.body).text).toMatch(/^\*Rollback closed\*: .* by rewind\n[^]*\nClosed: nothing to roll back/);
  });
});
