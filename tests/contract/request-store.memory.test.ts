import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { describeAuditTargetsContract } from './audit-targets.contract.ts';
import { describeDeliveryLedgerContract } from './delivery-ledger.contract.ts';
import { describeRequestStoreContract } from './request-store.contract.ts';

describeRequestStoreContract('in-memory', async () => ({ store: new InMemoryRequestStore(), close: async () => {} }));

describeDeliveryLedgerContract('in-memory', async () => ({ ledger: new InMemoryRequestStore(), close: async () => {} }));
describeAuditTargetsContract('in-memory', async () => ({ store: new InMemoryRequestStore(), close: async () => {} }));
