import { useId } from 'react';
import { THEME_CHOICES, useThemeStore, type ThemeChoice } from '#src/features/appearance/stores/theme-store.ts';

const LABEL: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };

/** Light, dark, or whatever the system prefers; remembered on this browser. */
export function ThemeSwitcher() {
  const theme = useThemeStore((state) => state.theme);
  const setTheme = useThemeStore((state) => state.setTheme);
  const id = useId();
  return (
    <div className="theme-switcher">
      <label htmlFor={id} className="theme-switcher__label">
        Theme
      </label>
      <select id={id} value={theme} onChange={(event) => setTheme(event.target.value as ThemeChoice)}>
        {THEME_CHOICES.map((choice) => (
          <option key={choice} value={choice}>
            {LABEL[choice]}
          </option>
        ))}
      </select>
    </div>
  );
}
