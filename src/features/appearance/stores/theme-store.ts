import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

/** `system` follows `prefers-color-scheme`; the other two override it on this browser. */
export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

interface ThemeState {
  theme: ThemeChoice;
  setTheme: (theme: ThemeChoice) => void;
}

export const useThemeStore = create<ThemeState>()(
  persist(
    (set) => ({
      theme: 'system',
      setTheme: (theme) => set({ theme }),
    }),
    {
      name: 'rewind.theme',
      storage: createJSONStorage(() => localStorage),
      partialize: (state) => ({ theme: state.theme }),
      // A value another version wrote, or someone edited, is not a theme: fall back to the system's.
      merge: (persisted, current) => {
        const theme = (persisted as { theme?: unknown } | undefined)?.theme;
        return { ...current, theme: THEME_CHOICES.includes(theme as ThemeChoice) ? (theme as ThemeChoice) : 'system' };
      },
    },
  ),
);

/** The stylesheet reads `data-theme` on the root: absent means the system's scheme. */
export function applyTheme(theme: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
}

/** Applies the remembered choice now (before the first paint) and every later one. */
export function startThemeSync(): () => void {
  applyTheme(useThemeStore.getState().theme);
  return useThemeStore.subscribe((state) => applyTheme(state.theme));
}
