import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '#server/config/load-config.ts';
import { redactUrl, resolveChannels } from './notify-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'rewind-notify-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = `targets:
  pattern:
    services: "tenants/{tenant}/{environment}/services/{service}/"
notifications:
  baseUrl: https://rewind.example.com
  channels:
`;

describe('notifications config', () => {
  it('reads URLs and secrets from env and files, never from the config', () => {
    writeFileSync(join(dir, 'secret'), 'from-file\n');
    const config = parseConfig(`${base}    - { name: "#incidents", type: slack, urlEnv: SLACK_URL, events: [requested, failed], targets: ["acme/*"] }
    - { name: ops, type: webhook, urlEnv: OPS_URL, secretFile: secret }
`, 'rewind.config.yaml');
    const channels = resolveChannels(config.notifications!, dir, { SLACK_URL: 'https://hooks.slack.com/services/T/B/XYZ', OPS_URL: 'http://ops:8080/hook' });
    expect([...channels.values()]).toEqual([
      { name: '#incidents', type: 'slack', url: 'https://hooks.slack.com/services/T/B/XYZ', secret: null },
      { name: 'ops', type: 'webhook', url: 'http://ops:8080/hook', secret: 'from-file' },
    ]);
    expect(redactUrl('https://hooks.slack.com/services/T/B/XYZ')).toBe('https://hooks.slack.com/…');
  });

  it('says which channel lacks its variable or file', () => {
    const config = parseConfig(`${base}    - { name: ops, type: webhook, urlEnv: OPS_URL, secretFile: missing }\n`, 'rewind.config.yaml');
    expect(() => resolveChannels(config.notifications!, dir, {})).toThrow('notifications channel ops: urlEnv names OPS_URL, which is not set');
    expect(() => resolveChannels(config.notifications!, dir, { OPS_URL: 'http://x' })).toThrow('notifications channel ops: secretFile missing does not exist');
  });

  it('refuses with the line: an unsigned webhook, a URL in the file, an unknown channel in a target override', () => {
    expect(() => parseConfig(`${base}    - { name: ops, type: webhook, urlEnv: OPS_URL }\n`, 'c.yaml')).toThrow(/c\.yaml:7: notifications\.channels\.0: a webhook channel needs secretEnv or secretFile/);
    expect(() => parseConfig(`${base}    - { name: ops, type: slack, url: "https://hooks.slack.com/x" }\n`, 'c.yaml')).toThrow(/c\.yaml:7: notifications\.channels\.0/);
    expect(() => parseConfig(`${base}    - { name: ops, type: slack, urlEnv: A }\n  targets:\n    - { target: acme/production, channels: [nope] }\n`, 'c.yaml')).toThrow(/notifications\.targets\.0\.channels\.0: no channel is named nope/);
  });

  it('keeps settled messages 7 days by default; retentionDays changes it, and must be positive', () => {
    const channel = '    - { name: ops, type: slack, urlEnv: A, events: [superseded, closed] }\n';
    expect(parseConfig(`${base}${channel}`, 'c.yaml').notifications!.retentionDays).toBe(7);
    expect(parseConfig(`${base}${channel}  retentionDays: 0.5\n`, 'c.yaml').notifications!.retentionDays).toBe(0.5);
    expect(() => parseConfig(`${base}${channel}  retentionDays: 0\n`, 'c.yaml')).toThrow(/c\.yaml:8: notifications\.retentionDays/);
  });
});
