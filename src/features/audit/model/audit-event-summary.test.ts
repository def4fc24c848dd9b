import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '#core/schemas.ts';
import { auditTypeLabel, summarizeAuditEvent } from './audit-event-summary.ts';

const event = (type: string, details: Record<string, unknown>): AuditEvent => ({ id: 'evt-1', at: '2025-11-20T10:00:00.000Z', actor: 'rewind', type, breakGlass: false, details });

describe('notification events in the audit trail', () => {
  it('names the kind, the channel, the attempts and the last error', () => {
    expect(auditTypeLabel('notification.delivered')).toBe('Notification delivered');
    expect(summarizeAuditEvent(event('notification.delivered', { kind: 'requested', channel: '#incidents', attempts: 1 }))).toBe('requested to #incidents after 1 attempt');
    expect(summarizeAuditEvent(event('notification.failed', { kind: 'failed', channel: 'ops', attempts: 8, error: 'HTTP 500' }))).toBe('failed to ops after 8 attempts: HTTP 500');
  });
});
