import { describe, expect, it } from 'vitest';
import { redactServerPaths } from './errors.ts';

describe('redactServerPaths', () => {
  it('replaces absolute server paths, whatever the platform', () => {
    expect(redactServerPaths("fatal: Unable to create '/tmp/rewind-x1/repo/refs/heads/main.lock': File exists.")).toBe(
      "fatal: Unable to create '<server path>': File exists.",
    );
    expect(redactServerPaths('open /srv/rewind data: ENOENT /home/ops/.rewind-data/rewind.db')).toBe('open <server path> data: ENOENT <server path>');
    expect(redactServerPaths('fatal: not a git repository: C:\\data\\repo.git')).toBe('fatal: not a git repository: <server path>');
    expect(redactServerPaths('remote file:///srv/infra.git rejected')).toBe('remote <server path> rejected');
  });

  it('leaves repo paths, targets, API paths and ordinary words alone', () => {
    for (const text of [
      'tenants/acme/production/services/api/values.yaml does not exist at the head revision',
      'Rollback: tenant/acme env/production → revision abc1234',
      'no such endpoint: GET /api/targets/acme/nope',
      'either/or, and/or, 1/2 of the quorum',
      'acme/production moved from abc1234 to def5678',
      'a single / slash',
    ]) {
      expect(redactServerPaths(text)).toBe(text);
    }
  });
});
