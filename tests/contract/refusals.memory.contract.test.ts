import { memoryHarness } from './backends.ts';
import { describeRefusalsContract } from './refusals-contract.ts';

describeRefusalsContract('in-memory backend', () => memoryHarness());
