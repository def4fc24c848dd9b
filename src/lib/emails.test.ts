import { describe, expect, it } from 'vitest';
import { splitByEmails } from './emails.ts';

describe('splitByEmails', () => {
  it('cuts a sentence around each address, keeping every other character', () => {
    expect(splitByEmails('Withdrawn by sam@example.com: wrong revision')).toEqual([{ text: 'Withdrawn by ' }, { email: 'sam@example.com' }, { text: ': wrong revision' }]);
    expect(splitByEmails('Superseded by rbk-1, requested by Dana.Ops+x@corp.example.co.uk')).toEqual([
      { text: 'Superseded by rbk-1, requested by ' },
      { email: 'Dana.Ops+x@corp.example.co.uk' },
    ]);
    expect(splitByEmails('Approved by a@b.io (1 of 2) and c@d.io')).toEqual([{ text: 'Approved by ' }, { email: 'a@b.io' }, { text: ' (1 of 2) and ' }, { email: 'c@d.io' }]);
  });

  it('leaves text without an address alone', () => {
    expect(splitByEmails('Requested by rewind')).toEqual([{ text: 'Requested by rewind' }]);
    expect(splitByEmails('not@an address')).toEqual([{ text: 'not@an address' }]);
    expect(splitByEmails('')).toEqual([]);
  });
});
