/**
 * What reading one version of a manifest leaves for reading another (decision 050): its subtrees by
 * the lines they were read from. Apart from the reader (yaml-plain-values.ts) so that code passing a
 * memo along does not load the reader itself.
 */

/**
 * Where a subtree sits, besides its own lines: a document, a list item (its `- ` line and the lines
 * below it), or the value under a `key:` line (the lines after it), whose key's column decides where it
 * ends.
 */
export const DOCUMENT = 0;
export const ITEM = 1;
export const VALUE = 2;
export type RegionKind = typeof DOCUMENT | typeof ITEM | typeof VALUE;

export interface RegionEntry {
  kind: RegionKind;
  /** The column of the key (VALUE) or of the `-` (ITEM) or of the document's first line. */
  indent: number;
  depth: number;
  /** Nodes counted inside, for the budget. */
  nodes: number;
  value: unknown;
}

/** Subtrees of fewer lines are read again rather than looked up: a lookup costs about as much. */
export const MIN_REGION_LINES = 3;

/**
 * The subtrees read from one text by the lines they were read from (decision 050), so that reading
 * another version of the same file (`reuse`) takes every subtree whose lines it shares, in the same
 * place, from here instead of reading it again, and gets the very same (frozen) objects: the field
 * diff then sees them equal at once. A subtree's value depends only on its lines, the column of the
 * key or `-` that opens it and its depth (the lines after it only decide where it ends, which the
 * reuse finds by the same rule as the reader), so a reused subtree is exactly what reading it would
 * give. Only a text read completely fills it: a declined one leaves it empty.
 */
export class PlainYamlMemo {
  readonly entries = new Map<string, RegionEntry>();
  /** The budget's depth limit the entries were read under (they are reused only under the same). */
  maxDepth = -1;

  get size(): number {
    return this.entries.size;
  }
}

export interface PlainYamlReuse {
  /** Remember the subtrees of this text here. */
  record?: PlainYamlMemo | undefined;
  /** Take the subtrees found here instead of reading them. */
  reuse?: PlainYamlMemo | undefined;
}
