import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { describeRequestStoreContract } from './request-store.contract.ts';

describeRequestStoreContract('in-memory', async () => ({ store: new InMemoryRequestStore(), close: async () => {} }));
