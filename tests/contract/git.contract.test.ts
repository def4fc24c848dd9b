import { describeApiContract } from './api-contract.ts';
import { realServerHarness } from './backends.ts';

/** The contract against `rewind serve` over HTTP, exactly as `npm start` runs it. */
describeApiContract('real server (git + SQLite over HTTP)', realServerHarness);
