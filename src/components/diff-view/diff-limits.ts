/**
 * When a diff renders by itself, waits behind "Load diff", or is only offered as a download
 * (docs/decisions/008-compare-view.md). Sizes are counted on the patch text: lines, and characters
 * (about bytes for manifests; the exact UTF-8 length would cost a pass over every patch).
 */
export const DIFF_LIMITS = {
  /** Beyond this a file waits behind "Load diff"... */
  loadOnRequestLines: 400,
  loadOnRequestChars: 20 * 1024,
  /** ...and beyond this it is not rendered at all, only offered as a patch download. */
  downloadOnlyLines: 20_000,
  downloadOnlyChars: 500 * 1024,
  /** Lines rendered without a click over a whole page; further files wait behind "Load diff". */
  pageBudgetLines: 1_000,
  /** diff2html's own bounds: a file past them is replaced by DIFF_TOO_BIG_MESSAGE. */
  maxChanges: 20_000,
  maxLineLength: 10_000,
} as const;

/**
 * diff2html inserts this message as HTML without escaping, so it must stay a constant: never build it
 * from anything a manifest or a file name could contain.
 */
export const DIFF_TOO_BIG_MESSAGE = 'This diff is too big to show here: download the patch to review it.';

export type DiffSizeClass = 'small' | 'large' | 'huge';

export interface PatchSize {
  lines: number;
  chars: number;
  sizeClass: DiffSizeClass;
}

export function measurePatch(patch: string): PatchSize {
  let lines = 0;
  for (let at = patch.indexOf('\n'); at !== -1; at = patch.indexOf('\n', at + 1)) lines++;
  if (patch.length > 0 && !patch.endsWith('\n')) lines++;
  const chars = patch.length;
  let sizeClass: DiffSizeClass = 'small';
  if (lines > DIFF_LIMITS.downloadOnlyLines || chars > DIFF_LIMITS.downloadOnlyChars) sizeClass = 'huge';
  else if (lines > DIFF_LIMITS.loadOnRequestLines || chars > DIFF_LIMITS.loadOnRequestChars) sizeClass = 'large';
  return { lines, chars, sizeClass };
}

/**
 * Which small diffs of a page render without a click: in page order, while the lines rendered so far
 * stay within the budget. A compare of hundreds of small files thus mounts a bounded number of rows.
 */
export function planAutoLoad(sizes: readonly PatchSize[], budget: number = DIFF_LIMITS.pageBudgetLines): boolean[] {
  let spent = 0;
  return sizes.map((size) => {
    if (size.sizeClass !== 'small' || spent + size.lines > budget) return false;
    spent += size.lines;
    return true;
  });
}

export function formatSize(chars: number): string {
  if (chars < 1024) return `${chars} B`;
  if (chars < 1024 * 1024) return `${(chars / 1024).toFixed(chars < 10 * 1024 ? 1 : 0)} KB`;
  return `${(chars / (1024 * 1024)).toFixed(1)} MB`;
}
