/** Types for scripts/test-failures.mjs (a plain script run by node). */
export function vitestFailures(report: unknown, cwd?: string): string[];
export function vitestUnhandledErrors(record: unknown, cwd?: string): string[];
export function playwrightFailures(report: unknown): string[];
