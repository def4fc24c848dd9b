import { execFile, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { diffYamlFieldsDetailed } from '#core/field-diff.ts';
import { createRepo } from '#server/git/demo-repo.ts';
import { tempDirs } from '#server/git/test-repos.ts';
import { CONTENT_SECURITY_POLICY } from './http-server.ts';
import { createRewindServer, type RunningServer } from './rewind-server.ts';
import { openApiJson } from '#server/api/openapi/document.ts';
import { contractValidator } from '#tests/contract/harness.ts';

// Real work (servers, CLI processes and worker threads) on a busy machine: generous limits, never vitest's 5 s (decision 024).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const dirs = tempDirs('rewind-server-');
const run = promisify(execFile);
afterAll(() => dirs.cleanup());

/** Raw request, so a header can be sent twice or with underscores (fetch would refuse or merge). */
function raw(url: string, headers: Record<string, string | string[]> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function start(options: Parameters<typeof createRewindServer>[0]): Promise<RunningServer & { logs: Record<string, unknown>[] }> {
  const logs: Record<string, unknown>[] = [];
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const server = await createRewindServer({ host: '127.0.0.1', port: 0, log: (entry) => logs.push(entry), ...options });
  return Object.assign(server, { logs });
}

describe('rewind serve with the demo repo', () => {
  let server: RunningServer & { logs: Record<string, unknown>[] };
  let staticDir: string;
  beforeAll(async () => {
    const dataDir = dirs.make('data-');
    staticDir = dirs.make('static-');
    mkdirSync(join(staticDir, 'assets'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Rewind</title><script type="module" src="/assets/app.js"></script>');
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    server = await start({ dataDir, staticDir });
  });
  afterAll(async () => server?.close());

  it('serves the API over the demo repo, with request logs', async () => {
    const response = await fetch(`${server.url}api/targets`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { targets: { tenant: string }[] };
    expect(body.targets.map((t) => t.tenant)).toContain('acme');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(server.logs).toContainEqual(expect.objectContaining({ msg: 'request', method: 'GET', path: '/api/targets', status: 200 }));
  });

  it('falls back to index.html for deep links, with a strict CSP', async () => {
    const response = await fetch(`${server.url}targets/acme/production?service=payments`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Rewind</title>');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    const asset = await fetch(`${server.url}assets/app.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('answers unknown API paths with the JSON error body, not the SPA', async () => {
    const response = await fetch(`${server.url}api/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no such endpoint: GET /api/nope' } });
  });

  it('serves its OpenAPI document, as checked in, and answers the operations endpoints as it documents (decision 034)', async () => {
    const response = await fetch(`${server.url}api/openapi.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(openApiJson()));
    for (const path of ['/healthz', '/readyz', '/metrics', '/api/openapi.json']) {
      expect(await contractValidator().problems('GET', path, await fetch(new URL(path.slice(1), server.url)))).toEqual([]);
    }
  });

  it('rejects an identity header sent twice', async () => {
    const response = await raw(`${server.url}api/me`, { 'X-Forwarded-Email': ['sam@example.com', 'marcus@example.com'] });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.message).toMatch(/exactly once/);
  });

  it('turns a failing git process into a clear, logged 5xx', async () => {
    const broken = await start({ dataDir: dirs.make('broken-'), staticDir });
    try {
      // Every new git process now fails (the long-lived cat-file one keeps its open files, as it would).
      renameSync(join(broken.repoPath, 'objects'), join(broken.repoPath, 'gone'));
      const response = await fetch(`${broken.url}api/targets/acme/production/history`);
      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('INTERNAL');
      expect(body.error.message).toMatch(/server log/);
      expect(broken.logs.some((entry) => entry.level === 'error' && entry.msg === 'unhandled error')).toBe(true);
    } finally {
      await broken.close();
    }
  });
});

describe('proxy identity', () => {
  let repoDir: string;
  beforeAll(async () => {
    repoDir = dirs.make('proxy-repo-');
    await createRepo(repoDir, [
      {
        timestamp: '2026-11-01T10:00:00Z',
        author: { name: 'Sam', email: 'sam@example.com' },
        message: 'bootstrap',
        changes: { 'tenants/acme/production/services/web/values.yaml': 'image:\n  tag: v1\n' },
      },
    ]);
  });

  const configFile = (trusted: string[]) => {
    const file = join(dirs.make('proxy-config-'), 'rewind.config.yaml');
    writeFileSync(file, [
      `repo: { path: ${JSON.stringify(repoDir)} }`,
      `identity: { mode: proxy, trustedProxies: ${JSON.stringify(trusted)} }`,
      'users: [{ email: sam@example.com, name: Sam, roles: [requester] }]',
      'targets:',
      '  pattern: { services: "tenants/{tenant}/{environment}/services/{service}/" }',
    ].join('\n'));
    return file;
  };

  it('requires X-Forwarded-Email from a trusted proxy, ignores underscore variants, and has no user list', async () => {
    const server = await start({ configFile: configFile(['127.0.0.1', '::ffff:127.0.0.1']), dataDir: dirs.make('proxy-data-') });
    try {
      expect((await raw(`${server.url}api/me`)).status).toBe(401);
      expect((await raw(`${server.url}api/me`, { X_Forwarded_Email: 'sam@example.com' })).status).toBe(401);
      const me = await raw(`${server.url}api/me`, { 'X-Forwarded-Email': 'Sam@Example.com' });
      expect(me.status).toBe(200);
      expect(JSON.parse(me.body).user).toEqual({ email: 'sam@example.com', name: 'Sam', roles: ['requester'] });
      expect((await raw(`${server.url}api/users`, { 'X-Forwarded-Email': 'sam@example.com' })).status).toBe(404);
      const targets = await raw(`${server.url}api/targets`, { 'X-Forwarded-Email': 'sam@example.com' });
      expect(JSON.parse(targets.body).targets.map((t: { tenant: string; environment: string }) => `${t.tenant}/${t.environment}`)).toEqual(['acme/production']);
    } finally {
      await server.close();
    }
  });

  it('answers 401 when the request does not come from a trusted proxy address', async () => {
    const server = await start({ configFile: configFile(['10.9.9.9']), dataDir: dirs.make('proxy-data-') });
    try {
      const response = await raw(`${server.url}api/me`, { 'X-Forwarded-Email': 'sam@example.com' });
      expect(response.status).toBe(401);
      expect(JSON.parse(response.body).error.code).toBe('UNAUTHENTICATED');
    } finally {
      await server.close();
    }
  });
});

describe('repo layouts from the documented configs', () => {
  const author = { name: 'Ops', email: 'ops@example.com' };
  const cases: { name: string; files: Record<string, string>; change: Record<string, string>; target: string; services: string[] }[] = [
    {
      name: 'env-first',
      files: { 'apps/production/web/deployment.yaml': 'replicas: 2\n', 'apps/production/api/values.yaml': 'tag: v1\n', 'apps/production/kustomization.yaml': 'resources: []\n', 'apps/staging/web/deployment.yaml': 'replicas: 1\n' },
      change: { 'apps/production/api/values.yaml': 'tag: v2\n' },
      target: 'shop/production',
      services: ['api', 'web'],
    },
    {
      name: 'service-first',
      files: { 'apps/web/base/deployment.yaml': 'replicas: 1\n', 'apps/web/overlays/production/patch.yaml': 'replicas: 3\n', 'apps/api/overlays/production/patch.yaml': 'tag: v1\n', 'apps/api/overlays/staging/patch.yaml': 'tag: v1\n' },
      change: { 'apps/api/overlays/production/patch.yaml': 'tag: v2\n' },
      target: 'shop/production',
      services: ['api', 'web'],
    },
    {
      name: 'flux-env-folders',
      files: { 'clusters/production/apps.yaml': 'kind: Kustomization\n', 'apps/production/podinfo/release.yaml': 'version: 6.0.0\n', 'apps/production/cluster-vars.yaml': 'region: eu\n' },
      change: { 'apps/production/podinfo/release.yaml': 'version: 6.1.0\n' },
      target: 'fleet/production',
      services: ['podinfo'],
    },
  ];

  it.each(cases)('$name: targets, services and history come from a real repo', { timeout: 60_000 }, async ({ name, files, change, target, services }) => {
    const repoDir = dirs.make(`${name}-repo-`);
    await createRepo(repoDir, [
      { timestamp: '2026-11-01T10:00:00Z', author, message: 'bootstrap', changes: files },
      { timestamp: '2026-11-02T10:00:00Z', author, message: 'release: bump', changes: change },
      { timestamp: '2026-11-03T10:00:00Z', author, message: 'docs', changes: { 'README.md': 'hello\n' } },
    ]);
    const configDir = dirs.make(`${name}-config-`);
    const config = (await import('node:fs')).readFileSync(`docs/examples/${name}.rewind.config.yaml`, 'utf8').replace(/^repo:.*$/m, `repo: { path: ${JSON.stringify(repoDir)}, branch: main }`);
    writeFileSync(join(configDir, 'rewind.config.yaml'), config);
    const server = await start({ configFile: join(configDir, 'rewind.config.yaml'), dataDir: dirs.make(`${name}-data-`) });
    try {
      const { targets } = (await (await fetch(`${server.url}api/targets`)).json()) as { targets: { tenant: string; environment: string; health: string; services: { name: string; health: string }[]; cluster: { source: string; reason: string; liveRevision: string | null } }[] };
      const found = targets.find((t) => `${t.tenant}/${t.environment}` === target)!;
      expect(found.services.map((s) => s.name)).toEqual(services);
      // A real repo without `cluster:` never borrows the demo's simulated health (decision 017).
      expect(found.cluster).toMatchObject({ source: 'none', reason: 'no cluster connection configured', liveRevision: null });
      expect([found.health, ...found.services.map((s) => s.health)].every((h) => h === 'unknown')).toBe(true);
      const [tenant, environment] = target.split('/');
      const history = (await (await fetch(`${server.url}api/targets/${tenant}/${environment}/history`)).json()) as { revisions: { summary: string }[] };
      expect(history.revisions.map((r) => r.summary)).toEqual(['release: bump', 'bootstrap']);
    } finally {
      await server.close();
    }
  });
});

describe('rewind CLI errors', { timeout: 60_000 }, () => {
  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, ['bin/rewind.mjs', ...args], { timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

  it('refuses a --repo that is not a git repo', async () => {
    const notRepo = dirs.make('not-a-repo-');
    const result = await cli('serve', '--repo', notRepo, '--data-dir', dirs.make('d-'), '--port', '0');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^rewind: .*not a git repo/m);
    noStack(result.stderr);
  });

  it('refuses a missing branch', async () => {
    const repoDir = dirs.make('branch-repo-');
    await createRepo(repoDir, [{ timestamp: '2026-11-01T10:00:00Z', author: { name: 'a', email: 'a@example.com' }, message: 'x', changes: { 'a.yaml': 'a: 1\n' } }]);
    const configFile = join(dirs.make('branch-config-'), 'c.yaml');
    writeFileSync(configFile, `repo: { path: ${JSON.stringify(repoDir)}, branch: release }\ntargets: { pattern: { tenant: t, services: "{environment}/{service}/" } }\n`);
    const result = await cli('serve', '--config', configFile, '--data-dir', dirs.make('d-'), '--port', '0');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^rewind: .*release/m);
    noStack(result.stderr);
  });

  it('refuses a clone whose work tree has the served branch checked out, saying what to do (issue 11)', async () => {
    // A clone as people make them: a work tree on the repo's default branch, here `master`.
    const clone = dirs.make('work-tree-');
    await createRepo(clone, [{ timestamp: '2026-11-01T10:00:00Z', author: { name: 'a', email: 'a@example.com' }, message: 'x', changes: { 'a.yaml': 'a: 1\n' } }], { bare: false, branch: 'master' });
    const result = await cli('serve', '--repo', clone, '--data-dir', dirs.make('d-'), '--port', '0');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^rewind: .* has the branch "master" checked out in the work tree /m);
    expect(result.stderr).toContain('git clone --bare');
    expect(result.stderr).toContain('repo.url');
    expect(result.stderr).toContain('repo.remote');
    noStack(result.stderr);
  });

  it('says which branches exist and names repo.branch when the branch is missing', async () => {
    const repoDir = dirs.make('master-repo-');
    await createRepo(repoDir, [{ timestamp: '2026-11-01T10:00:00Z', author: { name: 'a', email: 'a@example.com' }, message: 'x', changes: { 'a.yaml': 'a: 1\n' } }], { branch: 'master' });
    const result = await cli('serve', '--repo', repoDir, '--branch', 'main', '--data-dir', dirs.make('d-'), '--port', '0');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^rewind: The branch "main" does not exist in .*\. Its branches: master; set repo\.branch in the config \(or --branch\)/m);
  });

  it('prints the usage and exits 0 for --help on every command', async () => {
    for (const args of [['--help'], ['serve', '--help'], ['demo-repo', '-h'], ['help', 'serve']]) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout, args.join(' ')).toMatch(/^Usage:\n {2}rewind /);
    }
    expect((await cli('serve', '--help')).stdout).toContain('--branch NAME');
  });

  it('refuses an invalid config, naming file, line and key', async () => {
    const configFile = join(dirs.make('bad-config-'), 'rewind.config.yaml');
    writeFileSync(configFile, 'server:\n  port: lots\ntargets: { pattern: { tenant: t, services: "{environment}/{service}/" } }\n');
    const result = await cli('serve', '--config', configFile, '--data-dir', dirs.make('d-'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`rewind: ${configFile}:2: server.port:`);
    noStack(result.stderr);
  });

  it('refuses unknown commands and flags with the usage', async () => {
    const result = await cli('serve', '--prot', '80');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Usage:/);
    noStack(result.stderr);
  });
});

