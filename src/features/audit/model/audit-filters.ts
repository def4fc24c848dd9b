import { REQUEST_ID_PATTERN } from '#core/names.ts';
import type { AuditFilter } from '#core/ports.ts';

/** The event types of API.md, with the words the list shows for them. */
export const AUDIT_TYPE_LABELS: Record<string, string> = {
  'rollback.requested': 'Requested',
  'rollback.reviewed': 'Reviewed',
  'rollback.executed': 'Executed',
  'rollback.failed': 'Failed',
  'rollback.approvals-dismissed': 'Approvals dismissed',
  'rollback.note-added': 'Note added',
  'break-glass.opened': 'Break-glass opened',
  'break-glass.closed': 'Break-glass closed',
  'notification.delivered': 'Notification delivered',
  'notification.failed': 'Notification failed',
};

export const AUDIT_TYPES = Object.keys(AUDIT_TYPE_LABELS);

const FILTER_KEYS = ['tenant', 'environment', 'type', 'actor', 'requestId'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

/**
 * The filters a URL names; empty or over-long values, and a request id of the wrong form, are absent
 * (the server would refuse them).
 */
export function filtersFromSearch(search: URLSearchParams): AuditFilter {
  const filters: AuditFilter = {};
  for (const key of FILTER_KEYS) {
    const value = search.get(key)?.trim();
    if (!value || value.length > 320) continue;
    if (key === 'requestId' && !REQUEST_ID_PATTERN.test(value)) continue;
    filters[key] = value;
  }
  return filters;
}

/** Always in the same order, so equal filters make equal URLs (and query keys). */
export function searchFromFilters(filters: AuditFilter): URLSearchParams {
  const search = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (value) search.set(key, value);
  }
  return search;
}

export function withFilter(filters: AuditFilter, key: FilterKey, value: string): AuditFilter {
  const next: AuditFilter = { ...filters, [key]: value.trim() || undefined };
  for (const k of FILTER_KEYS) if (!next[k]) delete next[k];
  return next;
}

export const hasFilters = (filters: AuditFilter) => FILTER_KEYS.some((key) => Boolean(filters[key]));
