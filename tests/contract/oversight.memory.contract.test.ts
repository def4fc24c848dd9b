import { memoryHarness } from './backends.ts';
import { describeOversightContract } from './oversight-contract.ts';

describeOversightContract('in-memory backend', () => memoryHarness());
