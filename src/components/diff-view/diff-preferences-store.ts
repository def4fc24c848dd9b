import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

export type DiffLayout = 'side-by-side' | 'line-by-line';

export const DIFF_LAYOUTS: readonly { value: DiffLayout; label: string }[] = [
  { value: 'side-by-side', label: 'Side by side' },
  { value: 'line-by-line', label: 'Line by line' },
];

const isDiffLayout = (value: unknown): value is DiffLayout =>
  DIFF_LAYOUTS.some((layout) => layout.value === value);

interface DiffPreferencesState {
  layout: DiffLayout;
  setLayout: (layout: DiffLayout) => void;
}

/** A view preference, not server data: remembered per browser, shared by every diff of the app. */
export const useDiffPreferencesStore = create<DiffPreferencesState>()(
  persist(
    (set) => ({
      layout: 'side-by-side',
      setLayout: (layout) => set({ layout }),
    }),
    {
      name: 'rewind.diff-preferences',
      storage: createJSONStorage(() => localStorage),
      partialize: (state) => ({ layout: state.layout }),
      // Whatever another version (or a person) left in localStorage must not break the diff.
      merge: (persisted, current) => {
        const layout = (persisted as { layout?: unknown } | undefined)?.layout;
        return isDiffLayout(layout) ? { ...current, layout } : current;
      },
    },
  ),
);
