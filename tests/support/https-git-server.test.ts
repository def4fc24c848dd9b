/**
 * The test HTTPS git server itself (decision 051): Basic auth with a 401 challenge, clones, gzip
 * negotiation bodies and chunked pushes through git http-backend, with git's own client.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRepo } from '#server/git/demo-repo.ts';
import { tempDirs } from '#server/git/test-repos.ts';
import { HttpsGitServer, httpBackendPath, makeTestCertificates, serveBareRepo } from './https-git-server.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const run = promisify(execFile);
const dirs = tempDirs('rewind-https-server-');
const certificates = makeTestCertificates(dirs.make('certs-'));
const skipReason = !certificates ? 'openssl is not installed' : !httpBackendPath() ? 'git-http-backend is not installed' : null;
if (skipReason) console.info(`[https-git-server] skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)('HttpsGitServer', () => {
  let server: HttpsGitServer;
  let served: string;
  const TOKEN = 'server-test-token';
  beforeAll(async () => {
    const root = dirs.make('root-');
    served = join(root, 'infra.git');
    const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();
    await createRepo(served, [{ timestamp: at(0), author: { name: 'A', email: 'a@example.com' }, message: 'first\n', changes: { 'a.yaml': 'a: 0\n' } }], { branch: 'main' });
    serveBareRepo(served);
    server = new HttpsGitServer({ root, user: 'bot', token: TOKEN, tls: certificates! });
    await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    dirs.cleanup();
  });

  /** git with the CA and (unless `token` is null) Basic credentials, all from the environment. */
  const git = (token: string | null, ...args: string[]) =>
    run('git', args, {
      timeout: 60_000,
      env: {
        ...process.env,
        GIT_TERMINAL_PROMPT: '0',
        GIT_SSL_CAINFO: certificates!.caFile,
        ...(token === null ? {} : { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`bot:${token}`).toString('base64')}` }),
      },
    });

  it('challenges a client without credentials and refuses a wrong token', async () => {
    const response = await new Promise<{ status: number | undefined; challenge: string | undefined }>((resolve, reject) => {
      get(server.url('infra.git/info/refs?service=git-upload-pack'), { ca: readFileSync(certificates!.caFile), timeout: 30_000 }, (res) => {
        res.resume();
        resolve({ status: res.statusCode, challenge: res.headers['www-authenticate'] });
      }).on('error', reject);
    });
    expect(response).toEqual({ status: 401, challenge: 'Basic realm="rewind test git"' });
    // A wrong token in the header is answered 401 like none; git then wants a user name it cannot ask for.
    const before = server.requests.length;
    await expect(git('wrong', 'ls-remote', server.url('infra.git'))).rejects.toThrow(/could not read Username|Authentication failed/);
    expect(server.requests.slice(before).map((r) => r.status)).toEqual([401]);
  });

  it('serves clones and fetches (gzip negotiation bodies included) and takes chunked pushes', async () => {
    const work = dirs.make('work-');
    await git(TOKEN, 'clone', '--quiet', server.url('infra.git'), work);
    // Many local commits the server lacks: the next fetch negotiates with a body big enough to be gzipped.
    for (let i = 0; i < 40; i++) {
      writeFileSync(join(work, `local-${i}.txt`), `${i}\n`);
      await run('git', ['-C', work, 'add', '.'], { timeout: 30_000 });
      await run('git', ['-C', work, '-c', 'user.name=L', '-c', 'user.email=l@example.com', 'commit', '--quiet', '-m', `local ${i}`], { timeout: 30_000 });
    }
    const other = dirs.make('other-');
    await git(TOKEN, 'clone', '--quiet', server.url('infra.git'), other);
    writeFileSync(join(other, 'b.yaml'), 'b: 1\n');
    await run('git', ['-C', other, 'add', '.'], { timeout: 30_000 });
    await run('git', ['-C', other, '-c', 'user.name=O', '-c', 'user.email=o@example.com', 'commit', '--quiet', '-m', 'other'], { timeout: 30_000 });
    await git(TOKEN, '-C', other, 'push', '--quiet', 'origin', 'main');
    await git(TOKEN, '-C', work, 'fetch', '--quiet', 'origin');
    expect(server.requests.some((r) => r.service === 'git-upload-pack' && r.method === 'POST' && r.encoding === 'gzip' && r.status === 200)).toBe(true);

    // A push over http.postBuffer goes chunked (no Content-Length).
    writeFileSync(join(other, 'big.bin'), Buffer.alloc(256 * 1024, 7).map((_, i) => (i * 2654435761) % 251));
    await run('git', ['-C', other, 'add', '.'], { timeout: 30_000 });
    await run('git', ['-C', other, '-c', 'user.name=O', '-c', 'user.email=o@example.com', 'commit', '--quiet', '-m', 'big'], { timeout: 30_000 });
    await git(TOKEN, '-C', other, '-c', 'http.postBuffer=4096', 'push', '--quiet', 'origin', 'main');
    expect(server.requests.some((r) => r.service === 'git-receive-pack' && r.method === 'POST' && r.chunked && r.status === 200)).toBe(true);
    const head = (await run('git', ['--git-dir', served, 'rev-parse', 'refs/heads/main'], { timeout: 30_000 })).stdout.trim();
    expect(head).toBe((await run('git', ['-C', other, 'rev-parse', 'HEAD'], { timeout: 30_000 })).stdout.trim());
  });
});
