/**
 * The DeliveryLedger contract (decision 037): webhook replay memory, kept by every request store
 * (in-memory for the mock, SQLite and PostgreSQL for the server), so a restart does not forget it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryLedger } from '#core/ports.ts';

export function describeDeliveryLedgerContract(name: string, make: () => Promise<{ ledger: DeliveryLedger; close(): Promise<void> }>): void {
  describe(`DeliveryLedger contract: ${name}`, () => {
    let harness: { ledger: DeliveryLedger; close(): Promise<void> };
    beforeEach(async () => {
      harness = await make();
    });
    afterEach(() => harness.close());
    const t = (time: string) => new Date(`2025-03-01T${time}Z`);

    it('claims a key once until it expires, then again', async () => {
      const { ledger } = harness;
      expect(await ledger.claimDelivery('hook:sig-1', t('10:00:00'), t('11:00:00'))).toBe(true);
      expect(await ledger.claimDelivery('hook:sig-1', t('10:30:00'), t('11:30:00'))).toBe(false);
      expect(await ledger.claimDelivery('hook:sig-2', t('10:30:00'), t('11:30:00'))).toBe(true);
      // The refused claim did not extend the first key's life.
      expect(await ledger.claimDelivery('hook:sig-1', t('11:00:00'), t('12:00:00'))).toBe(true);
      expect(await ledger.claimDelivery('hook:sig-2', t('11:00:00'), t('12:00:00'))).toBe(false);
    });

    it('answers exactly one of several concurrent claims of the same key with true', async () => {
      const claims = await Promise.all([1, 2, 3].map(() => harness.ledger.claimDelivery('hook:same', t('10:00:00'), t('11:00:00'))));
      expect(claims.filter(Boolean)).toHaveLength(1);
    });
  });
}