describe('field diffs in a worker thread (decision 015)', { timeout: 60_000 }, () => {
  const path = 'tenants/acme/production/services/web/values.yaml';
  /** About 200 KB: over the 64 KB the server diffs in-process, so compare/fields goes to the worker. */
  const values = (tag: (i: number) => string) =>
    Array.from({ length: 3_000 }, (_, i) => `service${i}:\n  image: { repository: team/s${i}, tag: ${tag(i)} }\n  replicas: ${(i % 4) + 1}\n`).join('');
  const before = values(() => 'v1');
  const after = values((i) => (i % 100 === 0 ? 'v2' : 'v1'));
  const author = { name: 'Ops', email: 'ops@example.com' };
  let repoDir: string;
  let configFile: string;
  let shas: string[];
  const expectedFields = () =>
    diffYamlFieldsDetailed(before, after).changes.map((leaf) => ({ service: 'web', file: path, path: leaf.path, from: leaf.from, to: leaf.to }));

  beforeAll(async () => {
    repoDir = dirs.make('worker-repo-');
    ({ shas } = await createRepo(repoDir, [
      { timestamp: '2026-11-01T10:00:00Z', author, message: 'bootstrap', changes: { [path]: before } },
      { timestamp: '2026-11-02T10:00:00Z', author, message: 'release: bump', changes: { [path]: after } },
    ]));
    configFile = join(dirs.make('worker-config-'), 'rewind.config.yaml');
    writeFileSync(configFile, [
      `repo: { path: ${JSON.stringify(repoDir)} }`,
      'targets:',
      '  pattern: { services: "tenants/{tenant}/{environment}/services/{service}/" }',
    ].join('\n'));
  });

  it('compare/fields answers the in-process field changes from a worker, which close() stops', async () => {
    expect(before.length).toBeGreaterThan(100_000);
    expect(expectedFields()).toHaveLength(30);
    const server = await start({ configFile, dataDir: dirs.make('worker-data-') });
    try {
      const compare = (await (await fetch(`${server.url}api/targets/acme/production/compare?from=${shas[0]}&to=${shas[1]}`)).json()) as { files: { fieldDiff?: string }[] };
      expect(compare.files.map((file) => file.fieldDiff)).toEqual(['deferred']);
      expect(server.logs.filter((entry) => String(entry.msg).startsWith('field-diff worker'))).toEqual([]);

      const response = await fetch(`${server.url}api/targets/acme/production/compare/fields?from=${shas[0]}&to=${shas[1]}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ from: shas[0], to: shas[1], files: [{ path }], fields: expectedFields() });
      expect(server.logs).toContainEqual({ level: 'info', msg: 'field-diff worker started', threadId: expect.any(Number) });
    } finally {
      await server.close();
    }
    expect(server.logs.at(-1)).toEqual({ level: 'info', msg: 'field-diff worker exited', threadId: expect.any(Number), code: expect.any(Number), calls: 0 });
  });

  it('works under `rewind serve` (bin/rewind.mjs, tsx registered with register()) and exits on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/rewind.mjs', 'serve', '--config', configFile, '--data-dir', dirs.make('worker-cli-data-'), '--host', '127.0.0.1', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      const url = await new Promise<string>((done, fail) => {
        const poll = setInterval(() => {
          const found = /Rewind is serving (\S+)/.exec(stdout);
          if (found) {
            clearInterval(poll);
            done(found[1]!);
          }
        }, 20);
        void exited.then((code) => {
          clearInterval(poll);
          fail(new Error(`rewind serve exited (${code}): ${stderr}`));
        });
      });
      const response = await fetch(`${url}api/targets/acme/production/compare/fields?from=${shas[0]}&to=${shas[1]}`);
      expect(response.status, stderr).toBe(200);
      expect(((await response.json()) as { fields: unknown[] }).fields).toEqual(expectedFields());
      const logs = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(logs).toContainEqual(expect.objectContaining({ level: 'info', msg: 'field-diff worker started' }));
      expect(logs).not.toContainEqual(expect.objectContaining({ level: 'error' }));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
  });
});
