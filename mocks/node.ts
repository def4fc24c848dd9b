import { setupServer } from 'msw/node';
import { createMockBackend, type MockBackend, type MockBackendOptions } from './backend.ts';
import { createHandlers } from './handlers.ts';

let backend: MockBackend | null = null;

export function getMockBackend(): MockBackend {
  backend ??= createMockBackend();
  return backend;
}

/** Fresh demo data for the next test (the backend is otherwise shared by a test file). */
export function resetMockBackend(options: MockBackendOptions = {}): MockBackend {
  backend = createMockBackend(options);
  return backend;
}

export const server = setupServer(...createHandlers(getMockBackend));
