/**
 * Audit events listing the targets a break-glass session touched (decision 037): every request store
 * matches the tenant and environment filters against them, exactly as against an event's own target.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestStore } from '#core/ports.ts';
import type { AuditEvent } from '#core/schemas.ts';

const event = (id: string, overrides: Partial<AuditEvent>): AuditEvent => ({ id, at: '2025-03-01T10:00:00.000Z', actor: 'olu@example.com', type: 'break-glass.closed', breakGlass: true, details: {}, ...overrides });

export function describeAuditTargetsContract(name: string, make: () => Promise<{ store: RequestStore; close(): Promise<void> }>): void {
  describe(`audit targets contract: ${name}`, () => {
    let harness: { store: RequestStore; close(): Promise<void> };
    beforeEach(async () => {
      harness = await make();
      await harness.store.transaction(async (tx) => {
        await tx.appendAudit(event('evt-1', { targets: ['acme/production', 'globex-eu/staging'] }));
        await tx.appendAudit(event('evt-2', { type: 'rollback.requested', tenant: 'acme', environment: 'staging', requestId: 'rbk-1' }));
        await tx.appendAudit(event('evt-3', { targets: [] }));
        await tx.appendAudit(event('evt-4', { type: 'break-glass.opened' }));
      });
    });
    afterEach(() => harness.close());
    const ids = async (filter: { tenant?: string; environment?: string }) => (await harness.store.listAudit(filter, null, 100)).items.map((e) => e.id);

    it('reads the targets back as written', async () => {
      const items = (await harness.store.listAudit({}, null, 100)).items;
      expect(items.map((e) => [e.id, e.targets])).toEqual([
        ['evt-4', undefined],
        ['evt-3', []],
        ['evt-2', undefined],
        ['evt-1', ['acme/production', 'globex-eu/staging']],
      ]);
    });

    it('matches tenant, environment or both against its own target or a touched one, never across two targets', async () => {
      expect(await ids({ tenant: 'acme' })).toEqual(['evt-2', 'evt-1']);
      expect(await ids({ environment: 'staging' })).toEqual(['evt-2', 'evt-1']);
      expect(await ids({ tenant: 'acme', environment: 'production' })).toEqual(['evt-1']);
      expect(await ids({ tenant: 'acme', environment: 'staging' })).toEqual(['evt-2']);
      expect(await ids({ tenant: 'globex-eu', environment: 'staging' })).toEqual(['evt-1']);
      expect(await ids({ tenant: 'globex' })).toEqual([]);
      expect(await ids({ environment: 'prod' })).toEqual([]);
    });
  });
}
