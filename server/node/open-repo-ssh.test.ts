/**
 * `repo.url` over ssh (issue 11, decision 035). No sshd runs on the test machines, so `ssh` itself is
 * a stand-in first on PATH: it records how git called it and runs the remote command (git-upload-pack,
 * git-receive-pack) on the repository locally, as sshd would after authentication. Everything Rewind
 * controls is real: the URL, the key file handed to ssh through GIT_SSH_COMMAND (never the key), batch
 * mode (no prompt can hang a server), the mirror, the fetch before reads and the push of a commit.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { configSchema } from '#server/config/config-schema.ts';
import { createRepo } from '#server/git/demo-repo.ts';
import { gitText } from '#server/git/git-cli.ts';
import type { ImportCommit } from '#server/git/fast-import.ts';
import { tempDirs } from '#server/git/test-repos.ts';
import { filesHolding } from '#tests/support/files-holding.ts';
import { openRepo } from './open-repo.ts';

vi.setConfig({ testTimeout: 120_000 });
const dirs = tempDirs('rewind-ssh-');
afterAll(() => dirs.cleanup());

const ALICE = { name: 'Alice', email: 'alice@example.com' };
const KEY_CONTENT = '-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key-but-secret\n-----END OPENSSH PRIVATE KEY-----\n';
const change = (minute: number, content: string): ImportCommit => ({
  timestamp: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString(),
  author: ALICE,
  message: `change ${minute}\n`,
  changes: { 'apps/prod/web/a.yaml': content },
});

/** A directory holding an `ssh` that logs its arguments and runs the remote command here. */
function fakeSsh(): { bin: string; log: string } {
  const bin = dirs.make('bin-');
  const log = join(bin, 'calls.log');
  const script = [
    '#!/bin/sh',
    `printf '%s\\n' "$*" >> '${log}'`,
    // The remote command is the last argument (`git-upload-pack '/path'`); the host before it.
    'for last in "$@"; do :; done',
    'exec sh -c "$last"',
    '',
  ].join('\n');
  writeFileSync(join(bin, 'ssh'), script);
  chmodSync(join(bin, 'ssh'), 0o755);
  return { bin, log };
}

const originalPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = originalPath;
});

describe('openRepo with an ssh repo.url', () => {
  it('mirrors and pushes through ssh with the configured key file, in batch mode, the key never on a command line or on disk', async () => {
    const remote = dirs.make('remote-');
    const { shas } = await createRepo(remote, [change(0, 'a: 0\n')], { branch: 'main' });
    const keyFile = join(dirs.make('keys-'), 'id_ed25519');
    writeFileSync(keyFile, KEY_CONTENT, { mode: 0o600 });
    const ssh = fakeSsh();
    process.env.PATH = `${ssh.bin}:${originalPath}`;
    const dataDir = dirs.make('data-');
    const config = configSchema.parse({
      repo: { url: `ssh://git@git.example.internal${remote}`, credentials: { sshKeyFile: keyFile } },
      targets: { pattern: { tenant: 't', services: 'apps/{environment}/{service}/' } },
    });
    const opened = await openRepo({ config, dataDir, log: () => {} });
    try {
      expect(opened.branch).toBe('main');
      expect(await opened.revisions.branchHead()).toBe(shas[0]);
      const sha = await opened.revisions.commit({ expectedHead: shas[0]!, changes: { 'apps/prod/web/a.yaml': 'a: 1\n' }, message: 'rollback\n', author: ALICE });
      expect((await gitText(['--git-dir', remote, 'rev-parse', 'refs/heads/main'])).trim()).toBe(sha);
    } finally {
      await opened.revisions.close();
    }
    const calls = readFileSync(ssh.log, 'utf8').trim().split('\n');
    expect(calls.some((call) => call.includes('git-upload-pack'))).toBe(true);
    expect(calls.some((call) => call.includes('git-receive-pack'))).toBe(true);
    for (const call of calls) {
      expect(call).toContain(`-i ${keyFile}`);
      expect(call).toContain('BatchMode=yes');
      expect(call).toContain('git@git.example.internal');
      expect(call).not.toContain('not-a-real-key');
    }
    // Nothing of the key in the data dir (the mirror's config included).
    expect(filesHolding(dataDir, 'not-a-real-key')).toEqual([]);
  });
});
