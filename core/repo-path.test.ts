import { describe, expect, it } from 'vitest';
import { RewindError } from './errors.ts';
import { checkRepoPath, repoPathProblem } from './repo-path.ts';

describe('repo paths', () => {
  it('accepts relative paths of plain segments', () => {
    for (const path of ['a', 'tenants/acme/production/services/api/values.yaml', '.github/x.yaml', 'a/.hidden', 'notes[1].txt', 'a..b/c']) {
      expect(repoPathProblem(path), path).toBeNull();
    }
  });

  it('refuses ., .. and empty segments, absolute paths, backslashes and control characters', () => {
    const bad = ['', '.', '..', './a', 'a/./b', 'a/../b', 'tenants/acme/../../etc/passwd', '../x', 'a/..', 'a//b', 'a/', '/etc/passwd', 'a\\..\\b', 'a\nb', 'x'.repeat(1025)];
    for (const path of bad) {
      expect(repoPathProblem(path), JSON.stringify(path)).not.toBeNull();
      try {
        checkRepoPath(path, 'file');
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(RewindError);
        expect((error as RewindError).status).toBe(400);
        expect((error as RewindError).field).toBe('file');
        expect((error as RewindError).message).toMatch(/^file must be a file path of the repository: it /);
      }
    }
  });
});
