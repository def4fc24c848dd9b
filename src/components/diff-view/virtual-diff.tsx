import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef, type CSSProperties } from 'react';
import { buildDiffRows, type CodeLine, type DiffRow } from './diff-rows.ts';
import type { ParsedDiffFile } from './diff2html-render.ts';
import type { DiffLayout } from './diff-preferences-store.ts';

export const DIFF_ROW_HEIGHT = 20;
const OVERSCAN = 30;

interface VirtualDiffProps {
  files: ParsedDiffFile[];
  layout: DiffLayout;
  label: string;
}

/**
 * A long diff, row by row in a bounded scroll box: only the rows in view (plus overscan) are mounted,
 * whatever the patch length. Rows have one fixed height and never wrap; long lines scroll sideways.
 */
export function VirtualDiff({ files, layout, label }: VirtualDiffProps) {
  const { rows, longestLine } = useMemo(() => buildDiffRows(files, layout), [files, layout]);
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer re-renders this component itself
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => DIFF_ROW_HEIGHT,
    overscan: OVERSCAN,
    useFlushSync: false,
  });
  const columns = layout === 'side-by-side' ? `calc(2 * (${longestLine}ch + 7em))` : `calc(${longestLine}ch + 10em)`;

  return (
    <div
      ref={scrollRef}
      className={`virtual-diff virtual-diff--${layout}`}
      tabIndex={0}
      role="group"
      aria-label={label}
      data-virtual-diff=""
    >
      <div className="virtual-diff__canvas" style={{ height: virtualizer.getTotalSize(), minWidth: columns }}>
        {virtualizer.getVirtualItems().map((item) => (
          <DiffRowView key={item.key} row={rows[item.index]!} start={item.start} />
        ))}
      </div>
    </div>
  );
}

const DiffRowView = memo(function DiffRowView({ row, start }: { row: DiffRow; start: number }) {
  const style: CSSProperties = { transform: `translateY(${start}px)` };
  if (row.kind === 'hunk') {
    return (
      <div className="vd-row vd-row--hunk d2h-info" style={style} data-diff-row="">
        {row.text}
      </div>
    );
  }
  if (row.kind === 'line') {
    const { line } = row;
    return (
      <div className={`vd-row vd-row--unified ${LINE_CLASS[line.kind]}`} style={style} data-diff-row="">
        <span className="vd-num">{line.oldNumber}</span>
        <span className="vd-num">{line.newNumber}</span>
        <LineText line={line} />
      </div>
    );
  }
  return (
    <div className="vd-row vd-row--split" style={style} data-diff-row="">
      <HalfRow line={row.left} side="old" />
      <HalfRow line={row.right} side="new" />
    </div>
  );
});

const LINE_CLASS = { context: 'd2h-cntx', insert: 'd2h-ins', delete: 'd2h-del' } as const;
const PREFIX = { context: ' ', insert: '+', delete: '-' } as const;

function HalfRow({ line, side }: { line: CodeLine | null; side: 'old' | 'new' }) {
  if (!line) return <div className="vd-half vd-half--empty" />;
  return (
    <div className={`vd-half ${LINE_CLASS[line.kind]}`}>
      <span className="vd-num">{side === 'old' ? line.oldNumber : line.newNumber}</span>
      <LineText line={line} />
    </div>
  );
}

function LineText({ line }: { line: CodeLine }) {
  return (
    <>
      <span className="vd-prefix" aria-hidden="true">
        {PREFIX[line.kind]}
      </span>
      <span className="vd-text">{line.text}</span>
    </>
  );
}
