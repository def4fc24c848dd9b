import { useCallback, useState } from 'react';

/** Which files of a compare are collapsed, by path: every file starts expanded. */
export function useCollapsedFiles() {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = useCallback(
    (path: string) =>
      setCollapsed((previous) => {
        const next = new Set(previous);
        if (!next.delete(path)) next.add(path);
        return next;
      }),
    [],
  );
  const reveal = useCallback(
    (path: string) =>
      setCollapsed((previous) => {
        if (!previous.has(path)) return previous;
        const next = new Set(previous);
        next.delete(path);
        return next;
      }),
    [],
  );
  const setAll = useCallback((paths: readonly string[], collapse: boolean) => setCollapsed(new Set(collapse ? paths : [])), []);
  return { collapsed, toggle, reveal, setAll };
}
