import { describe, expect, it } from 'vitest';
import { incidentLabel, incidentSchema, matchesIncident } from './incident.ts';

describe('incidentSchema', () => {
  it('accepts an id, a link, or both, trimmed', () => {
    expect(incidentSchema.parse({ id: ' INC-1234 ' })).toEqual({ id: 'INC-1234' });
    expect(incidentSchema.parse({ url: 'https://acme.pagerduty.com/incidents/Q1ABC' })).toEqual({ url: 'https://acme.pagerduty.com/incidents/Q1ABC' });
    expect(incidentSchema.parse({ id: 'OPS-7', url: 'http://jira.example.com/browse/OPS-7' }).id).toBe('OPS-7');
  });

  it.each([
    [{}, 'incident needs an id or a url'],
    [{ id: '' }, 'incident.id must be'],
    [{ id: 'INC 1' }, 'incident.id must be'],
    [{ id: 'x'.repeat(65) }, 'incident.id must be'],
    [{ url: 'javascript:alert(1)' }, 'incident.url must be an http(s) link'],
    [{ url: 'https://user:pw@example.com/i/1' }, 'incident.url must be an http(s) link'],
    [{ url: `https://example.com/${'a'.repeat(2048)}` }, 'at most 2048'],
    [{ id: 'INC-1', extra: true }, 'Unrecognized key'],
  ])('refuses %j', (input, message) => {
    const result = incidentSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join('; ')).toContain(message);
  });
});

describe('matchesIncident', () => {
  it('matches the id or the link exactly', () => {
    const incident = { id: 'INC-1234', url: 'https://status.example.com/i/1234' };
    expect(matchesIncident(incident, 'INC-1234')).toBe(true);
    expect(matchesIncident(incident, 'https://status.example.com/i/1234')).toBe(true);
    expect(matchesIncident(incident, 'INC-123')).toBe(false);
    expect(matchesIncident(undefined, 'INC-1234')).toBe(false);
    expect(incidentLabel({ url: 'https://x.example/1' })).toBe('https://x.example/1');
  });
});
