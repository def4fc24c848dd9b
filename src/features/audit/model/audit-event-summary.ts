import type { AuditEvent } from '#core/schemas.ts';
import { shortSha } from '#src/lib/sha.ts';
import { AUDIT_TYPE_LABELS } from './audit-filters.ts';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const number = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

export const auditTypeLabel = (type: string) => AUDIT_TYPE_LABELS[type] ?? type;

/**
 * One line about an event, from the details the server records (core/rollback-service.ts,
 * core/approval-service.ts, core/break-glass-service.ts). Details are free-form: anything unexpected is
 * left out here and still shown in full when the event is expanded.
 */
export function summarizeAuditEvent(event: AuditEvent): string {
  const d = event.details;
  switch (event.type) {
    case 'rollback.requested': {
      const service = text(d.service) ? ` of ${text(d.service)}` : '';
      const to = text(d.targetSha) ? ` to ${shortSha(text(d.targetSha) ?? '')}` : '';
      return `${text(d.mode) ?? 'a'} rollback${service}${to}`;
    }
    case 'rollback.reviewed': {
      const decision = d.decision === 'reject' ? 'rejected' : d.decision === 'approve' ? 'approved' : 'reviewed';
      const approvals = number(d.approvals);
      const required = number(d.requiredApprovals);
      const progress = approvals !== undefined && required !== undefined ? ` (${approvals} of ${required})` : '';
      return `${decision}${progress}${d.quorumReached === true ? ', quorum reached' : ''}`;
    }
    case 'rollback.executed':
      return text(d.commitSha) ? `committed ${shortSha(text(d.commitSha) ?? '')}` : 'committed';
    case 'rollback.failed':
      return text(d.error) ?? 'execution failed';
    case 'rollback.approvals-dismissed':
      return text(d.reason) ? `the target changed: ${text(d.reason)}` : 'the target changed';
    case 'break-glass.opened':
      return number(d.minutes) !== undefined ? `for ${number(d.minutes)} minutes` : '';
    case 'notification.delivered':
    case 'notification.failed': {
      const attempts = number(d.attempts);
      const tries = attempts !== undefined ? ` after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}` : '';
      const error = event.type === 'notification.failed' && text(d.error) ? `: ${text(d.error)}` : '';
      return `${text(d.kind) ?? 'notification'} to ${text(d.channel) ?? 'a channel'}${tries}${error}`;
    }
    default:
      return '';
  }
}
