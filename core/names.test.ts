import { describe, expect, it } from 'vitest';
import { isValidName } from './names.ts';

describe('isValidName', () => {
  it.each(['acme', 'a', 'production', 'api-gateway', 'a1', '0', 'x'.repeat(63)])('accepts %s', (name) => {
    expect(isValidName(name)).toBe(true);
  });
  it.each(['', '..', '.', 'ACME', '-acme', 'acme-', 'acme_corp', 'acme corp', 'acme\u0000', 'аcme', 'acme/prod', '%2e%2e', 'x'.repeat(64), 'ａcme'])(
    'rejects %j',
    (name) => {
      expect(isValidName(name)).toBe(false);
    },
  );
});
