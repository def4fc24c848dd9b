import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { server } from '#mocks/node.ts';
import { failOnUnexpectedConsoleError } from '#tests/setup/console-error-guard.ts';

// findBy*/waitFor wait for a state, and return as soon as it holds: their limit only decides how long a
// failing test takes. Testing Library's 1 s default fails correct tests on a busy machine (decision 024).
configure({ asyncUtilTimeout: 15_000 });

// Every component test talks to the real API app over in-memory adapters through msw/node.
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  cleanup();
});
afterAll(() => server.close());

failOnUnexpectedConsoleError();
afterAll(() => vi.restoreAllMocks());

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
