import { useEffect, useRef } from 'react';
import { renderDiffFragment, type ParsedDiffFile } from './diff2html-render.ts';
import type { DiffLayout } from './diff-preferences-store.ts';
import { enqueueRender } from './render-queue.ts';

/** A small diff as diff2html renders it (with word highlights), inserted as sanitised DOM nodes. */
export function HtmlDiff({ files, layout }: { files: ParsedDiffFile[]; layout: DiffLayout }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    return enqueueRender(() => element.replaceChildren(renderDiffFragment(files, layout)));
  }, [files, layout]);
  return <div ref={ref} className="diff-view__html" data-testid="diff-html" />;
}
