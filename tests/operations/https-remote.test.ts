/**
 * Issue 11's `repo.url` over real HTTPS (decision 051): `createRewindServer` mirrors a repository
 * served by `git http-backend` behind an HTTPS server with a private CA and HTTP Basic auth
 * (tests/support/https-git-server.ts), reads its history, executes rollbacks and pushes them, never
 * forced, and says what to set when the token or the CA is wrong, with the token nowhere to be seen.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { filesHolding } from '../support/files-holding.ts';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { historyResponseSchema, rollbackRequestResponseSchema } from '#core/schemas.ts';
import { createRepo } from '#server/git/demo-repo.ts';
import type { ImportCommit } from '#server/git/fast-import.ts';
import { tempDirs } from '#server/git/test-repos.ts';
import { createRewindServer, type RunningServer } from '#server/node/rewind-server.ts';
import { HttpsGitServer, httpBackendPath, makeTestCertificates, serveBareRepo } from '../support/https-git-server.ts';

// Real git over TLS on a busy 2-core machine: generous limits (decision 024). Every git command of
// these tests has its own timeout; Rewind's network commands have theirs (REMOTE_TIMEOUT_MS).
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });
const GIT_TIMEOUT_MS = 60_000;
const run = promisify(execFile);
const dirs = tempDirs('rewind-https-');

const certDir = dirs.make('certs-');
const certificates = makeTestCertificates(certDir);
const backend = httpBackendPath();
const skipReason = !certificates ? 'openssl is not installed (it makes the test CA)' : !backend ? 'git-http-backend is not installed' : null;
if (skipReason) console.info(`[https-remote] skipped: ${skipReason}`);

const USER = 'rewind-bot';
const TOKEN = `tok-${randomBytes(16).toString('hex')}`;
const ALICE = { name: 'Alice', email: 'alice@example.com' };
const SAM = { 'Content-Type': 'application/json', 'X-Forwarded-Email': 'sam@example.com' };
const PROD = 'apps/prod/web/values.yaml';
const STAGING = 'apps/staging/web/values.yaml';
const change = (minute: number, changes: Record<string, string>): ImportCommit => ({
  timestamp: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString(),
  author: ALICE,
  message: `change ${minute}\n`,
  changes,
});

describe.skipIf(skipReason !== null)('repo.url over HTTPS with a private CA and a token (decision 051)', () => {
  let server: HttpsGitServer;
  let served: string;
  let url: string;
  /** Every process's argument list, read while a git client waits for this server's answer. */
  const argumentLists = { scans: 0, sawGitClient: 0, withSecret: [] as string[] };
  /** The secrets no argument list may hold: the token, and the wrong ones tried. */
  const secrets = new Set([TOKEN]);
  /** Run by the server when a push starts, before git advertises the remote's refs (set by a test, cleared after). */
  let beforePush: (() => Promise<void>) | null = null;
  const running: RunningServer[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    const root = dirs.make('root-');
    served = join(root, 'infra.git');
    await createRepo(served, [change(0, { [PROD]: 'image: v1\n', [STAGING]: 'image: v1\n' }), change(1, { [PROD]: 'image: v2\n' }), change(2, { [PROD]: 'image: v3-bad\n' })], { branch: 'main' });
    serveBareRepo(served);
    server = new HttpsGitServer({
      root,
      user: USER,
      token: TOKEN,
      tls: certificates!,
      onRequest: scanArgumentLists,
      beforeBackend: async (request) => {
        // Before the push's ref advertisement: git then sees the remote moved, and only --force would
        // overwrite it (after the advertisement, git's own old-value check would refuse even a forced push).
        if (request.method === 'GET' && request.service === 'git-receive-pack' && beforePush) {
          const hook = beforePush;
          beforePush = null;
          await hook();
        }
      },
    });
    await server.start();
    url = server.url('infra.git');
    vi.stubEnv('REWIND_TEST_GIT_USER', USER);
    vi.stubEnv('REWIND_TEST_GIT_TOKEN', TOKEN);
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' ')));
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' ')));
  });
  afterEach(async () => {
    beforePush = null;
    await Promise.all(running.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await server?.stop();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    dirs.cleanup();
  });

  function scanArgumentLists(): void {
    argumentLists.scans++;
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      let args: string;
      try {
        args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      } catch {
        continue; // gone meanwhile
      }
      if (/git-remote-https|git(\s+-c\s+\S+)*\s+(fetch|push|ls-remote)\b/.test(args)) argumentLists.sawGitClient++;
      if ([...secrets].some((secret) => args.includes(secret))) argumentLists.withSecret.push(args);
    }
  }

  const gitOn = async (gitDir: string, ...args: string[]) => (await run('git', ['--git-dir', gitDir, ...args], { timeout: GIT_TIMEOUT_MS })).stdout.trim();

  /**
   * Somebody else pushes over HTTPS: their token and CA reach git through environment variables
   * (GIT_CONFIG_*, GIT_SSL_CAINFO), so no argument list of the test holds the token either.
   */
  async function pushFromElsewhere(path: string, content: string): Promise<string> {
    const work = dirs.make('elsewhere-');
    const env = {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_SSL_CAINFO: certificates!.caFile,
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`${USER}:${TOKEN}`).toString('base64')}`,
    };
    const git = (...args: string[]) => run('git', ['-C', work, ...args], { env, timeout: GIT_TIMEOUT_MS });
    await git('clone', '--quiet', '--branch', 'main', url, '.');
    mkdirSync(join(work, path, '..'), { recursive: true });
    writeFileSync(join(work, path), content);
    await git('-c', 'user.name=CI', '-c', 'user.email=ci@example.com', 'commit', '--quiet', '-am', `CI: ${path}`);
    await git('push', '--quiet', 'origin', 'main');
    return (await git('rev-parse', 'HEAD')).stdout.trim();
  }

  /** Every move of the served branch since it was served (its reflog: old → new) was a fast-forward. */
  async function expectOnlyFastForwards(): Promise<void> {
    const moves = readFileSync(join(served, 'logs/refs/heads/main'), 'utf8').split('\n').filter(Boolean).map((line) => line.split(' ').slice(0, 2) as [string, string]);
    expect(moves.length).toBeGreaterThan(0);
    for (const [from, to] of moves) {
      await expect(run('git', ['--git-dir', served, 'merge-base', '--is-ancestor', from, to], { timeout: GIT_TIMEOUT_MS }), `${from} → ${to}`).resolves.toBeDefined();
    }
  }

  /** A config next to a copy of the CA: `caFile: ca.pem` is relative to the config file. */
  function configFile(repo: Record<string, unknown>, approvals = 0): string {
    const dir = dirs.make('config-');
    copyFileSync(certificates!.caFile, join(dir, 'ca.pem'));
    const file = join(dir, 'rewind.config.yaml');
    writeFileSync(
      file,
      [
        `repo: ${JSON.stringify({ url, branch: 'main', ...repo })}`,
        'identity: { mode: demo }',
        'users:',
        '  - { email: sam@example.com, name: Sam, roles: [requester] }',
        `defaults: { policy: { requiredApprovals: ${approvals} } }`,
        'targets:',
        "  pattern: { tenant: t, services: 'apps/{environment}/{service}/' }",
        '',
      ].join('\n'),
    );
    return file;
  }
  const credentials = { usernameEnv: 'REWIND_TEST_GIT_USER', passwordEnv: 'REWIND_TEST_GIT_TOKEN' };

  async function serve(file: string): Promise<{ rewind: RunningServer; dataDir: string }> {
    const dataDir = dirs.make('data-');
    const rewind = await createRewindServer({ configFile: file, dataDir, host: '127.0.0.1', port: 0, log: (entry) => void logs.push(JSON.stringify(entry)), reconcileIntervalMs: 3_600_000 });
    running.push(rewind);
    return { rewind, dataDir };
  }
  const api = (rewind: RunningServer, path: string, init?: RequestInit) => fetch(new URL(path.replace(/^\//, ''), rewind.url), { ...init, signal: AbortSignal.timeout(120_000) });

  /** Rolls t/prod back to the revision before its newest (the tests share the served repo, so each undoes the last). */
  async function rollBackProd(rewind: RunningServer): Promise<{ status: number; text: string; content: string }> {
    const history = historyResponseSchema.parse(await (await api(rewind, '/api/targets/t/prod/history?limit=3')).json());
    const previous = history.revisions[1]!;
    const content = await gitOn(served, 'show', `${previous.sha}:${PROD}`);
    const response = await api(rewind, '/api/rollbacks', {
      method: 'POST',
      headers: SAM,
      body: JSON.stringify({ tenant: 't', environment: 'prod', mode: 'full', targetSha: previous.sha, justification: 'the newest is bad' }),
    });
    return { status: response.status, text: await response.text(), content };
  }

  it('mirrors the repository, reads its history, and pushes a rollback commit, fast-forward only', async () => {
    const before = await gitOn(served, 'rev-parse', 'refs/heads/main');
    const { rewind, dataDir } = await serve(configFile({ caFile: 'ca.pem', credentials }));
    const { status, text, content } = await rollBackProd(rewind);
    expect(status, text).toBe(201);
    expect(content).toBe('image: v2');
    const { request } = rollbackRequestResponseSchema.parse(JSON.parse(text));
    expect(request.state).toBe('completed');

    // The commit is on the served repository, on top of what was there, with the content rolled back.
    expect(await gitOn(served, 'rev-parse', 'refs/heads/main')).toBe(request.commitSha);
    expect(await gitOn(served, 'rev-parse', `${request.commitSha}^`)).toBe(before);
    expect(await gitOn(served, 'show', `refs/heads/main:${PROD}`)).toBe('image: v2');
    await expectOnlyFastForwards();
    expect(server.requests.filter((r) => r.service === 'git-receive-pack' && r.method === 'POST').map((r) => r.status)).toContain(200);

    // The token: in no argument list, log line or file of the data dir (the mirror's config included).
    expect(argumentLists.sawGitClient).toBeGreaterThan(0);
    expect(argumentLists.withSecret).toEqual([]);
    expect(logs.filter((line) => line.includes(TOKEN))).toEqual([]);
    expect(filesHolding(dataDir, TOKEN)).toEqual([]);
    const mirrorConfig = readFileSync(join(rewind.repoPath, 'config'), 'utf8');
    expect(mirrorConfig).not.toContain('127.0.0.1');
  });

  it('a push from elsewhere before the rollback: fetched under the commit lock, the rollback commits on top of it', async () => {
    const { rewind } = await serve(configFile({ caFile: 'ca.pem', credentials, fetchIntervalSeconds: 3600 }));
    // Rewind's reads will not fetch again for an hour: only the fetch before the commit can see this.
    const theirs = await pushFromElsewhere(STAGING, 'image: v9\n');
    const { status, text } = await rollBackProd(rewind);
    expect(status, text).toBe(201);
    const { request } = rollbackRequestResponseSchema.parse(JSON.parse(text));
    expect(await gitOn(served, 'rev-parse', `${request.commitSha}^`)).toBe(theirs);
    expect(await gitOn(served, 'show', `refs/heads/main:${STAGING}`)).toBe('image: v9');
    await expectOnlyFastForwards();
  });

  it('a push from elsewhere while the rollback\'s push is in flight: a conflict, nothing forced, and executing again lands on top', async () => {
    const { rewind } = await serve(configFile({ caFile: 'ca.pem', credentials }));
    let theirs = '';
    beforePush = async () => {
      theirs = await pushFromElsewhere(STAGING, 'image: v10\n');
    };
    const { status, text } = await rollBackProd(rewind);
    expect(theirs).not.toBe('');
    expect(status, text).toBe(409);
    expect(text).toMatch(/push rejected by https:\/\/127\.0\.0\.1:\d+\/infra\.git/);
    expect(await gitOn(served, 'rev-parse', 'refs/heads/main')).toBe(theirs);
    await expectOnlyFastForwards();

    const failed = (await (await api(rewind, '/api/rollbacks?tenant=t&environment=prod')).json()) as { requests?: { id: string; state: string }[] };
    const id = failed.requests?.find((r) => r.state === 'failed')?.id;
    expect(id, JSON.stringify(failed)).toBeDefined();
    const again = await api(rewind, `/api/rollbacks/${id}/execute`, { method: 'POST', headers: SAM });
    const body = await again.text();
    expect(again.status, body).toBe(200);
    const { request } = rollbackRequestResponseSchema.parse(JSON.parse(body));
    expect(await gitOn(served, 'rev-parse', `${request.commitSha}^`)).toBe(theirs);
    await expectOnlyFastForwards();
  });

  it('a wrong token: the start is refused naming repo.credentials, and the token is nowhere', async () => {
    const wrong = `wrong-${randomBytes(16).toString('hex')}`;
    secrets.add(wrong);
    vi.stubEnv('REWIND_TEST_GIT_TOKEN', wrong);
    const dataDir = dirs.make('data-');
    const scansBefore = argumentLists.scans;
    try {
      const started = createRewindServer({ configFile: configFile({ caFile: 'ca.pem', credentials }), dataDir, host: '127.0.0.1', port: 0, log: (entry) => void logs.push(JSON.stringify(entry)) });
      const error = await started.then(
        (rewind) => {
          running.push(rewind);
          return null;
        },
        (caught: unknown) => caught as Error,
      );
      expect(error?.message).toMatch(/^Cannot fetch "main" from the remote https:\/\/127\.0\.0\.1:\d+\/infra\.git \(git says: Authentication failed for .*\)\. https:\/\/127\.0\.0\.1:\d+\/infra\.git refused the credentials: check repo\.credentials/);
      expect(error?.message).not.toContain(wrong);
      // The server saw git try (and looked at every argument list meanwhile), and refused each try.
      expect(argumentLists.scans).toBeGreaterThan(scansBefore);
      expect(argumentLists.withSecret).toEqual([]);
      expect(server.requests.at(-1)?.status).toBe(401);
      expect(logs.filter((line) => line.includes(wrong))).toEqual([]);
      expect(filesHolding(dataDir, wrong)).toEqual([]);
    } finally {
      vi.stubEnv('REWIND_TEST_GIT_TOKEN', TOKEN);
    }
  });

  it('a token revoked while running: the failed fetch is logged naming repo.credentials, reads go on, the token is in no log line', async () => {
    const { rewind } = await serve(configFile({ caFile: 'ca.pem', credentials, fetchIntervalSeconds: 0 }));
    const revoked = `revoked-${randomBytes(16).toString('hex')}`;
    secrets.add(revoked);
    vi.stubEnv('REWIND_TEST_GIT_TOKEN', revoked);
    try {
      const response = await api(rewind, '/api/targets/t/prod/history?limit=3');
      expect(response.status).toBe(200);
      const warning = logs.find((line) => line.includes('git fetch failed'));
      expect(warning).toMatch(/git fetch failed: Authentication failed for .*refused the credentials: check repo\.credentials/);
      expect(logs.filter((line) => line.includes(revoked))).toEqual([]);
      expect(argumentLists.withSecret).toEqual([]);
    } finally {
      vi.stubEnv('REWIND_TEST_GIT_TOKEN', TOKEN);
    }
  });

  it('without repo.caFile the private CA is not trusted: the start is refused naming the remote and repo.caFile', async () => {
    await expect(serve(configFile({ credentials }))).rejects.toThrow(
      /^Cannot fetch "main" from the remote https:\/\/127\.0\.0\.1:\d+\/infra\.git \(git says: unable to access .*\)\. The TLS certificate of https:\/\/127\.0\.0\.1:\d+\/infra\.git is not signed by a CA this system trusts: set repo\.caFile to a PEM file of the CA that signed it\.$/,
    );
    // Asking the remote for its default branch (no repo.branch) says the same.
    await expect(serve(configFile({ credentials, branch: undefined }))).rejects.toThrow(/^Cannot read the default branch of https:\/\/127\.0\.0\.1:\d+\/infra\.git .*set repo\.caFile/);
  });

  it('a caFile that does not exist stops the start naming the key', async () => {
    await expect(serve(configFile({ caFile: 'missing.pem', credentials }))).rejects.toThrow(/^repo\.caFile \/.*\/missing\.pem does not exist$/);
  });
});
