import { realServerHarness } from './backends.ts';
import { describeHistoryDetailsContract } from './history-details-contract.ts';

describeHistoryDetailsContract('real server (git + SQLite over HTTP)', realServerHarness);
