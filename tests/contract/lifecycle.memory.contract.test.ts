import { memoryHarness } from './backends.ts';
import { describeLifecycleContract } from './lifecycle-contract.ts';

describeLifecycleContract('in-memory backend', () => memoryHarness());
