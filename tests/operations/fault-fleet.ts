/**
 * What the fault tests of issue 14 share: a bare remote with many independent targets (one rollback
 * each, so none supersedes or re-bases another), a config for replicas on PostgreSQL, and readers of
 * the outcome (commits on the remote per request id, audit events per request).
 */
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { auditResponseSchema, rollbackDetailResponseSchema, type RollbackRequest } from '#core/schemas.ts';
import { createRepo } from '#server/git/demo-repo.ts';
import type { ImportCommit } from '#server/git/fast-import.ts';

const run = promisify(execFile);

export const REQUESTER = 'sam@example.com';
export const APPROVERS = ['dana@example.com', 'priya@example.com', 'lee@example.com'] as const;
export const as = (email: string) => ({ 'Content-Type': 'application/json', 'X-Forwarded-Email': email });

export interface Fleet {
  remote: string;
  /** `t01/production` … : each target's second commit is the one its rollback undoes. */
  targets: { tenant: string; environment: string }[];
  /** The first commit: every rollback goes back to it. */
  baseSha: string;
}

const values = (tenant: string, tag: string) => `image:\n  repository: registry.example.com/${tenant}/api\n  tag: ${tag}\nreplicas: 2\n`;

/** A bare remote at `dir` with `count` targets `tNN/production`, each with a release to roll back. */
export async function writeFleetRemote(dir: string, count: number): Promise<Fleet> {
  const author = { name: 'Release Bot', email: 'release@example.com' };
  const tenants = Array.from({ length: count }, (_, i) => `t${String(i + 1).padStart(2, '0')}`);
  const path = (tenant: string) => `tenants/${tenant}/production/services/api/values.yaml`;
  const commits: ImportCommit[] = [
    {
      timestamp: '2026-11-01T09:00:00Z',
      author,
      message: 'Initial fleet: every tenant on v1.0.0',
      changes: Object.fromEntries(tenants.map((t) => [path(t), values(t, 'v1.0.0')])),
    },
    ...tenants.map((tenant, i) => ({
      timestamp: new Date(Date.parse('2026-11-02T09:00:00Z') + i * 60_000).toISOString(),
      author,
      message: `Release ${tenant} api v1.1.0`,
      changes: { [path(tenant)]: values(tenant, 'v1.1.0') },
    })),
  ];
  const { shas } = await createRepo(dir, commits, { bare: true });
  return { remote: dir, targets: tenants.map((tenant) => ({ tenant, environment: 'production' })), baseSha: shas[0]! };
}

/** rewind.config.yaml for a replica of `remote` on `databaseUrl`, with a quorum of `quorum`. */
export function writeFleetConfig(dir: string, options: { remote: string; databaseUrl: string; quorum: number }): string {
  const file = join(dir, 'rewind.config.yaml');
  writeFileSync(
    file,
    [
      // Reads fetch once an hour: only the fetch under the commit lock (and at reconciliation) sees a peer's commits.
      `repo: { url: ${JSON.stringify(`file://${options.remote}`)}, branch: main, fetchIntervalSeconds: 3600 }`,
      `database: { url: ${JSON.stringify(options.databaseUrl)} }`,
      // The test acts as each user through X-Forwarded-Email: demo identity, asked for explicitly.
      'identity: { mode: demo }',
      'users:',
      `  - { email: ${REQUESTER}, name: Sam, roles: [requester] }`,
      ...APPROVERS.map((email) => `  - { email: ${email}, name: ${email.split('@')[0]}, roles: [approver] }`),
      `defaults: { policy: { requiredApprovals: ${options.quorum} } }`,
      'targets:',
      "  pattern: { services: 'tenants/{tenant}/{environment}/services/{service}/' }",
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * A gate on the remote's pushes: once its branch has `holdFrom` commits, each push waits in a
 * pre-receive hook until `release()` (at most `maxHoldSeconds`, then it goes through). With group
 * commit (decision 049) one push may carry many rollbacks; the gate keeps "some landed, others in
 * flight" true at a chosen moment instead of hoping a poll catches it. A replica killed with its
 * process group takes its waiting push (git push, receive-pack, the hook) with it: nothing lands.
 */
export function holdPushes(remote: string, holdFrom: number, maxHoldSeconds = 120): { release: () => void } {
  const released = join(remote, 'push-gate-released');
  const hook = join(remote, 'hooks', 'pre-receive');
  writeFileSync(
    hook,
    [
      '#!/bin/sh',
      'cat > /dev/null',
      `if [ "$(git rev-list --count refs/heads/main)" -ge ${holdFrom} ]; then`,
      '  waited=0',
      `  while [ ! -e '${released}' ] && [ "$waited" -lt ${maxHoldSeconds * 20} ]; do sleep 0.05; waited=$((waited + 1)); done`,
      'fi',
      '',
    ].join('\n'),
  );
  chmodSync(hook, 0o755);
  return { release: () => writeFileSync(released, '') };
}

/** Request id → the commits on the remote's branch whose message names it. */
export async function commitsByRequest(remote: string): Promise<Map<string, string[]>> {
  const { stdout } = await run('git', ['--git-dir', remote, 'log', '--format=%H%x00%B%x1e', 'refs/heads/main'], { maxBuffer: 64 * 1024 * 1024 });
  const found = new Map<string, string[]>();
  for (const entry of stdout.split('\x1e')) {
    const [sha, body = ''] = entry.trim().split('\0');
    const id = /^Rollback Request ID: (\S+)$/m.exec(body)?.[1];
    if (sha && id) found.set(id, [...(found.get(id) ?? []), sha]);
  }
  return found;
}

/** The number of commits on the remote's branch. */
export async function remoteCommitCount(remote: string): Promise<number> {
  const { stdout } = await run('git', ['--git-dir', remote, 'rev-list', '--count', 'refs/heads/main']);
  return Number(stdout.trim());
}

type Api = (path: string, init?: RequestInit) => Promise<Response>;

export async function readRequest(api: Api, id: string): Promise<RollbackRequest> {
  const response = await api(`/api/rollbacks/${id}`, { signal: AbortSignal.timeout(30_000) });
  if (response.status !== 200) throw new Error(`GET /api/rollbacks/${id}: ${response.status} ${await response.text()}`);
  return rollbackDetailResponseSchema.parse(await response.json()).request;
}

/** Every audit event of one request, oldest first. */
export async function auditOf(api: Api, id: string) {
  const response = await api(`/api/audit?requestId=${id}&limit=500`, { signal: AbortSignal.timeout(30_000) });
  if (response.status !== 200) throw new Error(`GET /api/audit?requestId=${id}: ${response.status} ${await response.text()}`);
  return auditResponseSchema.parse(await response.json()).events.reverse();
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
