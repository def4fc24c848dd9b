import { describe, expect, it } from 'vitest';
import { FixedClock, StaticTargetCatalog, StaticUserDirectory } from './basic-adapters.ts';
import { withNotificationOutbox } from './notification-outbox.ts';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import type { AuditEvent, RollbackRequest } from './schemas.ts';

const request = {
  id: 'rbk-1', tenant: 'acme', environment: 'production', mode: 'full', targetSha: 'a'.repeat(40), baseSha: 'b'.repeat(40),
  justification: 'x', requestedBy: 'sam@example.com', createdAt: '2025-03-01T10:00:00.000Z', state: 'pending', requiredApprovals: 1,
  reviews: [], breakGlass: false, affectedServices: ['api'], diffHash: 'h', notes: [],
} satisfies RollbackRequest;
const event = (id: string, type: string, details: Record<string, unknown>): AuditEvent => ({
  id, at: '2025-03-01T10:00:00.000Z', actor: 'sam@example.com', type, tenant: 'acme', environment: 'production', requestId: 'rbk-1', breakGlass: false, details,
});

describe('withNotificationOutbox', () => {
  const make = () => {
    const inner = new InMemoryRequestStore();
    const store = withNotificationOutbox(inner, {
      routing: { baseUrl: 'https://r', channels: [{ name: 'ops', type: 'webhook' }, { name: '#incidents', type: 'slack', events: ['failed'] }] },
      users: new StaticUserDirectory([]),
      catalog: new StaticTargetCatalog([]),
      clock: new FixedClock(new Date('2025-03-01T10:00:00.000Z')),
    });
    return { inner, store };
  };

  it('enqueues one message per routed channel with the audit event, in its transaction', async () => {
    const { store } = make();
    await store.transaction(async (tx) => {
      await tx.insertRequest(request);
      await tx.appendAudit(event('evt-1', 'rollback.requested', { state: 'pending' }));
      await tx.appendAudit(event('evt-2', 'rollback.note-added', {}));
      await tx.appendAudit(event('evt-3', 'rollback.failed', {}));
    });
    expect((await store.listNotifications('rbk-1')).map((m) => [m.id, m.kind, m.channel])).toEqual([
      ['ntf-evt-1-ops', 'requested', 'ops'],
      ['ntf-evt-3-ops', 'failed', 'ops'],
      ['ntf-evt-3-#incidents', 'failed', '#incidents'],
    ]);
  });

  it('leaves nothing when the transaction fails', async () => {
    const { store } = make();
    await store.transaction((tx) => tx.insertRequest(request));
    await expect(
      store.transaction(async (tx) => {
        await tx.appendAudit(event('evt-1', 'rollback.failed', {}));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await store.listNotifications('rbk-1')).toEqual([]);
  });
});
