import type { AuditEvent, RollbackRequest } from '#core/schemas.ts';
import { countApprovals, quorumOf } from '#core/review-rules.ts';
import { shortSha } from '#src/lib/sha.ts';

export type TimelineStep = 'requested' | 'reviewed' | 'approved' | 'rejected' | 'dismissed' | 'executing' | 'completed' | 'failed' | 'waiting';

export interface TimelineEntry {
  key: string;
  step: TimelineStep;
  /** Email addresses in it are shown as people (decision 047). */
  title: string;
  /** Who, and what they said or what happened. */
  detail?: string;
  /** Absent for what is still under way. */
  at?: string;
  breakGlass?: boolean;
  /** The entry describes the present (waiting, executing), not something that happened. */
  current?: boolean;
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * requested → reviews → approved/rejected → executing → completed/failed, from the request's audit
 * events (oldest first). Execution has no event of its own when it starts: it starts within the call
 * that made it possible (the request, when no approval is needed, or the review that reached the
 * quorum), so it is shown at that time; a retry after a failure is shown without one.
 */
export function buildTimeline(request: RollbackRequest, events: readonly AuditEvent[]): TimelineEntry[] {
  if (!events.some((event) => event.type === 'rollback.requested')) return timelineFromRequest(request);
  const entries: TimelineEntry[] = [];
  let executing = false;
  for (const event of events) {
    const d = event.details;
    const base = { at: event.at, breakGlass: event.breakGlass };
    switch (event.type) {
      case 'rollback.requested': {
        const immediate = d.state === 'executing';
        entries.push({ ...base, key: event.id, step: 'requested', title: `Requested by ${event.actor}` });
        if (immediate) {
          entries.push({
            ...base,
            key: `${event.id}-executing`,
            step: 'executing',
            title: 'Executing',
            detail: event.breakGlass || request.breakGlass ? 'no approval: break-glass session' : 'no approval required',
          });
          executing = true;
        }
        break;
      }
      case 'rollback.reviewed': {
        const approve = d.decision === 'approve';
        const progress =
          typeof d.approvals === 'number' && typeof d.requiredApprovals === 'number' ? ` (${d.approvals} of ${d.requiredApprovals})` : '';
        entries.push({
          ...base,
          key: event.id,
          step: 'reviewed',
          title: approve ? `Approved by ${event.actor}${progress}` : `Rejected by ${event.actor}`,
          detail: text(d.comment) ? `“${text(d.comment) ?? ''}”` : undefined,
        });
        if (d.state === 'approved') {
          entries.push({ ...base, key: `${event.id}-approved`, step: 'approved', title: 'Approved: quorum reached' });
          entries.push({ ...base, key: `${event.id}-executing`, step: 'executing', title: 'Executing' });
          executing = true;
        } else if (d.state === 'rejected') {
          entries.push({ ...base, key: `${event.id}-rejected`, step: 'rejected', title: 'Rejected' });
        }
        break;
      }
      case 'rollback.approvals-dismissed':
        entries.push({ ...base, key: event.id, step: 'dismissed', title: 'Approvals dismissed: the target changed', detail: text(d.reason) });
        executing = false;
        break;
      case 'rollback.executed':
        if (!executing) entries.push({ key: `${event.id}-executing`, step: 'executing', title: 'Executing (retry)' });
        entries.push({
          ...base,
          key: event.id,
          step: 'completed',
          title: 'Completed',
          detail: text(d.commitSha) ? `commit ${shortSha(text(d.commitSha) ?? '')}` : undefined,
        });
        executing = false;
        break;
      case 'rollback.failed':
        if (!executing) entries.push({ key: `${event.id}-executing`, step: 'executing', title: 'Executing (retry)' });
        entries.push({ ...base, key: event.id, step: 'failed', title: 'Failed', detail: text(d.error) });
        executing = false;
        break;
      default:
        break;
    }
  }
  const now = currentEntry(request, executing);
  if (now) entries.push(now);
  return entries;
}

/** What the request waits for now, if anything. */
function currentEntry(request: RollbackRequest, executionShown: boolean): TimelineEntry | null {
  if (request.state === 'pending') {
    const missing = Math.max(quorumOf(request) - countApprovals(request), 0);
    return { key: 'now', step: 'waiting', title: `Waiting for ${missing} more approval${missing === 1 ? '' : 's'}`, current: true };
  }
  if ((request.state === 'executing' || request.state === 'approved') && !executionShown) {
    return { key: 'now', step: 'executing', title: 'Executing', current: true };
  }
  return null;
}

/** Without audit events (not found, or the audit could not be read): what the request itself records. */
export function timelineFromRequest(request: RollbackRequest): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    { key: 'requested', step: 'requested', title: `Requested by ${request.requestedBy}`, at: request.createdAt, breakGlass: request.breakGlass },
  ];
  request.reviews.forEach((review, index) => {
    entries.push({
      key: `review-${index}`,
      step: 'reviewed',
      title: `${review.decision === 'approve' ? 'Approved' : 'Rejected'} by ${review.by}${review.stale ? ' (dismissed)' : ''}`,
      detail: review.comment || undefined,
      at: review.at,
    });
  });
  const terminal: Partial<Record<RollbackRequest['state'], TimelineEntry>> = {
    rejected: { key: 'state', step: 'rejected', title: 'Rejected' },
    completed: {
      key: 'state',
      step: 'completed',
      title: 'Completed',
      detail: request.commitSha ? `commit ${shortSha(request.commitSha)}` : undefined,
    },
    failed: { key: 'state', step: 'failed', title: 'Failed', detail: request.error },
  };
  const last = terminal[request.state] ?? currentEntry(request, false);
  if (last) entries.push(last);
  return entries;
}
