import { useSyncExternalStore } from 'react';

/**
 * Below this width the history's seven columns do not fit beside each other (decision 053): its rows
 * become cards, on phones (decision 045) and on tablets. The CSS breakpoints in target-phone.css and
 * history-tablet.css must match.
 */
export const HISTORY_CARDS_QUERY = '(max-width: 999px)';

const subscribe = (onChange: () => void) => {
  if (typeof window.matchMedia !== 'function') return () => {};
  const query = window.matchMedia(HISTORY_CARDS_QUERY);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
};
const matches = () => typeof window.matchMedia === 'function' && window.matchMedia(HISTORY_CARDS_QUERY).matches;

export function useHistoryCards(): boolean {
  return useSyncExternalStore(subscribe, matches, () => false);
}
