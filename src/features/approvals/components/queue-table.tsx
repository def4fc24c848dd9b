import { Link } from 'react-router';
import { planChangeText } from '#core/plan-change.ts';
import { firstLine, requestTitle } from '#core/request-title.ts';
import type { ListedRequest } from '#core/schemas.ts';
import { countApprovals, quorumOf } from '#core/review-rules.ts';
import { Person } from '#src/components/person.tsx';
import { RelativeTime } from '#src/components/relative-time.tsx';
import { paths } from '#src/lib/paths.ts';

export interface QueueRow {
  request: ListedRequest;
  why?: string;
}

/**
 * Pending requests, one row each, with what an approver needs before opening one (decision 043): the
 * title (mode, service, target, where to), the justification's first line, break-glass and incident
 * marks, who asked and how long ago, the quorum, and a plan that changed since it was requested.
 */
export function QueueTable({ requests, caption }: { requests: QueueRow[]; caption: string }) {
  const showWhy = requests.some((row) => row.why !== undefined);
  return (
    <table className="data-table approvals-table stack-on-phone">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Rollback</th>
          <th scope="col">Requester</th>
          <th scope="col">Waiting</th>
          <th scope="col">Approvals</th>
          {showWhy && <th scope="col">Status</th>}
          <th scope="col">
            <span className="visually-hidden">Open</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {requests.map(({ request, why }) => (
          <tr key={request.id} data-testid="approval-row" data-request-id={request.id}>
            <td data-label="Rollback" className="approvals-table__request">
              <RequestSummary request={request} />
            </td>
            <td data-label="Requester">
              <Person email={request.requestedBy} />
            </td>
            <td data-label="Waiting">
              <RelativeTime iso={request.createdAt} showAbsolute />
            </td>
            <td data-label="Approvals">
              <QuorumProgress request={request} />
            </td>
            {showWhy && (
              <td className="muted" data-label="Status">
                {why}
              </td>
            )}
            <td>
              <Link to={paths.rollbackRequest(request.id)} className="button button--small" aria-label={`Review rollback ${request.id}`}>
                {request.planChange ? 'Open' : 'Review'}
              </Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RequestSummary({ request }: { request: ListedRequest }) {
  const justification = firstLine(request.justification);
  return (
    <>
      <span className="approvals-table__title" data-testid="request-title">
        {requestTitle(request)}
      </span>
      {(request.breakGlass || request.incident) && (
        <span className="approvals-table__marks">
          {request.breakGlass && (
            <span className="badge queue-mark queue-mark--break-glass" data-testid="mark-break-glass">
              Break-glass
            </span>
          )}
          {request.incident && (
            <span className="badge queue-mark queue-mark--incident" data-testid="mark-incident" title={request.incident.url ?? undefined}>
              Incident {request.incident.id ?? 'linked'}
            </span>
          )}
        </span>
      )}
      <span className="approvals-table__justification" data-testid="justification" title={justification.truncated ? request.justification : undefined}>
        “{justification.text}”{justification.truncated && <span className="visually-hidden"> (continues on the request page)</span>}
      </span>
      {request.planChange && (
        <span className="approvals-table__stale" role="note" data-testid="queue-stale-banner">
          <strong>Plan changed since it was requested:</strong> {planChangeText(request.planChange)}. Awaiting{' '}
          <Person email={request.requestedBy} />
          ’s confirmation; nobody can approve it until then.
        </span>
      )}
    </>
  );
}

export function QuorumProgress({ request }: { request: ListedRequest }) {
  const given = countApprovals(request);
  const needed = quorumOf(request);
  const stale = request.reviews.filter((review) => review.stale).length;
  return (
    <span className="quorum" data-testid="quorum">
      <span className="quorum__dots" aria-hidden="true">
        {Array.from({ length: needed }, (_, index) => (
          <span key={index} className={index < given ? 'quorum__dot quorum__dot--given' : 'quorum__dot'} />
        ))}
      </span>
      {given} of {needed}
      {stale > 0 && <span className="muted"> ({stale} dismissed)</span>}
    </span>
  );
}
