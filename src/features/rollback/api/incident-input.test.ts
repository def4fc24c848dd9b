import { describe, expect, it } from 'vitest';
import { checkIncidentInput } from './incident-input.ts';

describe('checkIncidentInput', () => {
  it('treats blank fields as no incident and trims what is typed', () => {
    expect(checkIncidentInput({ id: '  ', url: '' })).toEqual({});
    expect(checkIncidentInput({ id: ' INC-9 ', url: '' })).toEqual({ incident: { id: 'INC-9' } });
  });

  it('names the field that is wrong', () => {
    expect(checkIncidentInput({ id: 'INC 9', url: '' }).problem).toMatch(/^incident\.id must be/);
    expect(checkIncidentInput({ id: '', url: 'status page' }).problem).toMatch(/^incident\.url must be an http\(s\) link/);
  });
});
