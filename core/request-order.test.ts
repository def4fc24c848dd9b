import { describe, expect, it } from 'vitest';
import { RewindError } from './errors.ts';
import {
  compareRequestPositions,
  decodeAuditCursor,
  decodeRequestCursor,
  encodeAuditCursor,
  encodeRequestCursor,
  orderKey,
} from './request-order.ts';

describe('request store cursors and keys', () => {
  it('round-trips request cursors, with ids of any characters', () => {
    for (const position of [
      { createdKey: '2025-03-01T10:00:00.000Z', id: 'rbk-abc123' },
      { createdKey: '1999-12-31T23:59:59.999Z', id: 'rbk-ünïcödé/+=' },
    ]) {
      const cursor = encodeRequestCursor(position);
      expect(cursor).toMatch(/^r1\.[A-Za-z0-9_-]+$/);
      expect(decodeRequestCursor(cursor)).toEqual(position);
    }
  });

  it('round-trips audit cursors', () => {
    expect(decodeAuditCursor(encodeAuditCursor(42))).toBe(42);
  });

  it('rejects tampered cursors as BAD_REQUEST', () => {
    const good = encodeRequestCursor({ createdKey: '2025-03-01T10:00:00.000Z', id: 'rbk-1' });
    for (const bad of [good.slice(0, -2), `${good}!`, `r2.${good.slice(3)}`, encodeRequestCursor({ createdKey: 'yesterday', id: 'rbk-1' })]) {
      expect(() => decodeRequestCursor(bad)).toThrow(RewindError);
    }
    expect(() => decodeRequestCursor(encodeRequestCursor({ createdKey: '2025-03-01T10:00:00.000Z', id: '' }))).toThrow('invalid cursor');
  });

  it('orders timestamps by instant, whatever their offset or precision', () => {
    expect(orderKey('2025-03-01T12:00:00+02:00')).toBe('2025-03-01T10:00:00.000Z');
    expect(orderKey('2025-03-01T10:00:00Z')).toBe('2025-03-01T10:00:00.000Z');
    expect(() => orderKey('not a time')).toThrow();
  });

  it('sorts positions newest first, then by id descending', () => {
    const positions = [
      { createdKey: '2025-03-01T10:00:00.000Z', id: 'rbk-a' },
      { createdKey: '2025-03-01T11:00:00.000Z', id: 'rbk-a' },
      { createdKey: '2025-03-01T10:00:00.000Z', id: 'rbk-b' },
    ];
    expect([...positions].sort(compareRequestPositions)).toEqual([positions[1], positions[2], positions[0]]);
  });
});
