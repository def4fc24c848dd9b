import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { supersededBy, type RequestScope } from '#core/request-lifecycle.ts';
import { standingOf } from '#core/request-standing.ts';
import { requestTitle } from '#core/request-title.ts';
import { countApprovals, quorumOf } from '#core/review-rules.ts';
import type { ListedRequest } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { RelativeTime } from '#src/components/relative-time.tsx';
import { Person, usePersonName } from '#src/components/person.tsx';
import { paths } from '#src/lib/paths.ts';
import { openRequestsQueryOptions } from '#src/features/rollback/api/rollback-query-options.ts';

/**
 * Where an open request stands, in words: never a state Rewind does not know. A waiting request whose
 * plan changed awaits its requester's confirmation (decision 043), whatever its approvals.
 */
export function openStateText(request: ListedRequest, requester = request.requestedBy): string {
  if (standingOf(request) === 'awaiting-confirmation') return `awaiting ${requester}'s confirmation: the plan changed`;
  switch (request.state) {
    case 'pending':
      return `pending approval (${countApprovals(request)} of ${quorumOf(request)})`;
    case 'approved':
      return 'approved, about to execute';
    case 'executing':
      return 'executing';
    default:
      return request.state;
  }
}

/**
 * Rollbacks in progress (pending, approved, executing) with links, on the overview (every target) or a
 * target's page (decision 039): nobody starts a second rollback without seeing the first.
 */
export function OpenRequests({ tenant, environment }: { tenant?: string; environment?: string }) {
  const backend = useBackend();
  const open = useQuery(openRequestsQueryOptions(backend, tenant, environment));
  const scoped = tenant !== undefined && environment !== undefined;
  const nameOf = usePersonName();
  const headingId = scoped ? `open-requests-${tenant}-${environment}` : 'open-requests';
  if (open.isPending) return null;
  if (open.isError) {
    return <ErrorState title="Could not load the rollbacks in progress" error={open.error} onRetry={() => void open.refetch()} />;
  }
  const requests = open.data.requests;
  return (
    <section className="panel open-requests" aria-labelledby={headingId} data-testid="open-requests">
      <h2 id={headingId}>
        Rollbacks in progress <span className="count-pill">{requests.length}</span>
      </h2>
      {requests.length === 0 ? (
        <p className="muted">{scoped ? `No rollback of ${tenant}/${environment} is pending or executing.` : 'No rollback is pending or executing.'}</p>
      ) : (
        <ul className="plain-list">
          {requests.map((request) => (
            <li key={request.id} data-testid="open-request" data-standing={standingOf(request)}>
              <Link to={paths.rollbackRequest(request.id)}>{requestTitle(request, { withTarget: !scoped })}</Link> — {openStateText(request, nameOf(request.requestedBy))}, requested
              by <Person email={request.requestedBy} /> <RelativeTime iso={request.createdAt} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * In the wizard: the open requests a submit would supersede (the server's rule, core/request-lifecycle.ts),
 * so nobody replaces a colleague's request without knowing (decision 039).
 */
export function SupersedeWarning({ scope }: { scope: RequestScope | undefined }) {
  const backend = useBackend();
  const open = useQuery({ ...openRequestsQueryOptions(backend, scope?.tenant, scope?.environment), enabled: scope !== undefined });
  const nameOf = usePersonName();
  if (!scope || !open.data) return null;
  const replaced = supersededBy(scope, open.data.requests);
  if (replaced.length === 0) return null;
  return (
    <div className="wizard-warning" data-testid="supersede-warning">
      <p>
        <strong>
          {replaced.length === 1 ? 'A rollback of the same services is already in progress' : `${replaced.length} rollbacks of the same services are already in progress`}
        </strong>
        : submitting this one supersedes {replaced.length === 1 ? 'it' : 'them'} (they will not execute; each links to this one).
      </p>
      <ul className="plain-list">
        {replaced.map((request) => (
          <li key={request.id}>
            <Link to={paths.rollbackRequest(request.id)}>{requestTitle(request, { withTarget: false })}</Link> — {openStateText(request, nameOf(request.requestedBy))}, requested by{' '}
            <Person email={request.requestedBy} />
          </li>
        ))}
      </ul>
    </div>
  );
}
