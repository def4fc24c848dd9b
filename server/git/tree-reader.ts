/**
 * Lists the blobs under directory pathspecs at a commit through the long-lived `cat-file --batch`
 * process, reading tree objects (`<sha>:<dir>`) instead of spawning `git ls-tree`. History rows read
 * one service's files per revision (decision 031), and a process per read cost more than the read.
 */
import type { CatFileBatch } from './cat-file-batch.ts';

export interface TreeBlob {
  path: string;
  oid: string;
}

const TREE_MODE = '40000';
const SUBMODULE_MODE = '160000';

/** Entries of a tree object: `<mode> SP <name> NUL <raw oid>`, repeated. */
export function parseTree(content: Buffer, oidBytes: number): { mode: string; name: string; oid: string }[] {
  const entries: { mode: string; name: string; oid: string }[] = [];
  let at = 0;
  while (at < content.length) {
    const space = content.indexOf(0x20, at);
    const nul = content.indexOf(0, space);
    if (space === -1 || nul === -1 || nul + 1 + oidBytes > content.length) throw new Error('git cat-file: malformed tree object');
    entries.push({
      mode: content.toString('latin1', at, space),
      name: content.toString('utf8', space + 1, nul),
      oid: content.toString('hex', nul + 1, nul + 1 + oidBytes),
    });
    at = nul + 1 + oidBytes;
  }
  return entries;
}

/**
 * The blobs under `dirs` (repo paths without the trailing slash) at commit `sha`, or null when a
 * directory is not a tree there (the caller falls back to ls-tree). Absent directories have no files.
 */
export async function listTreeBlobs(batch: CatFileBatch, sha: string, dirs: readonly string[]): Promise<TreeBlob[] | null> {
  const blobs: TreeBlob[] = [];
  let level = dirs.map((dir) => ({ name: `${sha}:${dir}`, path: dir }));
  while (level.length > 0) {
    const results = await batch.readMany(level.map((entry) => entry.name));
    const next: { name: string; path: string }[] = [];
    for (const [i, result] of results.entries()) {
      if (result.kind === 'missing') continue;
      if (result.kind !== 'found' || result.type !== 'tree') return null;
      const { path } = level[i]!;
      for (const entry of parseTree(result.content, result.oid.length / 2)) {
        const child = `${path}/${entry.name}`;
        if (entry.mode === TREE_MODE) next.push({ name: entry.oid, path: child });
        else if (entry.mode !== SUBMODULE_MODE) blobs.push({ path: child, oid: entry.oid });
      }
    }
    level = next;
  }
  return blobs;
}

/**
 * The modes of `paths` at commit `sha` that a commit writing them must keep: an executable bit
 * (100755) or a symlink (120000). Read from their directories' tree objects through the batch process
 * (one read per directory, no `git ls-tree`). A path absent there, or of any other mode, is not listed.
 */
export async function keptModesAt(batch: CatFileBatch, sha: string, paths: readonly string[]): Promise<Map<string, string>> {
  const modes = new Map<string, string>();
  const byDir = new Map<string, Set<string>>();
  for (const path of paths) {
    const slash = path.lastIndexOf('/');
    const dir = slash === -1 ? '' : path.slice(0, slash);
    let names = byDir.get(dir);
    if (!names) byDir.set(dir, (names = new Set()));
    names.add(path.slice(slash + 1));
  }
  const dirs = [...byDir.keys()];
  if (dirs.length === 0) return modes;
  const results = await batch.readMany(dirs.map((dir) => `${sha}:${dir}`));
  for (const [i, result] of results.entries()) {
    if (result.kind !== 'found' || result.type !== 'tree') continue;
    const dir = dirs[i]!;
    const names = byDir.get(dir)!;
    for (const entry of parseTree(result.content, result.oid.length / 2)) {
      if (!names.has(entry.name) || (entry.mode !== '100755' && entry.mode !== '120000')) continue;
      modes.set(dir === '' ? entry.name : `${dir}/${entry.name}`, entry.mode);
    }
  }
  return modes;
}

// `dir/**/name`: one file name anywhere under a directory (how kustomizations are looked for).
const NAME_UNDER_DIR = /^([^*?[\n]+)\/\*\*\/([^/*?[\n]+)$/;
/** No glob character, no `.`/`..` component (cat-file would take those relative to its directory). */
const LITERAL = /^(?!\/)(?!(?:.*\/)?\.\.?(?:\/|$))[^*?[\n]+$/;

// The blobs that pathspecs of three forms name at commit `sha`, without a process: directories
// (`dir/`), one name anywhere under a directory (`dir/` + `**` + `/name`) and exact paths (read as
// `<sha>:<path>`, so their content comes with them). Null for any other pathspec, or when a directory
// is not a tree there: the caller lists with ls-tree then. A path named twice may repeat.
export async function listPathspecBlobs(
  batch: CatFileBatch,
  sha: string,
  paths: readonly string[],
  matches: (path: string) => boolean,
): Promise<(TreeBlob & { content?: Buffer })[] | null> {
  const dirs: string[] = [];
  const exact: string[] = [];
  for (const spec of paths) {
    const under = NAME_UNDER_DIR.exec(spec);
    if (spec.endsWith('/') && spec.length > 1 && LITERAL.test(spec)) dirs.push(spec.slice(0, -1));
    else if (under) dirs.push(under[1]!);
    else if (LITERAL.test(spec) && !spec.endsWith('/')) exact.push(spec);
    else return null;
  }
  const [listed, read] = await Promise.all([
    dirs.length > 0 ? listTreeBlobs(batch, sha, [...new Set(dirs)]) : Promise.resolve([] as TreeBlob[]),
    exact.length > 0 ? batch.readMany(exact.map((path) => `${sha}:${path}`)) : Promise.resolve([]),
  ]);
  if (listed === null) return null;
  const blobs: (TreeBlob & { content?: Buffer })[] = listed.filter((blob) => matches(blob.path));
  read.forEach((result, i) => {
    if (result.kind === 'found' && result.type === 'blob') blobs.push({ path: exact[i]!, oid: result.oid, content: result.content });
  });
  return blobs;
}
