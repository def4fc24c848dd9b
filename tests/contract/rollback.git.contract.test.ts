import { realServerHarness } from './backends.ts';
import { describeRollbackContract } from './rollback-contract.ts';

describeRollbackContract('real server (git + SQLite over HTTP)', realServerHarness);
