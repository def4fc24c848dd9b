import { describe } from 'vitest';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';
import { usePostgres } from '../support/postgres.ts';
import { describeAuditTargetsContract } from './audit-targets.contract.ts';
import { describeDeliveryLedgerContract } from './delivery-ledger.contract.ts';
import { describeRequestStoreContract } from './request-store.contract.ts';

const pg = usePostgres();

/** A store on a database of its own, dropped on close. */
async function openStore() {
  const database = await pg.createDatabase();
  const store = await SqlRequestStore.openPostgres({ url: database.url });
  return {
    store,
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
}

describe.skipIf(!pg.available)('PostgreSQL request store', () => {
  describeRequestStoreContract('sql (postgresql)', openStore);
  describeAuditTargetsContract('sql (postgresql)', openStore);
  describeDeliveryLedgerContract('sql (postgresql)', async () => {
    const { store, close } = await openStore();
    return { ledger: store, close };
  });
});
