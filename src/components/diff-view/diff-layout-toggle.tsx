import { useId } from 'react';
import { DIFF_LAYOUTS, useDiffPreferencesStore } from './diff-preferences-store.ts';
import { useIsNarrow } from './use-diff-layout.ts';

/** Absent on a phone: only line by line fits there (see useDiffLayout). */
export function DiffLayoutToggle() {
  const layout = useDiffPreferencesStore((state) => state.layout);
  const setLayout = useDiffPreferencesStore((state) => state.setLayout);
  const name = useId();
  const narrow = useIsNarrow();
  if (narrow) return null;
  return (
    <fieldset className="segmented">
      <legend className="segmented__legend">Layout</legend>
      {DIFF_LAYOUTS.map((option) => (
        <label key={option.value} className="segmented__option">
          <input
            type="radio"
            className="segmented__input"
            name={name}
            value={option.value}
            checked={layout === option.value}
            onChange={() => setLayout(option.value)}
          />
          <span className="segmented__text">{option.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
