import { describe, expect, it } from 'vitest';
import { standingOf } from './request-standing.ts';

const change = { previousBaseSha: 'a'.repeat(40), baseSha: 'b'.repeat(40), diffHash: 'd', changes: ['x'] };

describe('standingOf', () => {
  it('a waiting request whose plan changed awaits confirmation; anything else stands as its state', () => {
    expect(standingOf({ state: 'pending', planChange: change })).toBe('awaiting-confirmation');
    expect(standingOf({ state: 'approved', planChange: change })).toBe('awaiting-confirmation');
    expect(standingOf({ state: 'pending' })).toBe('pending');
    expect(standingOf({ state: 'executing', planChange: change })).toBe('executing');
    expect(standingOf({ state: 'completed', planChange: change })).toBe('completed');
  });
});
