import { describeApiContract } from './api-contract.ts';
import { memoryHarness } from './backends.ts';

describeApiContract('in-memory backend', () => memoryHarness());
