import { describe, expect, it } from 'vitest';
import { RewindError } from './errors.ts';
import { checkJustification, checkUserText, showsNothing, textLength, userTextProblem } from './user-text.ts';

const INVISIBLES = ['\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u2060', '\ufeff', '\u00ad', '\u180e', '\u034f', '\ufe0f', '\u3164', '\u0085', '\u2028', '\u2029', '\u00a0', '\u3000', '\t', '\r\n', '\u0000'];

describe('user text', () => {
  it('counts code points, so an emoji is one character', () => {
    expect(textLength('🔥a')).toBe(2);
    expect(userTextProblem('🔥'.repeat(4000))).toBeNull();
    expect(userTextProblem('🔥'.repeat(4001))).toEqual({ kind: 'too-long', length: 4001, max: 4000 });
  });

  it('calls text of spaces blank and text of invisible characters invisible', () => {
    expect(userTextProblem('')).toEqual({ kind: 'blank' });
    expect(userTextProblem(' \n\t')).toEqual({ kind: 'blank' });
    for (const ch of INVISIBLES) {
      expect(showsNothing(ch.repeat(3)), JSON.stringify(ch)).toBe(true);
    }
    expect(userTextProblem('\u200b\u202e')).toEqual({ kind: 'invisible' });
    expect(showsNothing('\u200bx')).toBe(false);
    expect(userTextProblem('é')).toBeNull();
  });

  it('lets an optional text be empty but not too long', () => {
    expect(userTextProblem('', { required: false })).toBeNull();
    const rule = { field: 'comment', label: 'comment', required: 'comment must be text', isRequired: false };
    expect(checkUserText(undefined, rule)).toBe('');
    expect(() => checkUserText('x'.repeat(4001), rule)).toThrow('comment is too long: at most 4000 characters (got 4001)');
  });

  it('refuses with a 400 naming the field, and stores the text exactly', () => {
    const tricky = 'Bad tag\r\nApproval: forged\u202e\u200b';
    expect(checkJustification(tricky)).toBe(tricky);
    for (const bad of ['', '\u200b\u2066', undefined, 42, 'x'.repeat(4001)]) {
      try {
        checkJustification(bad);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(RewindError);
        expect((error as RewindError).status).toBe(400);
        expect((error as RewindError).field).toBe('justification');
      }
    }
  });
});
