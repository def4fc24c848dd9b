import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { RollbackRequest } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { WithPeople } from '#src/components/person.tsx';
import { RevealedText } from '#src/components/revealed-text.tsx';
import { paths } from '#src/lib/paths.ts';
import { formatAbsolute } from '#src/lib/time.ts';
import { buildTimeline, timelineFromRequest } from '#src/features/rollback/api/request-timeline.ts';
import { requestAuditQueryOptions } from '#src/features/rollback/api/rollback-query-options.ts';

/** The request's history from the audit trail, with times (UTC), break-glass flagged. */
export function RequestTimeline({ request }: { request: RollbackRequest }) {
  const backend = useBackend();
  const audit = useQuery(requestAuditQueryOptions(backend, request));
  const entries = audit.data ? buildTimeline(request, audit.data.events) : timelineFromRequest(request);

  return (
    <section className="panel request-section" aria-labelledby="request-timeline">
      <h2 id="request-timeline">Timeline</h2>
      <ol className="timeline" data-testid="timeline">
        {entries.map((entry) => (
          <li key={entry.key} className={`timeline__entry timeline__entry--${entry.step}${entry.current ? ' timeline__entry--current' : ''}`} data-step={entry.step}>
            <span className="timeline__marker" aria-hidden="true" />
            <span className="timeline__title">
              <WithPeople text={entry.title} />
            </span>
            {entry.breakGlass && (
              <span className="badge badge--break-glass">
                <span aria-hidden="true">⚠ </span>Break-glass
              </span>
            )}
            {entry.at ? (
              <time className="timeline__time" dateTime={entry.at}>
                {formatAbsolute(entry.at)}
              </time>
            ) : (
              entry.current && <span className="timeline__time">now</span>
            )}
            {entry.detail && <RevealedText as="span" className="timeline__detail" text={entry.detail} />}
          </li>
        ))}
      </ol>
      {audit.isError && <p className="muted">The audit trail could not be read ({audit.error.message}); this timeline is from the request alone.</p>}
      {audit.data?.partial && <p className="muted">This request's audit trail is very long: its oldest events were not read.</p>}
      <p className="timeline__more">
        <Link to={paths.requestAudit(request.id)}>Audit trail of this request</Link>
      </p>
    </section>
  );
}
