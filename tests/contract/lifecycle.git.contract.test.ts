import { realServerHarness } from './backends.ts';
import { describeLifecycleContract } from './lifecycle-contract.ts';

describeLifecycleContract('real server (git + SQLite over HTTP)', realServerHarness);
