const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'short' });

/** "3 hr. ago", "yesterday", "just now": coarse on purpose: the absolute time is always one hover away. */
export function formatRelative(iso: string, now: number): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.trunc(seconds / size), unit);
  }
  return 'just now';
}

/**
 * Always UTC: incident timelines are compared across people in different time zones, and the server,
 * git and Argo CD all speak UTC.
 */
export function formatAbsolute(iso: string, precision: 'seconds' | 'minutes' = 'seconds'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const length = precision === 'seconds' ? 19 : 16;
  return `${date.toISOString().slice(0, length).replace('T', ' ')} UTC`;
}
