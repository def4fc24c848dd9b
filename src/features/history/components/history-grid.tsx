import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { Revision } from '#core/schemas.ts';
import { useIsNarrow } from '#src/components/diff-view/use-diff-layout.ts';
import { MAX_SELECTED } from '#src/features/history/hooks/use-compare-selection.ts';
import type { DeployMark } from '#src/features/history/api/deploy-marks.ts';
import { useHistoryCards } from '#src/features/history/hooks/use-history-cards.ts';
import { ACTION_LABELS, ActionsSizer, HistoryLoaderRow, HistoryRow } from './history-row.tsx';

export const ROW_HEIGHT = 52;
export const HEADER_HEIGHT = 36;
/**
 * On a phone (decision 045) each row is a card whose height depends on its text (a wrapped summary,
 * one chip per service): the virtualiser starts from this estimate and measures the rendered cards.
 * The column header is visually hidden there, so it takes no height.
 */
export const PHONE_ROW_ESTIMATE = 190;
/** A tablet's card (decision 053) is wider, so shorter: three lines of columns side by side. */
export const TABLET_ROW_ESTIMATE = 140;
// Start the next page while this many loaded rows are still below the viewport.
const PREFETCH_ROWS = 15;
const PAGE_STEP = 10;

/** Each column's name and the grid area its cells take where the columns are laid out by area (history-tablet.css). */
const COLUMNS = [
  ['Revision', 'revision'],
  ['Timestamp', 'time'],
  ['Author', 'author'],
  ['Changes', 'changes'],
  ['Source', 'source'],
  ['Status', 'status'],
  ['Actions', 'actions'],
] as const;

interface HistoryGridProps {
  label: string;
  revisions: Revision[];
  currentSha: string | null;
  /** What the cluster runs of these rows (decision 017); empty when unknown. */
  deployMarks?: ReadonlyMap<string, DeployMark>;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
  onRollback: (revision: Revision) => void;
  onCompare: (revision: Revision) => void;
  revisionHref: (revision: Revision) => string;
  /** Revisions picked for a two-revision compare (at most MAX_SELECTED). */
  selectedShas: ReadonlySet<string>;
  onToggleSelect: (revision: Revision) => void;
}

