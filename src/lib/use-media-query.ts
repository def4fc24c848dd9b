import { useSyncExternalStore } from 'react';

/**
 * Whether a CSS media query matches now, following it as the window changes; false where
 * `matchMedia` does not exist (jsdom without a stub, the server).
 */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      if (typeof window.matchMedia !== 'function') return () => {};
      const list = window.matchMedia(query);
      list.addEventListener('change', onChange);
      return () => list.removeEventListener('change', onChange);
    },
    () => typeof window.matchMedia === 'function' && window.matchMedia(query).matches,
    () => false,
  );
}
