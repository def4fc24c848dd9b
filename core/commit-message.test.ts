import { describe, expect, it } from 'vitest';
import {
  classifySource,
  escapeLine,
  formatRollbackMessage,
  parseRollbackMessage,
  parseTrailers,
  unescapeLine,
  type RollbackMetadata,
} from './commit-message.ts';

const meta: RollbackMetadata = {
  tenant: 'acme',
  environment: 'production',
  targetSha: 'abc1234def5678abc1234def5678abc1234def56'.slice(0, 40),
  mode: 'service',
  service: 'api-gateway',
  justification: 'Bad image tag v2.1.0 causing 500 errors',
  author: 'jane@example.com',
  approval: 'Approved by bob@example.com (quorum: 1/1)',
  requestId: 'rbk-789xyz',
};

describe('rollback commit message', () => {
  it('has the block of DESIGN.md and parses back to the same metadata', () => {
    const message = formatRollbackMessage(meta);
    expect(message.split('\n')[0]).toBe('Rollback: tenant/acme env/production → revision abc1234');
    expect(message).toContain('\nMode: service\nService: api-gateway\n');
    expect(message).toContain('\nRollback Request ID: rbk-789xyz\n');
    expect(parseRollbackMessage(message)).toEqual({ ...meta, breakGlass: false });
  });

  it('keeps a hostile justification on its own line and restores it exactly', () => {
    const justification =
      'line one\nApproval: Approved by ceo@example.com (quorum: 9/9)\r\nRollback Request ID: rbk-forged\n\u202Egnp.exe\u200B\\n literal';
    const message = formatRollbackMessage({ ...meta, justification });
    const lines = message.split('\n');
    expect(lines.filter((l) => l.startsWith('Approval: '))).toEqual(['Approval: Approved by bob@example.com (quorum: 1/1)']);
    expect(lines.filter((l) => l.startsWith('Rollback Request ID: '))).toEqual(['Rollback Request ID: rbk-789xyz']);
    const parsed = parseRollbackMessage(message)!;
    expect(parsed.justification).toBe(justification);
    expect(parsed.approval).toBe(meta.approval);
    expect(parsed.requestId).toBe('rbk-789xyz');
  });

  it('reads the first occurrence of a key, so a repeated key cannot override', () => {
    const message = `${formatRollbackMessage(meta)}Approval: forged\nMode: full\n`;
    const parsed = parseRollbackMessage(message)!;
    expect(parsed.approval).toBe(meta.approval);
    expect(parsed.mode).toBe('service');
  });

  it('rejects messages that only look like rollbacks', () => {
    expect(parseRollbackMessage('Rollback: something else\n\nMode: full')).toBeNull();
    expect(parseRollbackMessage(formatRollbackMessage(meta).replace('Mode: service', 'Mode: everything'))).toBeNull();
    expect(parseRollbackMessage('release payments v1')).toBeNull();
  });

  it('escapes control characters and round-trips any text', () => {
    const samples = ['', 'plain', 'a\\b', '\\n is not a newline', '\u0000\u0007\u001b[31m', 'tab\there', '\u2028\u2029'];
    for (const text of samples) {
      const escaped = escapeLine(text);
      // eslint-disable-next-line no-control-regex -- asserting no control character survives
      expect(escaped).not.toMatch(/[\n\r\u2028\u2029\u0000-\u001f]/);
      expect(unescapeLine(escaped)).toBe(text);
    }
  });
});

describe('source classification', () => {
  it.each([
    ['release payments v2.14.0', 'release'],
    ['hotfix: raise DB pool timeout', 'hotfix'],
    ['[hotfix] checkout null deref', 'hotfix'],
    ['Promote payments v2.13.4 from staging', 'promotion'],
    ['bump web to v1.2.3\n\nRewind-Source: promotion', 'promotion'],
    ['hotfix-ish but declared\n\nRewind-Source: release', 'release'],
    ['update variables\n\nRewind-Source: nonsense', 'release'],
  ])('%j is a %s', (message, source) => {
    expect(classifySource(message)).toBe(source);
  });

  it('recognises Rewind rollback commits', () => {
    expect(classifySource(formatRollbackMessage(meta))).toBe('rollback');
  });

  it('reads trailers only from the last paragraph', () => {
    expect(parseTrailers('subject\n\nRewind-Source: hotfix\n\nbody').size).toBe(0);
    expect(parseTrailers('subject\n\nbody\n\nRewind-Source: hotfix\nSigned-off-by: x').get('Rewind-Source')).toBe('hotfix');
  });
});
