import { describe, expect, it } from 'vitest';
import { firstLine, requestTitle } from './request-title.ts';

const base = { tenant: 'acme', environment: 'production', targetSha: 'b119ac9d'.padEnd(40, '0') };

describe('requestTitle', () => {
  it('names mode, service, target and the version when known, else the short sha', () => {
    expect(requestTitle({ ...base, mode: 'service', service: 'payments' }, { version: '2.13.12' })).toBe('Service rollback of payments in acme/production to 2.13.12');
    expect(requestTitle({ ...base, mode: 'service', service: 'payments' })).toBe('Service rollback of payments in acme/production to b119ac9');
    expect(requestTitle({ ...base, mode: 'full' })).toBe('Full rollback of acme/production to b119ac9');
    expect(requestTitle({ ...base, mode: 'field', service: 'payments', fields: [{ file: 'a.yaml', path: ['x'] }, { file: 'a.yaml', path: ['y'] }] })).toBe(
      'Field rollback of payments in acme/production (2 fields) to b119ac9',
    );
    expect(requestTitle({ ...base, mode: 'service', service: 'payments' }, { withTarget: false })).toBe('Service rollback of payments to b119ac9');
  });
});

describe('firstLine', () => {
  it('keeps the first line, cut at the limit, and says whether anything was left out', () => {
    expect(firstLine('payments 5xx since 2.14.0')).toEqual({ text: 'payments 5xx since 2.14.0', truncated: false });
    expect(firstLine('  INC-42: checkout down\nsee the runbook\n')).toEqual({ text: 'INC-42: checkout down', truncated: true });
    expect(firstLine('x'.repeat(200), 20)).toEqual({ text: `${'x'.repeat(19)}…`, truncated: true });
  });
});
