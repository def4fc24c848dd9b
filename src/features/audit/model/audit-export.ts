import type { AuditEvent } from '#core/schemas.ts';

const CSV_COLUMNS = ['id', 'at', 'type', 'actor', 'tenant', 'environment', 'requestId', 'breakGlass', 'justification', 'comment', 'targets', 'details'] as const;

/** A text of the event's details (the justification, a review's comment), or '' (decision 037: own columns in the CSV). */
const detailText = (event: AuditEvent, key: string): string => {
  const value = event.details[key];
  return typeof value === 'string' ? value : '';
};

/**
 * Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and tab or CR, which some strip
 * first) as a formula: an actor or a justification could then exfiltrate data from the reviewer's
 * sheet. Such cells get a leading `'`, which spreadsheets show as text (OWASP "CSV injection").
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  // Every cell quoted, quotes doubled (RFC 4180): commas, quotes and line breaks stay inside their cell.
  return `"${safe.replaceAll('"', '""')}"`;
}

/** RFC 4180 with CRLF rows and a BOM, so spreadsheet programs read UTF-8 (names, hidden characters) right. */
export function auditEventsToCsv(events: readonly AuditEvent[]): string {
  const rows = [CSV_COLUMNS.map(csvCell).join(',')];
  for (const event of events) {
    rows.push(
      [event.id, event.at, event.type, event.actor, event.tenant, event.environment, event.requestId, event.breakGlass, detailText(event, 'justification'), detailText(event, 'comment'), (event.targets ?? []).join(' '), event.details]
        .map(csvCell)
        .join(','),
    );
  }
  return `\uFEFF${rows.join('\r\n')}\r\n`;
}

export function auditEventsToJson(events: readonly AuditEvent[]): string {
  return `${JSON.stringify(events, null, 2)}\n`;
}

/** `rewind-audit-acme-production-20251120T100500Z.csv`: filters and time, nothing but safe characters. */
export function exportFileName(filters: Record<string, string | undefined>, extension: 'csv' | 'json', now: Date): string {
  const parts = ['rewind-audit', ...Object.values(filters).filter((value): value is string => Boolean(value))];
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const name = [...parts, stamp].join('-').replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${name.slice(0, 150)}.${extension}`;
}

/** Saves `text` through a Blob URL and a temporary link; the URL is released once the click is handled. */
export function downloadText(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
