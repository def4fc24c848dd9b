import { realServerHarness } from './backends.ts';
import { describeRefusalsContract } from './refusals-contract.ts';

describeRefusalsContract('real server (git + SQLite over HTTP)', realServerHarness);
