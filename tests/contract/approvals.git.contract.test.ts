import { vi } from 'vitest';
import { describeApprovalsContract } from './approvals-contract.ts';
import { realServerHarness } from './backends.ts';

// Real work (a `rewind serve` over git and SQLite) on a busy machine: generous limits, never vitest's 5 s (decision 024).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

describeApprovalsContract('real server (git + SQLite over HTTP)', realServerHarness);
