import { memoryHarness } from './backends.ts';
import { describeIncidentContract } from './incident-contract.ts';

describeIncidentContract('in-memory backend', () => memoryHarness());
