import { useSyncExternalStore } from 'react';
import { useDiffPreferencesStore, type DiffLayout } from './diff-preferences-store.ts';

/** Below this width two columns of YAML are each too narrow to read: the CSS breakpoint for phones. */
export const NARROW_QUERY = '(max-width: 760px)';

const subscribe = (onChange: () => void) => {
  if (typeof window.matchMedia !== 'function') return () => {};
  const query = window.matchMedia(NARROW_QUERY);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
};
const isNarrow = () => typeof window.matchMedia === 'function' && window.matchMedia(NARROW_QUERY).matches;

export function useIsNarrow(): boolean {
  return useSyncExternalStore(subscribe, isNarrow, () => false);
}

/** The layout diffs are drawn in: the person's choice, except line by line on a phone. */
export function useDiffLayout(): DiffLayout {
  const chosen = useDiffPreferencesStore((state) => state.layout);
  return useIsNarrow() ? 'line-by-line' : chosen;
}
