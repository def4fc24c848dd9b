/**
 * The rule for a repo path a client sends (compare's `file=`, a field selection's `file`): relative to
 * the repo root, segments separated by `/`, none of them empty, `.` or `..`. A path that breaks it
 * names no file of any target, and passed on it could climb out of the repository, so it is refused
 * with a 400 before any store sees it.
 */
import { badRequest } from './errors.ts';

export const MAX_REPO_PATH_CHARS = 1024;

/** Why `path` is not a repo path, or null when it is one. */
export function repoPathProblem(path: string): string | null {
  if (path === '') return 'is empty';
  if (path.length > MAX_REPO_PATH_CHARS) return `is longer than ${MAX_REPO_PATH_CHARS} characters`;
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'contains a control character';
  if (path.includes('\\')) return 'contains a backslash: repo paths use /';
  if (path.startsWith('/')) return 'is absolute: repo paths are relative to the repository root';
  const segments = path.split('/');
  if (segments.some((s) => s === '')) return 'has an empty segment (// or a trailing /)';
  if (segments.some((s) => s === '.' || s === '..')) return 'has a . or .. segment';
  return null;
}

/** The path unchanged, or a 400 naming `field` and what is wrong (the path itself is not echoed). */
export function checkRepoPath(path: string, field: string): string {
  const problem = repoPathProblem(path);
  if (problem) throw badRequest(`${field} must be a file path of the repository: it ${problem}`, { field });
  return path;
}
