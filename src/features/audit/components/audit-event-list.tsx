import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useRef, useState } from 'react';
import type { AuditEvent } from '#core/schemas.ts';
import { AuditEventRow } from './audit-event-row.tsx';

export const AUDIT_ROW_ESTIMATE = 44;
// Start the next page while this many loaded events are still below the viewport.
const PREFETCH_ROWS = 20;

interface AuditEventListProps {
  events: AuditEvent[];
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
}

/**
 * The events, virtualised: a few dozen rows are in the DOM whatever was loaded. Rows measure
 * themselves, since an expanded one is taller; scrolling near the end loads the next page by cursor.
 */
export function AuditEventList({ events, hasNextPage, isFetchingNextPage, fetchNextPage }: AuditEventListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const idPrefix = useId();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer re-renders this component itself
  const virtualizer = useVirtualizer({
    count: events.length + (hasNextPage ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => AUDIT_ROW_ESTIMATE,
    getItemKey: (index) => events[index]?.id ?? 'loader',
    overscan: 8,
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const lastRendered = items.reduce((max, item) => Math.max(max, item.index), -1);

  useEffect(() => {
    if (lastRendered >= events.length - PREFETCH_ROWS && hasNextPage && !isFetchingNextPage) fetchNextPage();
  }, [lastRendered, events.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const toggle = (id: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    // A focusable, named scroll box: keyboard users can scroll it (axe: scrollable-region-focusable).
    <div
      ref={scrollRef}
      className="audit-list"
      // A short list is as tall as its rows; a long one scrolls inside the viewport-sized box.
      style={{ height: `min(${virtualizer.getTotalSize() + 2}px, 70vh, 720px)` }}
      tabIndex={0}
      role="region"
      aria-label="Audit events"
      data-testid="audit-list"
    >
      <ul className="audit-list__rows" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const event = events[item.index];
          return (
            <li
              key={item.key}
              ref={virtualizer.measureElement}
              data-index={item.index}
              className="audit-list__row"
              style={{ transform: `translateY(${item.start}px)` }}
              aria-setsize={hasNextPage ? -1 : events.length}
              aria-posinset={item.index + 1}
              data-testid={event ? 'audit-row' : 'audit-loader'}
              data-type={event?.type}
              data-request-id={event?.requestId}
            >
              {event ? (
                <AuditEventRow
                  event={event}
                  expanded={expanded.has(event.id)}
                  onToggle={() => toggle(event.id)}
                  detailsId={`${idPrefix}-${event.id}`}
                />
              ) : (
                <p className="audit-list__loader" role="status">
                  {isFetchingNextPage ? 'Loading older events…' : 'More events below'}
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
