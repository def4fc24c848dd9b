import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { invalidationsFor, parseLiveEvent, useLiveUpdates } from './use-live-updates.ts';

/** Enough of EventSource to drive the hook: open, message, error, readyState, close. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];
  readonly url: string;
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onmessage: ((event: MessageEvent<string>) => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;

  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }

  open() {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.();
  }

  send(data: unknown) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(data) }));
  }

  fail(readyState: number) {
    this.readyState = readyState;
    this.onerror?.();
  }

  close() {
    this.closed = true;
    this.readyState = FakeEventSource.CLOSED;
  }
}

function setup() {
  const queryClient = new QueryClient();
  const invalidate = vi.spyOn(queryClient, 'invalidateQueries').mockResolvedValue(undefined);
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
  const hook = renderHook(() => useLiveUpdates(), { wrapper });
  const keys = () => invalidate.mock.calls.map(([filters]) => filters?.queryKey);
  return { ...hook, invalidate, keys };
}

const latest = () => FakeEventSource.instances.at(-1) as FakeEventSource;

describe('useLiveUpdates', () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
    vi.stubGlobal('EventSource', FakeEventSource);
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('opens one stream on /api/events and invalidates what each event names', () => {
    const { keys, invalidate } = setup();
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(latest().url).toBe('/api/events');
    latest().open();
    expect(invalidate).not.toHaveBeenCalled();

    latest().send({ type: 'request.updated', tenant: 'acme', environment: 'production', requestId: 'rbk-7' });
    expect(keys()).toEqual([['rollback', 'request', 'rbk-7'], ['rollback', 'open'], ['approvals'], ['audit']]);

    invalidate.mockClear();
    latest().send({ type: 'revision.created', tenant: 'acme', environment: 'production' });
    expect(keys()).toEqual([
      ['targets'],
      ['history', 'acme', 'production'],
      ['rollback', 'target', 'acme', 'production'],
      ['compare', 'acme', 'production'],
      ['rollback', 'request'],
    ]);

    invalidate.mockClear();
    latest().send({ type: 'break-glass.changed' });
    expect(keys()).toEqual([['me'], ['audit']]);

    invalidate.mockClear();
    latest().send({ type: 'something.else' });
    latest().onmessage?.(new MessageEvent('message', { data: 'not json' }));
    expect(invalidate).not.toHaveBeenCalled();
  });

  it('reconnects with a backoff when the browser gives up, and refreshes everything after a gap', () => {
    const { keys, invalidate } = setup();
    latest().open();
    // A network blip: the browser reconnects by itself (CONNECTING); no new EventSource.
    latest().fail(FakeEventSource.CONNECTING);
    expect(FakeEventSource.instances).toHaveLength(1);
    latest().open();
    expect(keys()).toContainEqual(['rollback']);
    expect(keys()).toContainEqual(['me']);

    invalidate.mockClear();
    // The server answered with an error: CLOSED. We retry after 1 s, then 2 s.
    const first = latest();
    first.fail(FakeEventSource.CLOSED);
    expect(first.closed).toBe(true);
    act(() => vi.advanceTimersByTime(999));
    expect(FakeEventSource.instances).toHaveLength(1);
    act(() => vi.advanceTimersByTime(1));
    expect(FakeEventSource.instances).toHaveLength(2);
    latest().fail(FakeEventSource.CLOSED);
    act(() => vi.advanceTimersByTime(1_999));
    expect(FakeEventSource.instances).toHaveLength(2);
    act(() => vi.advanceTimersByTime(1));
    expect(FakeEventSource.instances).toHaveLength(3);
    latest().open();
    expect(keys()).toContainEqual(['targets']);
  });

  it('closes the stream on unmount and cancels a pending reconnect', () => {
    const { unmount } = setup();
    const source = latest();
    source.fail(FakeEventSource.CLOSED);
    unmount();
    act(() => vi.advanceTimersByTime(60_000));
    expect(FakeEventSource.instances).toHaveLength(1);

    const second = setup();
    second.unmount();
    expect(latest().closed).toBe(true);
  });

  it('does nothing where EventSource is missing', () => {
    vi.stubGlobal('EventSource', undefined);
    const { invalidate, unmount } = setup();
    expect(FakeEventSource.instances).toHaveLength(0);
    unmount();
    expect(invalidate).not.toHaveBeenCalled();
  });
});

describe('live events', () => {
  it('parses only the event types of API.md, with their optional fields', () => {
    expect(parseLiveEvent('{"type":"request.updated","requestId":"rbk-1","tenant":"","extra":1}')).toEqual({
      type: 'request.updated',
      requestId: 'rbk-1',
    });
    expect(parseLiveEvent('{"type":"nope"}')).toBeNull();
    expect(parseLiveEvent('null')).toBeNull();
    expect(parseLiveEvent('{')).toBeNull();
  });

  const keys = (filters: ReturnType<typeof invalidationsFor>) => filters.map((filter) => filter.queryKey);

  it('invalidates every target after a commit from outside Rewind (no target named)', () => {
    expect(keys(invalidationsFor({ type: 'revision.created' }))).toEqual([['targets'], ['history'], ['rollback'], ['compare']]);
    expect(keys(invalidationsFor({ type: 'request.updated' }))).toEqual([['rollback', 'request'], ['rollback', 'open'], ['approvals'], ['audit']]);
  });

  it('never refreshes a rollback preview', () => {
    for (const event of [{ type: 'revision.created' as const }, { type: 'revision.created' as const, tenant: 'acme', environment: 'staging' }]) {
      const rollback = invalidationsFor(event).find((filter) => filter.queryKey?.[0] === 'rollback' && filter.queryKey[1] !== 'request');
      const query = (queryKey: unknown[]) => ({ queryKey }) as unknown as Parameters<NonNullable<NonNullable<typeof rollback>['predicate']>>[0];
      expect(rollback?.predicate?.(query(['rollback', 'target', 'acme', 'staging', 'preview', {}]))).toBe(false);
      expect(rollback?.predicate?.(query(['rollback', 'target', 'acme', 'staging', 'revisions']))).toBe(true);
    }
  });
});
