/**
 * Layout pathspecs (core/target-config.ts: `dir/` prefix, `*` and `?` within a segment, `**` across
 * segments, anything else one exact file) as git pathspecs.
 *
 * Git narrows the walk (and uses the commit-graph's changed-path Bloom filters for a single
 * non-wildcard spec); the store then keeps only paths that `matchesAny` accepts, so results match the
 * in-memory store exactly. A git pathspec therefore only has to be a superset of the layout spec,
 * never narrower:
 * - `dir/` and exact files: literal (an exact file spec that names a directory selects its contents in
 *   git; the filter drops them);
 * - globs whose `**` stand between slashes (where git's wildmatch and the layout agree): `:(glob)` with
 *   `[`, `]` and `\` escaped, since the layout treats them as plain characters;
 * - any other glob (`a**`, `**b`, `***`): the literal directory before its first wildcard, or no
 *   restriction at all when the wildcard is in the first segment.
 */

export type GitPathspec =
  /** No path can match: the query has no results. */
  | { kind: 'none' }
  /** Every path may match: run git without a pathspec and filter. */
  | { kind: 'all' }
  | { kind: 'some'; specs: string[] };

const GLOB_CHARS = /[*?]/;
/** Characters git's default pathspec treats as wildcards, or that start magic. */
const NEEDS_LITERAL = /[*?[\]\\]|^:/;

/** Paths in a git tree are relative, with no empty, `.` or `..` segment: a spec needing one never matches. */
function canMatchGitPath(spec: string): boolean {
  if (spec.length === 0 || spec.startsWith('/') || spec.includes('\0')) return false;
  const segments = spec.split('/');
  if (spec.endsWith('/')) segments.pop();
  return segments.every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

function literal(path: string): string {
  return NEEDS_LITERAL.test(path) ? `:(literal)${path}` : path;
}

/** Whether git's `:(glob)` wildmatch reads this layout glob exactly as core's globToRegExp does. */
function globIsExact(spec: string): boolean {
  if (spec.includes('***')) return false;
  for (let i = spec.indexOf('**'); i !== -1; i = spec.indexOf('**', i + 2)) {
    const before = i === 0 || spec[i - 1] === '/';
    const after = i + 2 === spec.length || spec[i + 2] === '/';
    if (!before || !after) return false;
  }
  return true;
}

function escapeGlob(spec: string): string {
  return spec.replace(/[[\]\\]/g, '\\$&');
}

/** The literal directory part of a glob before its first wildcard segment ('' at the root). */
function literalDirectory(spec: string): string {
  const firstWildcard = spec.search(GLOB_CHARS);
  return spec.slice(0, spec.lastIndexOf('/', firstWildcard) + 1);
}

function isGlob(spec: string): boolean {
  return !spec.endsWith('/') && GLOB_CHARS.test(spec);
}

/** Pathspecs for commands that take full pathspec magic (`log`, `rev-list`). */
export function toGitPathspec(specs: readonly string[]): GitPathspec {
  const out = new Set<string>();
  for (const spec of specs) {
    if (!canMatchGitPath(spec)) continue;
    if (!isGlob(spec)) out.add(literal(spec));
    else if (globIsExact(spec)) out.add(`:(glob)${escapeGlob(spec)}`);
    else {
      const directory = literalDirectory(spec);
      if (!directory) return { kind: 'all' };
      out.add(literal(directory));
    }
  }
  return out.size === 0 ? { kind: 'none' } : { kind: 'some', specs: [...out] };
}

/** Pathspecs for `ls-tree`, which matches paths literally (no glob magic): directories to list. */
export function toLsTreePathspec(specs: readonly string[]): GitPathspec {
  const out = new Set<string>();
  for (const spec of specs) {
    if (!canMatchGitPath(spec)) continue;
    const path = isGlob(spec) ? literalDirectory(spec) : spec;
    if (!path) return { kind: 'all' };
    out.add(`:(literal)${path}`);
  }
  return out.size === 0 ? { kind: 'none' } : { kind: 'some', specs: [...out] };
}

/** The pathspec arguments after `--` (none when every path matches). */
export function pathspecArgs(pathspec: GitPathspec): string[] {
  return pathspec.kind === 'some' ? pathspec.specs : [];
}
