import { Link } from 'react-router';
import type { AuditEvent } from '#core/schemas.ts';
import { RevealedText } from '#src/components/revealed-text.tsx';
import { paths } from '#src/lib/paths.ts';
import { formatAbsolute } from '#src/lib/time.ts';
import { auditTypeLabel, summarizeAuditEvent } from '#src/features/audit/model/audit-event-summary.ts';
import { Person } from '#src/components/person.tsx';

interface AuditEventRowProps {
  event: AuditEvent;
  expanded: boolean;
  onToggle: () => void;
  detailsId: string;
}

/** One event: when, what, who, where; break-glass flagged in words and an icon, not by colour alone. */
export function AuditEventRow({ event, expanded, onToggle, detailsId }: AuditEventRowProps) {
  // A closed break-glass session names every target it touched (decision 037).
  const target = event.tenant ? `${event.tenant}/${event.environment ?? '*'}` : event.targets?.length ? event.targets.join(', ') : '—';
  const summary = summarizeAuditEvent(event);
  return (
    <div className={event.breakGlass ? 'audit-event audit-event--break-glass' : 'audit-event'}>
      <div className="audit-event__line">
        <time className="audit-event__time" dateTime={event.at}>
          {formatAbsolute(event.at)}
        </time>
        <span className="audit-event__type">
          <span className={`audit-type audit-type--${event.type.split('.')[0] ?? 'other'}`} data-testid="audit-type">
            {auditTypeLabel(event.type)}
          </span>
          {event.breakGlass && (
            <span className="badge badge--break-glass" data-testid="break-glass-flag">
              <span aria-hidden="true">⚠ </span>Break-glass
            </span>
          )}
        </span>
        <span className="audit-event__actor"><Person email={event.actor} /></span>
        <span className="audit-event__target">{target}</span>
        <span className="audit-event__summary">
          {event.requestId && (
            <>
              <Link to={paths.rollbackRequest(event.requestId)}>{event.requestId}</Link>
              {summary ? ': ' : ''}
            </>
          )}
          {summary}
        </span>
        <button
          type="button"
          className="button button--small button--quiet audit-event__toggle"
          aria-expanded={expanded}
          aria-controls={expanded ? detailsId : undefined}
          onClick={onToggle}
          aria-label={`${expanded ? 'Hide details' : 'Details'} of event ${event.id}`}
        >
          {expanded ? 'Hide details' : 'Details'}
        </button>
      </div>
      {expanded && (
        <div id={detailsId} className="audit-event__details">
          <dl className="facts">
            <dt>Event</dt>
            <dd>
              <code>{event.id}</code> · <code>{event.type}</code>
            </dd>
            <dt>Break-glass</dt>
            <dd>{event.breakGlass ? 'Yes: this happened under a break-glass session' : 'No'}</dd>
          </dl>
          {/* Details are stored user input (justifications, comments): inert text, hidden characters shown. */}
          <RevealedText as="pre" className="audit-event__json" text={JSON.stringify(event.details, null, 2)} />
        </div>
      )}
    </div>
  );
}
