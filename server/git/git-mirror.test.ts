import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { MIRROR_MARKER, ensureMirror, mirrorDir, removeUnusedMirrors } from './git-mirror.ts';
import { tempDirs } from './test-repos.ts';

vi.setConfig({ testTimeout: 60_000 });
const dirs = tempDirs('rewind-git-mirror-');
afterAll(() => dirs.cleanup());

describe('mirror clean-up', () => {
  it('marks the mirrors it makes, with the URL redacted', async () => {
    const dataDir = dirs.make('data-');
    const dir = await ensureMirror(dataDir, 'https://user:s3cret@git.example.com/infra.git');
    const marker = readFileSync(join(dir, MIRROR_MARKER), 'utf8');
    expect(JSON.parse(marker)).toEqual({ kind: 'rewind-mirror', url: 'https://***@git.example.com/infra.git' });
    expect(marker).not.toContain('s3cret');
  });

  it('removes only marked mirrors other than the one kept, and reports what it left alone', async () => {
    const dataDir = dirs.make('data-');
    const kept = await ensureMirror(dataDir, 'https://git.example.com/new.git');
    const old = await ensureMirror(dataDir, 'https://git.example.com/old.git');
    const root = join(dataDir, 'mirrors');
    // Not Rewind's: a directory without the marker, one with a marker of another kind, a file, and a
    // symlink to a marked mirror elsewhere (never followed).
    const foreign = join(root, 'someone-elses.git');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'HEAD'), 'ref: refs/heads/main\n');
    const otherMarker = join(root, 'other-marker.git');
    mkdirSync(otherMarker);
    writeFileSync(join(otherMarker, MIRROR_MARKER), '{"kind":"something-else","url":"x"}');
    writeFileSync(join(root, 'notes.txt'), 'keep me');
    const elsewhere = await ensureMirror(dirs.make('elsewhere-'), 'https://git.example.com/linked.git');
    symlinkSync(elsewhere, join(root, 'linked.git'));

    const result = removeUnusedMirrors(dataDir, kept);
    expect(result.removed).toEqual([{ dir: old, url: 'https://git.example.com/old.git' }]);
    expect(result.failed).toEqual([]);
    expect(result.unrecognised.sort()).toEqual([join(root, 'linked.git'), join(root, 'notes.txt'), otherMarker, foreign].sort());
    expect(existsSync(old)).toBe(false);
    for (const path of [kept, foreign, otherMarker, join(root, 'notes.txt'), join(root, 'linked.git'), join(elsewhere, 'HEAD')]) expect(existsSync(path), path).toBe(true);
  });

  it('keeps nothing when no URL is configured, and does nothing without a mirrors directory', async () => {
    const dataDir = dirs.make('data-');
    expect(removeUnusedMirrors(dataDir, null)).toEqual({ removed: [], unrecognised: [], failed: [] });
    const dir = await ensureMirror(dataDir, 'file:///srv/infra.git');
    expect(dir).toBe(mirrorDir(dataDir, 'file:///srv/infra.git'));
    expect(removeUnusedMirrors(dataDir, null).removed).toEqual([{ dir, url: 'file:///srv/infra.git' }]);
    expect(existsSync(dir)).toBe(false);
  });

  it('marks a mirror made before markers existed once the config names it again', async () => {
    const dataDir = dirs.make('data-');
    const url = 'https://git.example.com/infra.git';
    const dir = await ensureMirror(dataDir, url);
    rmSync(join(dir, MIRROR_MARKER));
    expect(removeUnusedMirrors(dataDir, null)).toEqual({ removed: [], unrecognised: [dir], failed: [] });
    expect(existsSync(join(dir, 'HEAD'))).toBe(true);
    await ensureMirror(dataDir, url);
    expect(removeUnusedMirrors(dataDir, null).removed).toEqual([{ dir, url }]);
  });
});
