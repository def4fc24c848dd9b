import { describe, expect, it } from 'vitest';
import { decodeFields, encodeFields, parseWizardParams, wizardSearchParams, withChoice, type WizardParams } from './wizard-params.ts';

const SHA = 'a'.repeat(40);
const fields = [
  { file: 'tenants/acme/production/services/payments/values.yaml', path: ['image', 'tag'] },
  { file: 'tenants/acme/production/services/payments/deployment.yaml', path: ['[kind=Deployment,name=payments]', 'spec', 'template', 'spec', 'containers', '[name=app]', 'env', 0, 'value'] },
  { file: 'tenants/acme/production/services/payments/values.yaml', path: ['labels', 'app.kubernetes.io/name', 'ünïcødé ✓'] },
];

describe('wizard URL parameters', () => {
  it('round-trips every choice through the URL in a fixed order', () => {
    const params: WizardParams = {
      tenant: 'acme',
      environment: 'production',
      mode: 'field',
      revision: SHA,
      service: 'payments',
      fields,
      step: 'preview',
    };
    const search = wizardSearchParams(params);
    expect([...search.keys()]).toEqual(['tenant', 'environment', 'mode', 'revision', 'service', 'fields', 'step']);
    expect(parseWizardParams(new URLSearchParams(search.toString()))).toEqual(params);
  });

  it('encodes field selections compactly and decodes them exactly, index numbers included', () => {
    const encoded = encodeFields(fields);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeFields(encoded)).toEqual(fields);
  });

  it('drops what the API would reject instead of failing: bad names, modes, shas, steps and fields', () => {
    const params = parseWizardParams(
      new URLSearchParams('tenant=ACME&environment=production&mode=everything&revision=xyz&step=launch&service=payments'),
    );
    expect(params).toEqual({ fields: [] });
    expect(decodeFields('not base64!')).toEqual([]);
    expect(decodeFields(encodeFields([{ file: '', path: ['a'] }]))).toEqual([]);
    expect(decodeFields(btoa(JSON.stringify([['f.yaml', -1]])))).toEqual([]);
    expect(decodeFields(btoa(JSON.stringify({ not: 'a list' })))).toEqual([]);
  });

  it('keeps a service only for service and field mode, and fields only for field mode', () => {
    const search = new URLSearchParams({ tenant: 'acme', environment: 'production', mode: 'full', service: 'payments', fields: encodeFields(fields) });
    expect(parseWizardParams(search)).toEqual({ tenant: 'acme', environment: 'production', mode: 'full', fields: [] });
  });

  it('accepts an abbreviated revision, lower-cased', () => {
    expect(parseWizardParams(new URLSearchParams('revision=ABCDEF1')).revision).toBe('abcdef1');
  });

  it('drops the choices that depend on a changed one', () => {
    const full: WizardParams = { tenant: 'acme', environment: 'production', mode: 'field', revision: SHA, service: 'payments', fields };
    expect(withChoice(full, { tenant: 'globex' })).toEqual({ tenant: 'globex', environment: 'production', mode: 'field', fields: [] });
    expect(withChoice(full, { revision: 'b'.repeat(40) }).fields).toEqual([]);
    expect(withChoice(full, { service: 'checkout' })).toMatchObject({ service: 'checkout', fields: [] });
    expect(withChoice(full, { mode: 'service' })).toMatchObject({ service: 'payments', fields: [] });
    expect(withChoice(full, { mode: 'full' })).not.toHaveProperty('service');
    // Writing a default service together with fields keeps the fields.
    expect(withChoice({ ...full, service: undefined, fields: [] }, { service: 'payments', fields })).toMatchObject({ fields });
    expect(withChoice(full, { mode: 'field' })).toEqual(full);
  });
});
