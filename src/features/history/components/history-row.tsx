import type { CSSProperties } from 'react';
import { Link } from 'react-router';
import type { Revision } from '#core/schemas.ts';
import { RelativeTime } from '#src/components/relative-time.tsx';
import { shortSha } from '#src/lib/sha.ts';
import { CurrentBadge, SourceBadge, StatusBadge } from '#src/components/revision-badges.tsx';
import '#src/components/cluster-status.css';
import type { DeployMark } from '#src/features/history/api/deploy-marks.ts';
import { VersionChangeText } from '#src/components/service-version.tsx';
import { Person } from '#src/components/person.tsx';

/** The virtualiser's measuring ref (phone cards, whose height varies), with the row's `data-index`. */
type MeasureCard = ((element: HTMLElement | null) => void) | undefined;

interface HistoryRowProps {
  id: string;
  index: number;
  measureCard?: MeasureCard;
  /** Where the row's "Details" goes. */
  detailsHref: string;
  revision: Revision;
  rowIndex: number;
  isCurrent: boolean;
  deployMark?: DeployMark | undefined;
  isActive: boolean;
  style: CSSProperties;
  onActivate: () => void;
  onRollback: () => void;
  onCompare: () => void;
  isSelected: boolean;
  /** false once two other revisions are selected. */
  canSelect: boolean;
  onToggleSelect: () => void;
}

const DEPLOY_LABEL: Record<DeployMark, { text: string; title: string; className: string }> = {
  live: { text: 'live', title: 'The cluster runs this revision (as the agent reports)', className: 'chip chip--live' },
  'not-deployed': { text: 'not deployed yet', title: 'On the branch, not applied by the agent yet', className: 'chip chip--not-deployed' },
  'failed-deploy': { text: 'failed to deploy', title: 'The agent tried to apply this revision and failed', className: 'chip chip--failed-deploy' },
};

function DeployChip({ mark }: { mark: DeployMark }) {
  const { text, title, className } = DEPLOY_LABEL[mark];
  return (
    <span className={className} title={title} data-testid="deploy-mark">
      {text}
    </span>
  );
}

export function HistoryRow(props: HistoryRowProps) {
  const { id, revision, rowIndex, isCurrent, isActive, style, onActivate, onRollback, onCompare } = props;
  const { isSelected, canSelect, onToggleSelect, measureCard } = props;
  const short = revision.shortSha;
  // Only the active row's buttons are in the tab order: the list stays one tab stop plus its actions.
  const tabIndex = isActive ? 0 : -1;

  return (
    <div
      id={id}
      role="row"
      aria-rowindex={rowIndex}
      className={`history-row${isActive ? ' history-row--active' : ''}${isCurrent ? ' history-row--current' : ''}${isSelected ? ' history-row--selected' : ''}`}
      data-testid="history-row"
      data-sha={revision.sha}
      data-active={isActive || undefined}
      data-status={revision.status}
      data-selected={isSelected || undefined}
      data-index={props.index}
      ref={measureCard}
      style={style}
      onClick={onActivate}
    >
      <div role="gridcell" className="history-cell history-cell--revision">
        {/* Not a tab stop of its own: the grid stays one tab stop, and Space on the active row toggles it. */}
        <input
          type="checkbox"
          className="history-select"
          tabIndex={-1}
          aria-label={`Select revision ${short} for compare`}
          checked={isSelected}
          disabled={!canSelect}
          onChange={onToggleSelect}
        />
        <code className="sha" title={revision.sha}>
          {short}
        </code>
        {isCurrent && <CurrentBadge />}
        {props.deployMark && <DeployChip mark={props.deployMark} />}
      </div>
      <div role="gridcell" className="history-cell history-cell--time">
        <RelativeTime iso={revision.timestamp} showAbsolute />
      </div>
      <div role="gridcell" className="history-cell history-cell--author" title={`${revision.author.name} <${revision.author.email}>`}>
        <span className="history-cell__label">by </span>
        <Person email={revision.author.email} fallback={revision.author.name} />
      </div>
      <div role="gridcell" className="history-cell history-cell--changes">
        <span className="history-summary" title={revision.summary}>
          {revision.summary}
        </span>
        <span className="chips">
          {revision.services.length === 0 && <span className="chip chip--muted">target config</span>}
          {revision.services.map((service) => {
            const change = revision.versions?.find((v) => v.service === service);
            return (
              <span key={service} className="chip">
                {change ? <VersionChangeText change={change} /> : service}
              </span>
            );
          })}
          {revision.rollback && (
            <span className="history-rollback-meta">
              restores <code className="sha" title={revision.rollback.targetSha}>{shortSha(revision.rollback.targetSha)}</code>{' '}
              ({revision.rollback.mode})
            </span>
          )}
        </span>
      </div>
      <div role="gridcell" className="history-cell history-cell--source">
        <SourceBadge source={revision.source} />
      </div>
      <div role="gridcell" className="history-cell history-cell--status">
        <StatusBadge revision={revision} />
      </div>
      <div role="gridcell" className="history-cell history-cell--actions">
        {/* The branch head cannot be rolled back to or compared with itself: a blank of the same width keeps its Details under the others. */}
        {isCurrent && <ActionsSizer className="history-actions-spacer" labels={['Rollback', 'Compare']} />}
        {!isCurrent && (
          <>
            <button
              type="button"
              className="button button--small button--danger-outline"
              tabIndex={tabIndex}
              aria-label={`Rollback to revision ${short}`}
              onClick={onRollback}
            >
              Rollback
            </button>
            <button
              type="button"
              className="button button--small"
              tabIndex={tabIndex}
              aria-label={`Compare revision ${short} with current`}
              onClick={onCompare}
            >
              Compare
            </button>
          </>
        )}
        {/* Every row, the current (perhaps failed) one included, opens its details and actions. */}
        <Link
          className="button button--small button--quiet"
          to={props.detailsHref}
          tabIndex={tabIndex}
          aria-label={`Details of revision ${short}`}
          onClick={(event) => event.stopPropagation()}
        >
          Details
        </Link>
      </div>
    </div>
  );
}

/**
 * Invisible copies of action buttons (decision 048). Every row is its own grid (the virtualiser places
 * rows absolutely), so a `max-content` Actions column is only as wide as each row's own buttons: the
 * header and the branch head's row carry these blanks so that every row's column gets the same width,
 * the width of the buttons in whatever font the browser uses. Their labels exist only as CSS-generated
 * content, so the row's text (what a search, a test or a copy sees) has no phantom "Rollback".
 */
export function ActionsSizer({ className, labels }: { className: string; labels: readonly string[] }) {
  return (
    <span className={className} aria-hidden="true">
      {/* The label is drawn by CSS (content: attr(data-label)): no text in the DOM for a search or a test to find. */}
      {labels.map((label) => (
        <span key={label} className="button button--small" data-label={label} />
      ))}
    </span>
  );
}

export const ACTION_LABELS = ['Rollback', 'Compare', 'Details'] as const;

export function HistoryLoaderRow({ rowIndex, style, index, measureCard }: { rowIndex: number; style: CSSProperties; index: number; measureCard?: MeasureCard }) {
  return (
    <div role="row" aria-rowindex={rowIndex} className="history-row history-row--loader" style={style} data-index={index} ref={measureCard}>
      <div role="gridcell" aria-colspan={7} className="history-cell">
        <span className="spinner" aria-hidden="true" /> Loading older revisions…
      </div>
    </div>
  );
}
