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

describe('requestTitle with recorded versions (decision 047)', () => {
  const known = (version: string) => ({ known: true as const, version, source: 'helm-values' as const, file: 'payments/values.yaml', field: 'image.tag' });
  const unknown = { known: false as const, reason: 'no version field' };
  const change = (service: string, from: string, to: string) => ({ service, from: known(from), to: known(to) });

  it('names the version the rollback restores', () => {
    const versions = [change('payments', 'v2.14.0', 'v2.13.12'), change('checkout', 'v1.9.0', 'v1.8.0')];
    expect(requestTitle({ ...base, mode: 'service', service: 'payments', versions })).toBe('Service rollback of payments in acme/production to v2.13.12');
    expect(requestTitle({ ...base, mode: 'full', versions: [versions[0]!] })).toBe('Full rollback of acme/production to payments v2.13.12');
  });

  it('falls back to the sha when the version is unknown, unchanged, ambiguous or not recorded', () => {
    expect(requestTitle({ ...base, mode: 'service', service: 'payments', versions: [{ service: 'payments', from: known('v2.14.0'), to: unknown }] })).toBe(
      'Service rollback of payments in acme/production to b119ac9',
    );
    expect(requestTitle({ ...base, mode: 'field', service: 'payments', fields: [{ file: 'a.yaml', path: ['replicas'] }], versions: [change('payments', 'v2.14.0', 'v2.14.0')] })).toBe(
      'Field rollback of payments in acme/production (1 field) to b119ac9',
    );
    expect(requestTitle({ ...base, mode: 'service', service: 'payments', versions: [change('checkout', 'v1.9.0', 'v1.8.0')] })).toMatch(/to b119ac9$/);
    expect(requestTitle({ ...base, mode: 'full', versions: [change('payments', 'v2.14.0', 'v2.13.12'), change('checkout', 'v1.9.0', 'v1.8.0')] })).toBe('Full rollback of acme/production to b119ac9');
    expect(requestTitle({ ...base, mode: 'full', versions: [] })).toBe('Full rollback of acme/production to b119ac9');
  });

  it('prefers a version the caller has from a preview', () => {
    expect(requestTitle({ ...base, mode: 'service', service: 'payments', versions: [change('payments', 'v2.14.0', 'v2.13.12')] }, { version: '2.13.11' })).toMatch(/to 2\.13\.11$/);
  });
});

describe('firstLine', () => {
  it('keeps the first line, cut at the limit, and says whether anything was left out', () => {
    expect(firstLine('payments 5xx since 2.14.0')).toEqual({ text: 'payments 5xx since 2.14.0', truncated: false });
    expect(firstLine('  INC-42: checkout down\nsee the runbook\n')).toEqual({ text: 'INC-42: checkout down', truncated: true });
    expect(firstLine('x'.repeat(200), 20)).toEqual({ text: `${'x'.repeat(19)}…`, truncated: true });
  });
});
