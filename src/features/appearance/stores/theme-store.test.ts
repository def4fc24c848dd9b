import { afterEach, describe, expect, it } from 'vitest';
import { applyTheme, startThemeSync, useThemeStore } from './theme-store.ts';

afterEach(() => {
  useThemeStore.setState({ theme: 'system' });
  delete document.documentElement.dataset.theme;
  localStorage.clear();
});

describe('theme store', () => {
  it('marks the root for an explicit choice and unmarks it for the system scheme', () => {
    const root = document.createElement('html');
    applyTheme('dark', root);
    expect(root.dataset.theme).toBe('dark');
    applyTheme('system', root);
    expect(root.dataset.theme).toBeUndefined();
  });

  it('applies the choice now and on every change, and remembers it in localStorage', () => {
    useThemeStore.setState({ theme: 'light' });
    const stop = startThemeSync();
    expect(document.documentElement.dataset.theme).toBe('light');
    useThemeStore.getState().setTheme('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(JSON.parse(localStorage.getItem('rewind.theme') ?? '{}')).toMatchObject({ state: { theme: 'dark' } });
    stop();
    useThemeStore.getState().setTheme('light');
    expect(document.documentElement.dataset.theme).toBe('dark');
  });

  it('reads back a remembered choice and ignores one it does not know', async () => {
    localStorage.setItem('rewind.theme', JSON.stringify({ state: { theme: 'dark' }, version: 0 }));
    await useThemeStore.persist.rehydrate();
    expect(useThemeStore.getState().theme).toBe('dark');
    localStorage.setItem('rewind.theme', JSON.stringify({ state: { theme: 'sepia' }, version: 0 }));
    await useThemeStore.persist.rehydrate();
    expect(useThemeStore.getState().theme).toBe('system');
  });
});
