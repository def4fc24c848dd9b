import { describe, expect, it } from 'vitest';
import { hintSettings } from '#core/rollback-insight.ts';
import { DEFAULT_MIGRATION_PATTERNS } from '#core/rollback-hints.ts';
import { parseConfig } from './load-config.ts';
import { resolveTargets } from './resolve-targets.ts';

const config = (rollForward: string) =>
  [
    'defaults:',
    '  rollForward: { migrationPaths: ["**/schema/**"], maxRevisions: 5 }',
    'targets:',
    '  list:',
    '    - tenant: acme',
    '      environment: production',
    `      rollForward: ${rollForward}`,
    '      services: [{ name: web, paths: [web/] }]',
  ].join('\n');

describe('rollForward settings (decision 032)', () => {
  it('merge the defaults with the target own, and reach the hints', () => {
    const { targets } = resolveTargets(parseConfig(config('{ migrationJobName: "^db-" }'), 'c.yaml'), ['web/values.yaml']);
    const settings = hintSettings(targets[0]!);
    expect(settings.migrations.paths).toEqual(['**/schema/**']);
    expect(settings.migrations.kinds).toEqual(DEFAULT_MIGRATION_PATTERNS.kinds);
    expect(settings.migrations.jobName.test('DB-upgrade')).toBe(true);
    expect(settings.migrations.jobName.test('payments-migrate')).toBe(false);
    expect(settings.thresholds.maxRevisions).toBe(5);
  });

  it('refuses an invalid Job name pattern and unknown keys, naming the key', () => {
    expect(() => parseConfig(config('{ migrationJobName: "(" }'), 'c.yaml')).toThrow(/rollForward\.migrationJobName must be a valid regular expression/);
    expect(() => parseConfig(config('{ migrationPath: [] }'), 'c.yaml')).toThrow(/Unrecognized key: "migrationPath"/);
  });
});
