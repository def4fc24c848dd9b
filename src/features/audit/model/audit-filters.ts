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

const FILTER_KEYS = ['tenant', 'environment', 'type', 'actor', 'requestId', 'from', 'to'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

/** An instant as the server takes it: ISO-8601 with a time zone (decision 037). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The instant a local calendar day (a date input's `2026-03-01`) starts, or ends; undefined when no day. */
export function dayBound(day: string, edge: 'start' | 'end'): string | undefined {
  const match = DAY.exec(day);
  if (!match) return undefined;
  const [year, month, date] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const at = edge === 'start' ? new Date(year, month, date, 0, 0, 0, 0) : new Date(year, month, date, 23, 59, 59, 999);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** The local calendar day of an instant, for a date input; '' when there is none. */
export function dayOf(instant: string | undefined): string {
  if (!instant) return '';
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** Says why a date range cannot match anything (the server refuses it too), or null. */
export function rangeProblem(filters: AuditFilter): string | null {
  if (filters.from && filters.to && Date.parse(filters.from) > Date.parse(filters.to)) return 'The "From" date is after the "To" date.';
  return null;
}

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
    if ((key === 'from' || key === 'to') && (!INSTANT.test(value) || Number.isNaN(Date.parse(value)))) continue;
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
