import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { server } from '#mocks/node.ts';

// Every component test talks to the real API app over in-memory adapters through msw/node.
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  cleanup();
});
afterAll(() => server.close());

// An unexpected console.error is a bug (React warnings, failed renders): fail the test that caused it.
let consoleErrors: unknown[][] = [];
const originalError = console.error;
beforeAll(() => {
  console.error = (...args: unknown[]) => {
    consoleErrors.push(args);
    originalError(...args);
  };
});
afterEach(() => {
  const errors = consoleErrors;
  consoleErrors = [];
  if (errors.length > 0 && !(globalThis as { __allowConsoleError?: boolean }).__allowConsoleError) {
    throw new Error(`console.error was called during the test:\n${errors.map((e) => e.join(' ')).join('\n')}`);
  }
});
afterAll(() => {
  console.error = originalError;
  vi.restoreAllMocks();
});

// jsdom has <dialog> without its methods: enough of them for modal dialogs to open, close and cancel.
if (typeof HTMLDialogElement !== 'undefined' && !HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.show = function show(this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    if (!this.open) return;
    this.open = false;
    this.dispatchEvent(new Event('close'));
  };
}
