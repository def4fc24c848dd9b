import { useEffect, useRef } from 'react';
import { notInLoadedHistory, versionInHistory } from '#core/version-display.ts';
import type { Revision } from '#core/schemas.ts';
import type { VersionInfo } from '#core/version-schemas.ts';
import { VersionChangeText } from '#src/components/service-version.tsx';
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
  /**
   * The service a service or field rollback restores, with its version now: each row then says what
   * that service would go back to ("payments v2.14.0 → v2.13.14"), not only what the row changed.
   */
  service?: { name: string; current: VersionInfo | undefined };
  /** How many leading `revisions` are the contiguous history (a looked-up revision may follow). */
  contiguous?: number;
}

/**
 * The target's history as one radio group: arrow keys move the choice, one tab stop for the list.
 * Pages are loaded on request (not on scroll), so the list stays a few hundred rows at most.
 */
export function RevisionList(props: RevisionListProps) {
  const { revisions, selectedSha, headSha, hasNextPage, isFetchingNextPage, onSelect, onLoadMore, service } = props;
  const contiguous = props.contiguous ?? revisions.length;
  const restored = (index: number): VersionInfo => {
    const name = service!.name;
    const own = revisions[index]!.versions?.find((v) => v.service === name)?.to;
    const found = index < contiguous ? versionInHistory(revisions.slice(0, contiguous), index, name) : (own ?? null);
    return found ?? notInLoadedHistory(name);
  };
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
        {revisions.map((revision, index) => {
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
                  {service && !isHead && (
                    <span className="chip chip--restore" data-testid="restore-version">
                      <VersionChangeText
                        change={{ service: service.name, from: service.current ?? { known: false, reason: 'the target does not say' }, to: restored(index) }}
                      />
                    </span>
                  )}
                  {revision.services.map((name) => {
                    const change = revision.versions?.find((v) => v.service === name);
                    return (
                      <span key={name} className="chip">
                        {change ? <VersionChangeText change={change} /> : name}
                      </span>
                    );
                  })}
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
