import { useEffect, useState } from 'react';

export const SEARCH_DEBOUNCE_MS = 250;

/**
 * Local text for a search box whose committed value lives elsewhere (the URL). Typing commits after a
 * pause; a change of the committed value from outside (clear filters, back button) replaces the text.
 */
export function useDebouncedSearch(committed: string, commit: (value: string) => void) {
  const [text, setText] = useState(committed);
  const [lastCommitted, setLastCommitted] = useState(committed);

  if (committed !== lastCommitted) {
    setLastCommitted(committed);
    // Our own commit echoes back trimmed; keep what is being typed (e.g. a trailing space).
    if (committed !== text.trim()) setText(committed);
  }

  useEffect(() => {
    const value = text.trim();
    if (value === committed) return;
    const timer = setTimeout(() => commit(value), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, committed, commit]);

  return { text, setText, flush: () => commit(text.trim()) };
}