export function HistoryGrid(props: HistoryGridProps) {
  const { label, revisions, currentSha, hasNextPage, isFetchingNextPage, fetchNextPage, onRollback, onCompare } = props;
  const { selectedShas, onToggleSelect } = props;
  const selectionFull = selectedShas.size >= MAX_SELECTED;
  const scrollRef = useRef<HTMLDivElement>(null);
  const idPrefix = useId();
  const [activeIndex, setActiveIndex] = useState(0);
  const active = Math.min(activeIndex, revisions.length - 1);
  const phone = useIsNarrow();
  // Cards on phones and tablets (the columns do not fit), the table's fixed rows from 1000 px on.
  const cards = useHistoryCards() || phone;
  const headerHeight = cards ? 0 : HEADER_HEIGHT;

  // The active row stays rendered even when scrolled away, so aria-activedescendant always resolves.
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (active >= 0 && !indexes.includes(active)) indexes.push(active);
      return indexes;
    },
    [active],
  );

  // No React Compiler here: the virtualizer re-renders this component itself, so memoisation is moot.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: revisions.length + (hasNextPage ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => (phone ? PHONE_ROW_ESTIMATE : cards ? TABLET_ROW_ESTIMATE : ROW_HEIGHT),
    getItemKey: (index) => revisions[index]?.sha ?? 'loader',
    overscan: 6,
    scrollMargin: headerHeight,
    scrollPaddingStart: headerHeight,
    rangeExtractor,
    // React 19 warns about flushSync during render; a frame of lag on scroll is invisible here.
    useFlushSync: false,
  });
  // Switching between the table and the cards (a rotated phone or tablet) invalidates every measured height.
  useEffect(() => virtualizer.measure(), [phone, cards, virtualizer]);
  const items = virtualizer.getVirtualItems();
  // Fixed rows on a wide screen (nothing to measure); measured cards on a phone or tablet.
  const measureCard = cards ? virtualizer.measureElement : undefined;
  const lastRendered = items.reduce((max, item) => Math.max(max, item.index), -1);

  // Pages may be short or empty while a cursor remains: keep fetching until the viewport is filled.
  useEffect(() => {
    if (lastRendered >= revisions.length - PREFETCH_ROWS && hasNextPage && !isFetchingNextPage) fetchNextPage();
  }, [lastRendered, revisions.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(index, revisions.length - 1));
    setActiveIndex(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    // Keys pressed on a row's buttons keep their native meaning.
    if (event.target !== event.currentTarget || event.altKey || event.ctrlKey || event.metaKey) return;
    const keyActions: Record<string, () => void> = {
      ArrowDown: () => moveTo(active + 1),
      j: () => moveTo(active + 1),
      ArrowUp: () => moveTo(active - 1),
      k: () => moveTo(active - 1),
      PageDown: () => moveTo(active + PAGE_STEP),
      PageUp: () => moveTo(active - PAGE_STEP),
      Home: () => moveTo(0),
      End: () => moveTo(revisions.length - 1),
      Enter: () => {
        const revision = revisions[active];
        if (revision && revision.sha !== currentSha) onCompare(revision);
      },
      ' ': () => {
        const revision = revisions[active];
        if (revision && (selectedShas.has(revision.sha) || !selectionFull)) onToggleSelect(revision);
      },
    };
    const action = keyActions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };

  const rowId = (sha: string) => `${idPrefix}-row-${sha}`;
  const activeRevision = revisions[active];

  return (
    <div
      ref={scrollRef}
      role="grid"
      aria-label={label}
      // Rows loaded so far plus the header. The cursor API never tells the total, and -1 ("unknown")
      // would tell a screen reader nothing; the count grows as older pages load.
      aria-rowcount={revisions.length + 1}
      aria-colcount={COLUMNS.length}
      aria-activedescendant={activeRevision ? rowId(activeRevision.sha) : undefined}
      aria-busy={isFetchingNextPage || undefined}
      tabIndex={0}
      className={`history-grid${cards ? ' history-grid--cards' : ''}`}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className={`history-grid__head${cards ? ' history-cards-head' : ''}`}>
        <div role="row" aria-rowindex={1} className="history-row history-row--head" style={{ height: HEADER_HEIGHT }}>
          {COLUMNS.map(([column, area]) => (
            <div key={column} role="columnheader" className="history-cell" data-column={area}>
              {column}
              {column === 'Actions' && <ActionsSizer className="history-actions-sizer" labels={ACTION_LABELS} />}
            </div>
          ))}
        </div>
      </div>
      <div role="rowgroup" className="history-grid__body" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const style = { height: cards ? undefined : ROW_HEIGHT, transform: `translateY(${item.start - headerHeight}px)` };
          const revision = revisions[item.index];
          if (!revision) return <HistoryLoaderRow key={item.key} rowIndex={item.index + 2} style={style} index={item.index} measureCard={measureCard} />;
          return (
            <HistoryRow
              key={item.key}
              index={item.index}
              measureCard={measureCard}
              id={rowId(revision.sha)}
              revision={revision}
              detailsHref={props.revisionHref(revision)}
              rowIndex={item.index + 2}
              isCurrent={revision.sha === currentSha}
              deployMark={props.deployMarks?.get(revision.sha)}
              isActive={item.index === active}
              style={style}
              onActivate={() => setActiveIndex(item.index)}
              onRollback={() => onRollback(revision)}
              onCompare={() => onCompare(revision)}
              isSelected={selectedShas.has(revision.sha)}
              canSelect={selectedShas.has(revision.sha) || !selectionFull}
              onToggleSelect={() => onToggleSelect(revision)}
            />
          );
        })}
      </div>
    </div>
  );
}
