import { useCallback, useMemo, useState } from 'react';
import type { Revision } from '#core/schemas.ts';

export const MAX_SELECTED = 2;

export interface ComparePair {
  from: Revision;
  to: Revision;
  /** true when `from` is the newer one (the person swapped the default order). */
  reversed: boolean;
}

/**
 * Up to two revisions picked in the history for a compare. Kept in the panel, not the grid, so a filter
 * change (which remounts the grid) keeps them. By default the older one is `from`; `swap` reverses that.
 */
export function useCompareSelection(revisions: readonly Revision[]) {
  const [selected, setSelected] = useState<readonly Revision[]>([]);
  const [reversed, setReversed] = useState(false);

  const toggle = useCallback((revision: Revision) => {
    setSelected((previous) => {
      if (previous.some((r) => r.sha === revision.sha)) return previous.filter((r) => r.sha !== revision.sha);
      return previous.length >= MAX_SELECTED ? previous : [...previous, revision];
    });
    setReversed(false);
  }, []);
  const clear = useCallback(() => {
    setSelected([]);
    setReversed(false);
  }, []);
  const swap = useCallback(() => setReversed((value) => !value), []);

  const selectedShas = useMemo(() => new Set(selected.map((r) => r.sha)), [selected]);
  const pair = useMemo<ComparePair | null>(() => {
    const [first, second] = selected;
    if (!first || !second) return null;
    const [older, newer] = byAge(first, second, revisions);
    return reversed ? { from: newer, to: older, reversed } : { from: older, to: newer, reversed };
  }, [selected, reversed, revisions]);

  return { selected, selectedShas, pair, toggle, clear, swap };
}

/** [older, newer] by commit time; on a tie, by place in the (newest first) list; else in picking order. */
function byAge(a: Revision, b: Revision, revisions: readonly Revision[]): [Revision, Revision] {
  const byTime = Date.parse(a.timestamp) - Date.parse(b.timestamp);
  if (byTime !== 0) return byTime < 0 ? [a, b] : [b, a];
  const indexA = revisions.findIndex((r) => r.sha === a.sha);
  const indexB = revisions.findIndex((r) => r.sha === b.sha);
  if (indexA !== -1 && indexB !== -1) return indexA > indexB ? [a, b] : [b, a];
  return [a, b];
}
