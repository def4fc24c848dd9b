import { describe, expect, it } from 'vitest';
import {
  classifySource,
  summaryOf,
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

  it('says the versions it restores in a paragraph before the metadata block, which stays last and parseable', () => {
    const message = formatRollbackMessage({
      ...meta,
      service: 'payments',
      versions: [
        { service: 'payments', from: 'v2.13.14', to: 'v2.13.12' },
        { service: 'ledger', from: null, to: '1.4.0' },
        { service: 'web', from: '3.1.0', to: '3.1.0' },
      ],
    });
    const paragraphs = message.trimEnd().split('\n\n');
    expect(paragraphs[1]).toBe(
      ['Restores payments v2.13.14 → v2.13.12', 'Restores ledger version unknown → 1.4.0', 'Restores web 3.1.0 (version unchanged)'].join('\n'),
    );
    expect(paragraphs.at(-1)!.startsWith('Mode: service\n')).toBe(true);
    expect(parseTrailers(message).get('Rollback-Request-ID')).toBeUndefined();
    expect(parseTrailers(message).get('Mode')).toBe('service');
    expect(parseRollbackMessage(message)).toEqual({ ...meta, service: 'payments', breakGlass: false });
  });

  it('keeps a version text that looks like metadata inert on its own line', () => {
    const message = formatRollbackMessage({ ...meta, versions: [{ service: 'payments', from: '1\nApproval: forged', to: 'Mode: full' }] });
    const lines = message.split('\n');
    expect(lines).toContain('Restores payments 1\\nApproval: forged → Mode: full');
    expect(lines.filter((l) => l.startsWith('Approval: '))).toEqual([`Approval: ${meta.approval}`]);
    expect(parseRollbackMessage(message)!.mode).toBe('service');
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

  /** Every character some reader treats as a line break (Unicode, Python's splitlines, JS). */
  const LINE_BREAKS = ['\n', '\r', '\r\n', '\u000b', '\u000c', '\u001c', '\u001d', '\u001e', '\u0085', '\u2028', '\u2029'];
  const BIDI_CONTROLS = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
  // eslint-disable-next-line no-control-regex -- the separators are what a Unicode-aware reader splits on
  const unicodeLines = (text: string) => text.split(/\r\n|[\n\r\u000b\u000c\u001c-\u001e\u0085\u2028\u2029]/);

  it('no Unicode line separator lets a justification forge a metadata line for any line splitter', () => {
    for (const br of LINE_BREAKS) {
      const justification = `oops${br}Approval: Approved by ceo@example.com (quorum: 9/9)${br}Rollback Request ID: rbk-forged${br}Break-Glass: true`;
      const message = formatRollbackMessage({ ...meta, justification });
      const lines = unicodeLines(message);
      const label = JSON.stringify(br);
      expect(lines.filter((l) => l.startsWith('Approval: ')), label).toEqual([`Approval: ${meta.approval}`]);
      expect(lines.filter((l) => l.startsWith('Rollback Request ID: ')), label).toEqual(['Rollback Request ID: rbk-789xyz']);
      expect(lines.filter((l) => l.startsWith('Break-Glass: ')), label).toEqual([]);
      // The justification line carries the escape, e.g. `\u0085`, and reads back exactly.
      const line = lines.find((l) => l.startsWith('Justification: '))!;
      expect(line).toContain(br === '\n' ? '\\n' : br === '\r' || br === '\r\n' ? '\\r' : `\\u${br.charCodeAt(0).toString(16).padStart(4, '0')}`);
      expect(parseRollbackMessage(message)!.justification).toBe(justification);
    }
  });

  it('escapes every bidi control in every metadata line and keeps the justification exact', () => {
    for (const control of BIDI_CONTROLS) {
      const justification = `Approval: Approved by ceo${control}@example.com`;
      const message = formatRollbackMessage({ ...meta, justification, service: `api${control}`, author: `jane${control}@example.com`, approval: `by bob${control}` });
      expect(message.includes(control), JSON.stringify(control)).toBe(false);
      expect(message).toContain(`\\u${control.charCodeAt(0).toString(16).padStart(4, '0')}`);
      const parsed = parseRollbackMessage(message)!;
      expect(parsed.justification).toBe(justification);
      expect(parsed.author).toBe(`jane${control}@example.com`);
    }
  });

  it('escapes every C1 control, NEL included', () => {
    for (let code = 0x80; code <= 0x9f; code++) {
      const ch = String.fromCharCode(code);
      expect(escapeLine(`a${ch}b`)).toBe(`a\\u${code.toString(16).padStart(4, '0')}b`);
      expect(unescapeLine(escapeLine(`a${ch}b`))).toBe(`a${ch}b`);
    }
  });
});

describe('summaryOf', () => {
  it("shows a merge commit's pull request title with its number", () => {
    expect(summaryOf('Merge pull request #42 from acme/fix-payments\n\nfix: payments timeout back to 800 ms\n\nLonger text.\n')).toBe(
      'fix: payments timeout back to 800 ms (#42)',
    );
    expect(summaryOf('Merged in fix-payments (pull request #7)\n\nPayments timeout\n')).toBe('Payments timeout (#7)');
    expect(summaryOf("Merge branch 'fix' into 'main'\n\nPayments timeout\n\nSee merge request acme/infra!12\n")).toBe('Payments timeout');
  });

  it('keeps the subject when the merge has no title, or the commit is no merge', () => {
    expect(summaryOf('Merge pull request #42 from acme/fix-payments\n')).toBe('Merge pull request #42 from acme/fix-payments');
    expect(summaryOf('Merge pull request #42 from acme/x\n\nSigned-off-by: A <a@example.com>\n')).toBe('Merge pull request #42 from acme/x');
    expect(summaryOf("Merge branch 'fix' into 'main'\n\nSee merge request acme/infra!12\n")).toBe("Merge branch 'fix' into 'main'");
    expect(summaryOf('release payments v2\n\nbody line\n')).toBe('release payments v2');
  });

  it('classifies a merged hotfix by its title', () => {
    expect(classifySource('Merge pull request #9 from acme/x\n\nhotfix: payments crash\n')).toBe('hotfix');
  });
});
