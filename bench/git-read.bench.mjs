// Reading a 48 KB manifest blob through the long-lived `git cat-file --batch` process (median of 500
// reads), against a `git cat-file -p <blob>` process per read via execFile (median of 50). Goal: ≤ 1 ms.
// Runs under tsx (`node --import tsx scripts/bench.mjs git-read`): it imports the TS sources.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CatFileBatch } from '#server/git/cat-file-batch.ts';
import { runGit } from '#server/git/git-cli.ts';
import { initRepo } from '#server/git/fast-import.ts';
import { median } from './stats.mjs';

const execFileAsync = promisify(execFile);
const SIZE = 48 * 1024;

/** A Helm-values-like YAML document of exactly SIZE bytes. */
function manifest() {
  let text = 'image:\n  repository: registry.example.com/acme/payments\n  tag: v2.14.0\nenv:\n';
  for (let i = 0; text.length < SIZE; i++) text += `  - name: SETTING_${i}\n    value: "${(i * 7919) % 100_003}"\n`;
  return text.slice(0, SIZE - 1) + '\n';
}

export async function run(report) {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-bench-read-'));
  const gitDir = await initRepo(dir);
  const content = manifest();
  const oid = (await runGit(['--git-dir', gitDir, 'hash-object', '-w', '--stdin'], { input: content })).stdout.toString('utf8').trim();
  const batch = new CatFileBatch(gitDir);
  try {
    const read = async () => {
      const result = await batch.read(oid);
      if (result.kind !== 'found' || result.content.toString('utf8') !== content) throw new Error('cat-file --batch read the wrong content');
    };
    for (let i = 0; i < 50; i++) await read();
    const ours = [];
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      await read();
      ours.push(performance.now() - t);
    }
    const spawnRead = async () => {
      const { stdout } = await execFileAsync('git', ['--git-dir', gitDir, 'cat-file', '-p', oid], { maxBuffer: 1 << 20 });
      if (stdout !== content) throw new Error('cat-file -p read the wrong content');
    };
    for (let i = 0; i < 5; i++) await spawnRead();
    const spawned = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await spawnRead();
      spawned.push(performance.now() - t);
    }
    const value = median(ours);
    const baseline = median(spawned);
    const round = (ms) => Math.round(ms * 1000) / 1000;
    report({ name: 'git.read_manifest_48k', value: round(value), unit: 'ms', baseline: round(baseline), ratio: round(value / baseline) });
  } finally {
    await batch.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
