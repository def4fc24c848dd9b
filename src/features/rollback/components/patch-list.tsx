import { useId, useMemo, useState } from 'react';
import type { FileDiff } from '#core/schemas.ts';
import { DiffFileCard } from '#src/components/diff-view/diff-file-card.tsx';
import { DiffLayoutToggle } from '#src/components/diff-view/diff-layout-toggle.tsx';
import { measurePatch, planAutoLoad } from '#src/components/diff-view/diff-limits.ts';
import { useDiffLayout } from '#src/components/diff-view/use-diff-layout.ts';

/**
 * The text diff of every file through the shared DiffView: small files render at once within the
 * page budget, large ones wait behind "Load diff", huge ones are offered as a download. Manifest text
 * is attacker-controlled; DiffView keeps it inert.
 */
export function PatchList({ files }: { files: FileDiff[] }) {
  const idPrefix = useId();
  const layout = useDiffLayout();
  const sizes = useMemo(() => files.map((file) => measurePatch(file.patch)), [files]);
  const autoLoad = useMemo(() => planAutoLoad(sizes), [sizes]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());

  const toggle = (path: string) =>
    setCollapsed((previous) => {
      const next = new Set(previous);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });

  return (
    <div className="patch-list">
      <div className="patch-list__toolbar">
        <DiffLayoutToggle />
      </div>
      {files.map((file, index) => (
        <DiffFileCard
          key={file.path}
          id={`${idPrefix}-file-${index}`}
          file={file}
          layout={layout}
          expanded={!collapsed.has(file.path)}
          onToggle={() => toggle(file.path)}
          autoLoad={autoLoad[index]}
          size={sizes[index]}
        />
      ))}
    </div>
  );
}
