import { defineConfig } from 'vitest/config';
import { availableParallelism } from 'node:os';
import react from '@vitejs/plugin-react';

// Timeouts are set here for every project rather than left at vitest's 5 s, which a busy 2-core
// machine exceeds with pure computation (decision 024). Files doing real I/O (git, servers, worker
// threads, SQLite) set their own, longer ones with `vi.setConfig` at the top.
const UNIT_TEST_TIMEOUT_MS = 30_000;
const HOOK_TIMEOUT_MS = 60_000;

export default defineConfig({
  test: {
    // Two test files at a time at least: vitest's default (cores − 1) is one on the 2-core machines CI
    // runs on. Measured there: the whole run 513 s with one, 363 s with two, and 561 s with two while
    // both cores were kept busy by other work, every test passing.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['core/**/*.test.ts', 'demo/**/*.test.ts', 'in-memory/**/*.test.ts', 'server/**/*.test.ts', 'mocks/**/*.test.ts', 'scripts/**/*.test.ts', 'tests/**/*.test.ts'],
          setupFiles: ['tests/setup/node.ts'],
          testTimeout: UNIT_TEST_TIMEOUT_MS,
          hookTimeout: HOOK_TIMEOUT_MS,
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'dom',
          environment: 'jsdom',
          include: ['src/**/*.test.{ts,tsx}'],
          setupFiles: ['src/test/setup.ts'],
          testTimeout: UNIT_TEST_TIMEOUT_MS,
          hookTimeout: HOOK_TIMEOUT_MS,
        },
      },
    ],
  },
});
