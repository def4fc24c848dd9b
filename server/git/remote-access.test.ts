import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runGit } from './git-cli.ts';
import { redactGitUrls, remoteAccess, remoteFailureHint, remoteFailureLine } from './remote-access.ts';
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

describe('repo.caFile (decision 051)', () => {
  it('hands git the CA file for the remote commands, and names the key when the file is missing or no PEM', async () => {
    const dir = dirs.make();
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const access = remoteAccess({ passwordEnv: 'P' }, { P: 'pw' }, { caFile: ca });
    expect(access.config.slice(0, 2)).toEqual(['-c', `http.sslCAInfo=${ca}`]);
    const shown = await runGit([...access.config, 'config', '--get', 'http.sslCAInfo']);
    expect(shown.stdout.toString('utf8').trim()).toBe(ca);
    // An inherited GIT_SSL_CAINFO (the system bundle, set by many base images) would beat the config.
    expect(access.env.GIT_SSL_CAINFO).toBe(ca);
    expect(remoteAccess(undefined, {}, { caFile: ca })).toEqual({ config: ['-c', `http.sslCAInfo=${ca}`], env: { GIT_SSL_CAINFO: ca } });
    expect(() => remoteAccess(undefined, {}, { caFile: join(dir, 'missing.pem') })).toThrow(`repo.caFile ${dir}/missing.pem does not exist`);
    writeFileSync(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\n');
    expect(() => remoteAccess(undefined, {}, { caFile: join(dir, 'key.pem') })).toThrow(`repo.caFile ${dir}/key.pem holds no PEM certificate`);
  });
});

describe('what a failed remote command says', () => {
  const remote = 'https://git.internal/infra.git';
  it('picks git\'s fatal line over what the server printed before it', () => {
    expect(remoteFailureLine("remote: Authentication required\nfatal: Authentication failed for 'https://git.internal/infra.git/'\n")).toBe("Authentication failed for 'https://git.internal/infra.git/'");
    expect(remoteFailureLine('error: something\n')).toBe('error: something');
  });
  it('names repo.caFile for an untrusted certificate and repo.credentials for refused ones', () => {
    const tls = "unable to access 'https://git.internal/infra.git/': server certificate verification failed. CAfile: /etc/ssl/certs/ca-certificates.crt CRLfile: none";
    expect(remoteFailureHint(tls, remote, undefined)).toBe(` The TLS certificate of ${remote} is not signed by a CA this system trusts: set repo.caFile to a PEM file of the CA that signed it.`);
    expect(remoteFailureHint('SSL certificate problem: unable to get local issuer certificate', remote, '/ca.pem')).toContain('not signed by a CA of repo.caFile /ca.pem');
    expect(remoteFailureHint("Authentication failed for 'https://git.internal/infra.git/'", remote, undefined)).toContain(`${remote} refused the credentials: check repo.credentials`);
    expect(remoteFailureHint("could not read Username for 'https://git.internal': terminal prompts disabled", remote, undefined)).toContain('asks for credentials: set repo.credentials');
    expect(remoteFailureHint("couldn't find remote ref refs/heads/main", remote, undefined)).toBe('');
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
