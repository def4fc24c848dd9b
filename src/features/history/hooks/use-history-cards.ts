import { useMediaQuery } from '#src/lib/use-media-query.ts';

/**
 * Below this width the history's seven columns do not fit beside each other (decision 053): its rows
 * become cards, on phones (decision 045) and on tablets. The CSS breakpoints in target-phone.css and
 * history-tablet.css must match.
 */
export const HISTORY_CARDS_QUERY = '(max-width: 999px)';

export function useHistoryCards(): boolean {
  return useMediaQuery(HISTORY_CARDS_QUERY);
}
