/**
 * Temporary repositories for tests and benchmarks: created under the OS temp dir, removed on cleanup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDirs {
  /** A new empty directory. */
  make(label?: string): string;
  /** Removes every directory made so far. */
  cleanup(): void;
}

export function tempDirs(prefix = 'rewind-git-'): TempDirs {
  const made: string[] = [];
  return {
    make(label = '') {
      const dir = mkdtempSync(join(tmpdir(), `${prefix}${label}`));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
