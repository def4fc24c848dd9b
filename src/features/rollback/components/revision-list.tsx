import { useEffect, useRef } from 'react';
import type { Revision } from '#core/schemas.ts';
import { RelativeTime } from '#src/components/relative-time.tsx';
import { CurrentBadge, SourceBadge, StatusBadge } from '#src/components/revision-badges.tsx';

interface RevisionListProps {
  revisions: Revision[];
  selectedSha: string | undefined;
  headSha: string | null;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  onSelect: (revision: Revision) => void;
  onLoadMore: () => void;
}

/**
 * The target's history as one radio group: arrow keys move the choice, one tab stop for the list.
 * Pages are loaded on request (not on scroll), so the list stays a few hundred rows at most.
 */
export function RevisionList(props: RevisionListProps) {
  const { revisions, selectedSha, headSha, hasNextPage, isFetchingNextPage, onSelect, onLoadMore } = props;
  const list = useRef<HTMLDivElement>(null);
  // How many revisions there were when "Load older" was pressed; the first one after them takes focus.
  const loadedBefore = useRef<number | null>(null);
  useEffect(() => {
    const before = loadedBefore.current;
    if (before === null || revisions.length <= before) return;
    loadedBefore.current = null;
    list.current?.querySelectorAll<HTMLInputElement>('input[type="radio"]')[before]?.focus();
  }, [revisions.length]);
  const loadMore = () => {
    if (isFetchingNextPage) return;
    loadedBefore.current = revisions.length;
    onLoadMore();
  };
  return (
    <fieldset className="revision-list">
      <legend>Revision to restore</legend>
      <div className="revision-list__scroll" ref={list}>
        {revisions.map((revision) => {
          const isHead = revision.sha === headSha;
          const id = `revision-${revision.sha}`;
          return (
            <label
              key={revision.sha}
              className={`revision-choice${isHead ? ' revision-choice--head' : ''}`}
              data-testid="revision-choice"
              data-sha={revision.sha}
              data-status={revision.status}
            >
              <input
                type="radio"
                name="revision"
                value={revision.sha}
                checked={selectedSha === revision.sha}
                disabled={isHead}
                onChange={() => onSelect(revision)}
                aria-labelledby={`${id}-name`}
                aria-describedby={`${id}-meta`}
              />
              <span className="revision-choice__main">
                <span id={`${id}-name`} className="revision-choice__summary">
                  <code className="sha" title={revision.sha}>
                    {revision.shortSha}
                  </code>{' '}
                  {revision.summary}
                </span>
                <span id={`${id}-meta`} className="revision-choice__meta">
                  {isHead && <CurrentBadge />}
                  <SourceBadge source={revision.source} />
                  <StatusBadge revision={revision} />
                  <RelativeTime iso={revision.timestamp} />
                  <span className="muted">by {revision.author.name}</span>
                  {revision.services.map((service) => (
                    <span key={service} className="chip">
                      {service}
                    </span>
                  ))}
                </span>
              </span>
            </label>
          );
        })}
      </div>
      {hasNextPage && (
        // aria-disabled, not disabled, while loading: a disabled button drops the focus it has to the page.
        <button type="button" className="button button--small" onClick={loadMore} aria-disabled={isFetchingNextPage}>
          {isFetchingNextPage ? 'Loading older revisions…' : 'Load older revisions'}
        </button>
      )}
    </fieldset>
  );
}
