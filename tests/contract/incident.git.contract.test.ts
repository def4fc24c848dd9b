import { realServerHarness } from './backends.ts';
import { describeIncidentContract } from './incident-contract.ts';

describeIncidentContract('real server (git + SQLite over HTTP)', realServerHarness);
