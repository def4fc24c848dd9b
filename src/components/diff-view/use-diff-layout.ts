import { useMediaQuery } from '#src/lib/use-media-query.ts';
import { useDiffPreferencesStore, type DiffLayout } from './diff-preferences-store.ts';

/** Below this width two columns of YAML are each too narrow to read: the CSS breakpoint for phones. */
export const NARROW_QUERY = '(max-width: 760px)';

export function useIsNarrow(): boolean {
  return useMediaQuery(NARROW_QUERY);
}

/** The layout diffs are drawn in: the person's choice, except line by line on a phone. */
export function useDiffLayout(): DiffLayout {
  const chosen = useDiffPreferencesStore((state) => state.layout);
  return useIsNarrow() ? 'line-by-line' : chosen;
}
