/**
 * Identity fails closed at start (issue 11): listed users need an explicit identity.mode, and the
 * implicit demo identity never listens beyond loopback.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { meResponseSchema } from '#core/schemas.ts';
import { createRepo } from '#server/git/demo-repo.ts';
import { tempDirs } from '#server/git/test-repos.ts';
import { ConfigError } from '#server/config/load-config.ts';
import { createRewindServer } from './rewind-server.ts';

const dirs = tempDirs('rewind-identity-');
afterAll(() => dirs.cleanup());

async function repoWithConfig(lines: string[]): Promise<string> {
  const repoDir = dirs.make('repo-');
  await createRepo(repoDir, [
    { timestamp: '2026-11-01T10:00:00Z', author: { name: 'CI', email: 'ci@example.com' }, message: 'bootstrap', changes: { 'tenants/acme/production/services/web/values.yaml': 'a: 1\n' } },
  ]);
  const file = join(dirs.make('config-'), 'rewind.config.yaml');
  writeFileSync(file, [`repo: { path: ${JSON.stringify(repoDir)} }`, ...lines, 'targets:', '  pattern: { services: "tenants/{tenant}/{environment}/services/{service}/" }', ''].join('\n'));
  return file;
}

describe('identity at start', () => {
  vi.spyOn(console, 'log').mockImplementation(() => {});

  it('refuses users without identity.mode, naming the key', { timeout: 60_000 }, async () => {
    const configFile = await repoWithConfig(['users: [{ email: sam@example.com, name: Sam, roles: [requester] }]']);
    const started = createRewindServer({ configFile, dataDir: dirs.make('data-'), host: '127.0.0.1', port: 0, log: () => {} });
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/identity\.mode: users are listed but identity\.mode is not set/);
  });

  it('refuses implicit demo identity on a non-loopback host before creating anything', { timeout: 60_000 }, async () => {
    const dataDir = join(dirs.make('data-'), 'never');
    await expect(createRewindServer({ dataDir, host: '0.0.0.0', port: 0, log: () => {} })).rejects.toThrow(
      /the built-in config: server\.host 0\.0\.0\.0 is not a loopback address and identity\.mode is not set/,
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it('serves demo identity beyond loopback when asked for explicitly, and says which mode it is in', { timeout: 60_000 }, async () => {
    const configFile = await repoWithConfig(['identity: { mode: demo }', 'users: [{ email: sam@example.com, name: Sam, roles: [requester], slackId: U024BE7LH }]']);
    const server = await createRewindServer({ configFile, dataDir: dirs.make('data-'), host: '0.0.0.0', port: 0, log: () => {} });
    try {
      const url = new URL(server.url.replace('0.0.0.0', '127.0.0.1'));
      const me = meResponseSchema.parse(await (await fetch(new URL('api/me', url))).json());
      // The Slack member id travels with the user (decision 045): notifications mention them by it.
      expect(me).toMatchObject({ user: { email: 'sam@example.com', slackId: 'U024BE7LH' }, identityMode: 'demo' });
    } finally {
      await server.close();
    }
  });
});
