import { afterAll, describe, expect, it, vi } from 'vitest';
import { CatFileBatch } from './cat-file-batch.ts';
import { runGit } from './git-cli.ts';
import { initRepo } from './fast-import.ts';
import { tempDirs } from './test-repos.ts';

// Real work (git processes) on a busy machine: generous limits, never vitest's 5 s (decision 024).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const dirs = tempDirs('rewind-catfile-');
afterAll(() => dirs.cleanup());

async function writeBlob(gitDir: string, content: Buffer): Promise<string> {
  return (await runGit(['--git-dir', gitDir, 'hash-object', '-w', '--stdin'], { input: content })).stdout.toString('utf8').trim();
}

describe('CatFileBatch', () => {
  it('reads binary blobs of any size, in order, and says what is missing', async () => {
    const gitDir = await initRepo(dirs.make());
    const binary = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7) % 256));
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'x\n');
    const empty = Buffer.alloc(0);
    const newlines = Buffer.from('\n\n\n');
    const contents = [binary, big, empty, newlines];
    const oids = await Promise.all(contents.map((c) => writeBlob(gitDir, c)));
    const batch = new CatFileBatch(gitDir);
    try {
      // Interleaved requests come back paired with the right answer.
      const answers = await batch.readMany([...oids, 'f'.repeat(40), ...[...oids].reverse()]);
      const expected = [...contents, null, ...[...contents].reverse()];
      answers.forEach((answer, i) => {
        const want = expected[i];
        if (want === null) expect(answer).toEqual({ kind: 'missing' });
        else {
          expect(answer.kind).toBe('found');
          if (answer.kind === 'found') {
            expect(answer.type).toBe('blob');
            expect(answer.content.equals(want!)).toBe(true);
          }
        }
      });
      await expect(batch.read('bad\nname')).rejects.toThrow(/invalid object name/);
    } finally {
      await batch.close();
    }
  });

  it('starts a new process when the old one dies, and refuses reads once closed', async () => {
    const gitDir = await initRepo(dirs.make());
    const oid = await writeBlob(gitDir, Buffer.from('hello\n'));
    const batch = new CatFileBatch(gitDir);
    expect((await batch.read(oid)).kind).toBe('found');
    const first = batch.pid!;
    process.kill(first, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await batch.read(oid);
    expect(again.kind === 'found' && again.content.toString()).toBe('hello\n');
    expect(batch.pid).not.toBe(first);
    await batch.close();
    expect(batch.pid).toBeUndefined();
    await expect(batch.read(oid)).rejects.toThrow(/closed/);
  });

  it('fails pending reads when the process dies under them', async () => {
    const gitDir = await initRepo(dirs.make());
    const batch = new CatFileBatch(gitDir);
    const oid = await writeBlob(gitDir, Buffer.alloc(8 * 1024 * 1024, 'y'));
    const reads = Array.from({ length: 20 }, () => batch.read(oid));
    await new Promise((resolve) => setTimeout(resolve, 5));
    process.kill(batch.pid!, 'SIGKILL');
    const settled = await Promise.allSettled(reads);
    expect(settled.some((s) => s.status === 'rejected')).toBe(true);
    for (const s of settled) if (s.status === 'rejected') expect(String(s.reason)).toMatch(/git cat-file failed/);
    expect((await batch.read(oid)).kind).toBe('found');
    await batch.close();
  });
});
