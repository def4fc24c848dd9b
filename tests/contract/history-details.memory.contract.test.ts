import { memoryHarness } from './backends.ts';
import { describeHistoryDetailsContract } from './history-details-contract.ts';

describeHistoryDetailsContract('in-memory backend', () => memoryHarness());
