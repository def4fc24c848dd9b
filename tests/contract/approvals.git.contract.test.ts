import { describeApprovalsContract } from './approvals-contract.ts';
import { realServerHarness } from './backends.ts';

describeApprovalsContract('real server (git + SQLite over HTTP)', realServerHarness);
