import { InMemoryRequestStore } from '../../mocks/in-memory-request-store.ts';
import { describeRequestStoreContract } from './request-store.contract.ts';

describeRequestStoreContract('in-memory', async () => ({ store: new InMemoryRequestStore(), close: async () => {} }));
