/**
 * An unexpected `console.error` during a test is a bug (a React warning, an unhandled failure a
 * catch-all logged): every vitest project fails the test that caused it. A test that expects one says
 * so by replacing it, e.g. `vi.spyOn(console, 'error').mockImplementation(() => {})`, which stops it
 * reaching this recorder.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';

function describeArgument(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Records what reaches `console.error` between installation and restoration. */
export class ConsoleErrorRecorder {
  private calls: unknown[][] = [];
  private original: typeof console.error | null = null;

  install(): void {
    if (this.original) return;
    const original = console.error;
    this.original = original;
    console.error = (...args: unknown[]) => {
      this.calls.push(args);
      original(...args);
    };
  }

  /** The calls recorded since the last take, as one message; null when there were none. */
  take(): string | null {
    const calls = this.calls;
    this.calls = [];
    if (calls.length === 0) return null;
    return `console.error was called during the test:\n${calls.map((args) => args.map(describeArgument).join(' ')).join('\n')}`;
  }

  restore(): void {
    if (this.original) console.error = this.original;
    this.original = null;
  }
}

/** Fails each test of the current file that called `console.error` without expecting it. */
export function failOnUnexpectedConsoleError(): void {
  const recorder = new ConsoleErrorRecorder();
  beforeAll(() => recorder.install());
  afterEach(() => {
    const unexpected = recorder.take();
    if (unexpected) throw new Error(unexpected);
  });
  afterAll(() => recorder.restore());
}
