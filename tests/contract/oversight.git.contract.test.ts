import { realServerHarness } from './backends.ts';
import { describeOversightContract } from './oversight-contract.ts';

describeOversightContract('real server (git + SQLite over HTTP)', realServerHarness);
