/** Shared builders and helpers of the RequestStore contract (request-store.contract.ts). */
import { expect } from 'vitest';
import { RewindError } from '#core/errors.ts';
import type { Page } from '#core/ports.ts';
import type { AuditEvent, RollbackRequest } from '#core/schemas.ts';

export const SHA_A = 'a'.repeat(40);
export const SHA_B = 'b'.repeat(40);
export const SHA_C = 'c'.repeat(40);

export function makeRequest(overrides: Partial<RollbackRequest> = {}): RollbackRequest {
  return {
    id: 'rbk-1',
    tenant: 'acme',
    environment: 'production',
    mode: 'service',
    targetSha: SHA_A,
    baseSha: SHA_B,
    service: 'api-gateway',
    justification: 'Bad image tag v2.1.0 causing 500 errors',
    requestedBy: 'jane@example.com',
    createdAt: '2025-03-01T10:00:00.000Z',
    state: 'pending',
    requiredApprovals: 1,
    reviews: [],
    breakGlass: false,
    affectedServices: ['api-gateway'],
    diffHash: 'hash-1',
    notes: [],
    ...overrides,
  };
}

export function makeEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: 'evt-1',
    at: '2025-03-01T10:00:00.000Z',
    actor: 'jane@example.com',
    type: 'rollback.requested',
    tenant: 'acme',
    environment: 'production',
    requestId: 'rbk-1',
    breakGlass: false,
    details: {},
    ...overrides,
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

export async function expectRewindError(promise: Promise<unknown>, code: string, message?: string): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(RewindError);
  expect((error as RewindError).code).toBe(code);
  if (message !== undefined) expect((error as RewindError).message).toBe(message);
}

export async function collect<T>(
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
  between?: (pageIndex: number) => Promise<void>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Page<T> = await fetchPage(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
    if (pages > 100) throw new Error('paging does not terminate');
    if (cursor && between) await between(pages);
  } while (cursor);
  return { items, pages };
}

export const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

