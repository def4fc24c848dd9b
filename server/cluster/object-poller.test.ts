import { describe, expect, it } from 'vitest';
import { FixedClock } from '#core/basic-adapters.ts';
import type { AgentClient, ObjectReport } from './agent.ts';
import { ObjectPoller } from './object-poller.ts';

const report: ObjectReport = { health: 'healthy', sync: 'synced', liveRevision: 'a'.repeat(40), operation: null, outcomes: [], resources: [], note: null };

function setUp() {
  const clock = new FixedClock(new Date('2026-01-01T00:00:00Z'));
  let failing = true;
  let calls = 0;
  const client: AgentClient = {
    source: 'argocd',
    label: 'Argo CD',
    objectKind: 'Application',
    read: async () => {
      calls += 1;
      if (failing) throw new Error('unreachable: ECONNREFUSED');
      return report;
    },
    requestSync: async () => ({ accepted: true, message: '' }),
  };
  const changes: string[] = [];
  const poller = new ObjectPoller({ client, clock, intervalMs: 1_000, onChange: (name) => changes.push(name) });
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { clock, poller, changes, settle, calls: () => calls, heal: () => (failing = false) };
}

describe('ObjectPoller', () => {
  it('backs a failing object off (1×, 2×, 4× the interval) and reads it on time again once it answers', async () => {
    const { clock, poller, settle, calls, heal } = setUp();
    expect(await poller.state('app')).toEqual({ report: null, observedAt: null, error: 'unreachable: ECONNREFUSED' });
    expect(calls()).toBe(1);
    const due = async (ms: number) => {
      clock.advance(ms);
      poller.pollDue();
      await settle();
      return calls();
    };
    expect(await due(999)).toBe(1);
    expect(await due(1)).toBe(2); // 1 s after the first failure
    expect(await due(1_999)).toBe(2);
    expect(await due(1)).toBe(3); // 2 s after the second
    heal();
    expect(await due(4_000)).toBe(4); // 4 s after the third; this one answers
    expect(await poller.state('app')).toEqual({ report, observedAt: '2026-01-01T00:00:07.000Z', error: null });
    expect(await due(1_000)).toBe(5); // back to the interval
  });

  it('reads nothing for callers after the first read, and announces a change once', async () => {
    const { clock, poller, settle, calls, heal, changes } = setUp();
    heal();
    await Promise.all(Array.from({ length: 20 }, () => poller.state('app')));
    expect(calls()).toBe(1);
    poller.pollDue();
    await settle();
    expect(calls()).toBe(1);
    clock.advance(1_000);
    poller.pollDue();
    await settle();
    expect(calls()).toBe(2);
    expect(changes).toEqual([]); // same report: no event
    poller.pollSoon('app');
    poller.pollDue();
    await settle();
    expect(calls()).toBe(3);
  });
});

describe('poll error classes', () => {
  it('classes failures by status and wording, never by object name', async () => {
    const { pollErrorClass, ShapeError } = await import('./agent.ts');
    const { AgentCallError } = await import('./http-json.ts');
    expect(pollErrorClass(new AgentCallError('unreachable: ECONNREFUSED', null))).toBe('unreachable');
    expect(pollErrorClass(new AgentCallError('no answer within 300 ms', null))).toBe('timeout');
    expect(pollErrorClass(new AgentCallError('refused (401)', 401))).toBe('unauthorized');
    expect(pollErrorClass(new AgentCallError('denied (403)', 403))).toBe('forbidden');
    expect(pollErrorClass(new AgentCallError('there is no Application x (404)', 404))).toBe('not-found');
    expect(pollErrorClass(new AgentCallError('answered 502', 502))).toBe('server-error');
    expect(pollErrorClass(new AgentCallError('answered 429', 429))).toBe('http-error');
    expect(pollErrorClass(new AgentCallError('answered 200 with malformed JSON', 200))).toBe('malformed');
    expect(pollErrorClass(new ShapeError('unexpected shape'))).toBe('shape');
    expect(pollErrorClass('boom')).toBe('other');
  });

  it('reports every failed read to onError', async () => {
    const errors: string[] = [];
    const client: AgentClient = {
      source: 'flux',
      label: 'Flux',
      objectKind: 'Kustomization',
      read: async () => {
        throw new Error('unreachable: ECONNREFUSED');
      },
      requestSync: async () => ({ accepted: true, message: '' }),
    };
    const poller = new ObjectPoller({ client, clock: new FixedClock(new Date('2026-01-01T00:00:00Z')), intervalMs: 1_000, onError: (name) => errors.push(name) });
    await poller.state('apps');
    expect(errors).toEqual(['apps']);
    expect(poller.snapshot()).toEqual([{ name: 'apps', state: { report: null, observedAt: null, error: 'unreachable: ECONNREFUSED' } }]);
  });
});
