import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runGit } from './git-cli.ts';
import { redactGitUrls, remoteAccess } from './remote-access.ts';
import { tempDirs } from './test-repos.ts';

vi.setConfig({ testTimeout: 60_000 });
const dirs = tempDirs('rewind-access-');
afterAll(() => dirs.cleanup());

/** What git's credential machinery answers for an https host with these settings (no network). */
async function fill(access: ReturnType<typeof remoteAccess>): Promise<string> {
  const out = await runGit([...access.config, 'credential', 'fill'], { env: access.env, input: 'protocol=https\nhost=git.example.com\n\n' });
  return out.stdout.toString('utf8');
}

describe('remoteAccess', () => {
  it('hands a token from a file to git through its own environment, never an argument', async () => {
    const tokenFile = join(dirs.make(), 'token');
    writeFileSync(tokenFile, 's3cret-token\n');
    const access = remoteAccess({ usernameEnv: 'TEST_GIT_USER', tokenFile }, { TEST_GIT_USER: 'deploy-bot' });
    expect(access.config.join(' ')).not.toContain('s3cret');
    expect(await fill(access)).toContain('username=deploy-bot\npassword=s3cret-token\n');
    // A rotated secret applies at the next use.
    writeFileSync(tokenFile, 'rotated\n');
    expect(await fill(remoteAccess({ tokenFile }, {}))).toContain('username=x-access-token\npassword=rotated\n');
  });

  it('reads a password from the environment variable named, and says which one is missing', async () => {
    expect(await fill(remoteAccess({ usernameEnv: 'U', passwordEnv: 'P' }, { U: 'me', P: 'pw' }))).toContain('username=me\npassword=pw\n');
    expect(() => remoteAccess({ passwordEnv: 'REWIND_NOT_SET' }, {})).toThrow('repo.credentials.passwordEnv names REWIND_NOT_SET, which is not set');
    expect(() => remoteAccess({ tokenFile: '/nonexistent/token' }, {})).toThrow('repo.credentials.tokenFile /nonexistent/token cannot be read');
  });

  it('points ssh at the key file, quoted for the shell git runs it with', () => {
    const access = remoteAccess({ sshKeyFile: "/keys/it's id" }, {});
    expect(access.env.GIT_SSH_COMMAND).toBe(`ssh -i '/keys/it'\\''s id' -o IdentitiesOnly=yes -o BatchMode=yes`);
    expect(remoteAccess(undefined)).toEqual({ config: [], env: {} });
  });
});

describe('redactGitUrls', () => {
  it('hides user information in every URL of a text', () => {
    expect(redactGitUrls("fatal: unable to access 'https://me:tok@git.example.com/infra.git/': 403")).toBe(
      "fatal: unable to access 'https://***@git.example.com/infra.git/': 403",
    );
    expect(redactGitUrls('https://git.example.com/x.git and git@github.com:o/r.git')).toBe('https://git.example.com/x.git and git@github.com:o/r.git');
  });
});
