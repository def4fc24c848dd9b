/**
 * The kustomization texts that decide what Secret masking hides in a target's files at one commit
 * (decision 042): those under the target's paths, those in the directories above them (a parent can
 * generate a Secret from files inside the target), and, followed from those through `resources`,
 * `components` and `bases`, the ones they build on wherever they are (a base shared by overlays).
 */
import { ancestorKustomizationPaths, kustomizationPathspecs, referencedKustomizationPaths } from './kustomize-secrets.ts';
import type { RevisionStore } from './ports.ts';

/** How far references are followed, and how many kustomizations are read at most per commit. */
const MAX_REFERENCE_ROUNDS = 6;
const MAX_KUSTOMIZATIONS = 512;

export async function readKustomizations(store: Pick<RevisionStore, 'readFiles'>, paths: readonly string[], sha: string): Promise<[string, string][]> {
  const read = new Map(await store.readFiles([...kustomizationPathspecs(paths), ...ancestorKustomizationPaths(paths)], sha));
  const asked = new Set(read.keys());
  let fresh: [string, string][] = [...read];
  for (let round = 0; round < MAX_REFERENCE_ROUNDS && fresh.length > 0 && asked.size < MAX_KUSTOMIZATIONS; round++) {
    const next = referencedKustomizationPaths(fresh, asked).slice(0, MAX_KUSTOMIZATIONS - asked.size);
    if (next.length === 0) break;
    for (const path of next) asked.add(path);
    const files = await store.readFiles(next, sha);
    fresh = [...files];
    for (const [path, text] of fresh) read.set(path, text);
  }
  return [...read];
}
