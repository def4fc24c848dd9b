import { describe, expect, it } from 'vitest';
import { showsWholeFile } from './patch-context.ts';

const patch = (header: string, body: string[]) => ['diff --git a/f b/f', '--- a/f', '+++ b/f', header, ...body, ''].join('\n');

describe('showsWholeFile', () => {
  it('is true for one hunk from the first line that ends before the context asked for', () => {
    expect(showsWholeFile(patch('@@ -1,4 +1,4 @@', [' a', '-b', '+B', ' c', ' d']), 23)).toBe(true);
    expect(showsWholeFile(patch('@@ -1,2 +1,2 @@ top', ['-b', '+B', ' c']), 3)).toBe(true);
    // A file without a newline at its end.
    expect(showsWholeFile(patch('@@ -1,2 +1,2 @@', [' a', '-b', '\\ No newline at end of file', '+B', '\\ No newline at end of file']), 3)).toBe(true);
  });

  it('is false when the hunk starts later, there are several, or it may go on', () => {
    expect(showsWholeFile(patch('@@ -5,4 +5,4 @@', [' a', '-b', '+B', ' c']), 23)).toBe(false);
    expect(showsWholeFile(patch('@@ -1,4 +1,4 @@', [' a', '-b', '+B', ' c']) + '@@ -40,2 +40,2 @@\n-x\n+y\n', 3)).toBe(false);
    expect(showsWholeFile(patch('@@ -1,6 +1,6 @@', [' a', '-b', '+B', ' c', ' d', ' e']), 3)).toBe(false);
    expect(showsWholeFile('', 3)).toBe(false);
  });
});
