/**
 * Keeps the repository's commit-graph useful for history: it must exist, carry changed-path Bloom
 * filters (so `git log -- <paths>` skips commits without diffing trees) and contain the branch head.
 * Checking reads the graph files directly (a header, a chunk table and a sorted id list), which costs
 * far less than asking git to verify them; writing goes through `git commit-graph write`.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { GitRunner } from './branch-membership.ts';

interface GraphLayer {
  hasBloom: boolean;
  contains(oid: Buffer): boolean;
}

const SIGNATURE = 0x43475048; // "CGPH"
const CHUNK_OIDF = 0x4f494446;
const CHUNK_OIDL = 0x4f49444c;
const CHUNK_BIDX = 0x42494458;
const CHUNK_BDAT = 0x42444154;

function parseLayer(data: Buffer): GraphLayer | null {
  if (data.length < 8 || data.readUInt32BE(0) !== SIGNATURE || data[4] !== 1) return null;
  const hashLength = data[5] === 2 ? 32 : 20;
  const chunkCount = data[6]!;
  const chunks = new Map<number, number>();
  for (let i = 0; i < chunkCount; i++) {
    const at = 8 + i * 12;
    if (at + 12 > data.length) return null;
    chunks.set(data.readUInt32BE(at), Number(data.readBigUInt64BE(at + 4)));
  }
  const fanout = chunks.get(CHUNK_OIDF);
  const lookup = chunks.get(CHUNK_OIDL);
  if (fanout === undefined || lookup === undefined || fanout + 1024 > data.length) return null;
  const count = data.readUInt32BE(fanout + 255 * 4);
  if (lookup + count * hashLength > data.length) return null;
  return {
    hasBloom: chunks.has(CHUNK_BIDX) && chunks.has(CHUNK_BDAT),
    contains(oid: Buffer): boolean {
      if (oid.length !== hashLength) return false;
      let lo = 0;
      let hi = count - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const at = lookup + mid * hashLength;
        const order = data.compare(oid, 0, hashLength, at, at + hashLength) * -1;
        if (order === 0) return true;
        if (order < 0) hi = mid - 1;
        else lo = mid + 1;
      }
      return false;
    },
  };
}

async function readLayers(objectsDir: string): Promise<GraphLayer[] | null> {
  const info = join(objectsDir, 'info');
  const single = await readFile(join(info, 'commit-graph')).catch(() => null);
  if (single) {
    const layer = parseLayer(single);
    return layer ? [layer] : null;
  }
  const chain = await readFile(join(info, 'commit-graphs', 'commit-graph-chain'), 'utf8').catch(() => null);
  if (!chain) return null;
  const layers: GraphLayer[] = [];
  for (const hash of chain.split('\n').filter((line) => /^[0-9a-f]+$/.test(line))) {
    const data = await readFile(join(info, 'commit-graphs', `graph-${hash}.graph`)).catch(() => null);
    const layer = data ? parseLayer(data) : null;
    if (!layer) return null;
    layers.push(layer);
  }
  return layers.length ? layers : null;
}

/**
 * Whether the commit-graph in `objectsDir` holds `head` and Bloom filters in every layer. A graph that
 * fails this is missing or stale: commits after it are walked without filters.
 */
export async function commitGraphIsFresh(objectsDir: string, head: string): Promise<boolean> {
  const layers = await readLayers(objectsDir);
  if (!layers || !layers.every((layer) => layer.hasBloom)) return false;
  const oid = Buffer.from(head, 'hex');
  return layers.some((layer) => layer.contains(oid));
}

/** Writes the commit-graph (reachable commits, changed-path filters) unless it is fresh for `head`. */
export async function ensureCommitGraph(git: GitRunner, gitDir: string, head: string): Promise<void> {
  const objects = resolve(gitDir, (await git(['rev-parse', '--git-path', 'objects'])).stdout.toString('utf8').trim());
  if (await commitGraphIsFresh(objects, head)) return;
  await git(['commit-graph', 'write', '--reachable', '--changed-paths']);
}
