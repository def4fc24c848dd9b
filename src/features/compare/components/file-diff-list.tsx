import { useEffect, useState } from 'react';
import { useLocation } from 'react-router';
import { DiffLayoutToggle } from '#src/components/diff-view/diff-layout-toggle.tsx';
import { useDiffLayout } from '#src/components/diff-view/use-diff-layout.ts';
import type { FileGroup } from '#src/features/compare/model/compare-files.ts';
import { CompareFileCard, type ComparePair } from './compare-file-card.tsx';

interface FileDiffListProps {
  pair: ComparePair;
  groups: FileGroup[];
  collapsed: ReadonlySet<string>;
  onToggle: (path: string) => void;
  onCollapseAll: (collapse: boolean) => void;
}

export function FileDiffList({ pair, groups, collapsed, onToggle, onCollapseAll }: FileDiffListProps) {
  const layout = useDiffLayout();
  const files = groups.flatMap((group) => group.files);
  useScrollToHashOnce();

  return (
    <section className="compare-section" aria-labelledby="diff-heading">
      <div className="diff-toolbar">
        <h2 id="diff-heading">Diff</h2>
        <span className="diff-toolbar__spacer" />
        <DiffLayoutToggle />
        <button type="button" className="button button--small" onClick={() => onCollapseAll(false)}>
          Expand all
        </button>
        <button type="button" className="button button--small" onClick={() => onCollapseAll(true)}>
          Collapse all
        </button>
      </div>
      <div className="diff-files">
        {files.map((entry) => (
          <CompareFileCard
            key={entry.file.path}
            entry={entry}
            pair={pair}
            layout={layout}
            expanded={!collapsed.has(entry.file.path)}
            onToggle={() => onToggle(entry.file.path)}
          />
        ))}
      </div>
    </section>
  );
}

/** A shared link to one file (`…/compare?from=&to=#file-…`) lands on it once the diff has rendered. */
function useScrollToHashOnce() {
  const { hash } = useLocation();
  const [initialHash] = useState(hash);
  useEffect(() => {
    if (initialHash.length > 1) document.getElementById(decodeURIComponent(initialHash.slice(1)))?.scrollIntoView();
  }, [initialHash]);
}
