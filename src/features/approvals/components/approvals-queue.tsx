import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { RollbackRequest, Target } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { RelativeTime } from '#src/components/relative-time.tsx';
import { countApprovals, mayReviewSomewhere, quorumOf, type Reviewer } from '#core/review-rules.ts';
import { paths } from '#src/lib/paths.ts';
import { shortSha } from '#src/lib/sha.ts';
import { useNow } from '#src/lib/use-now.ts';
import { pendingRequestsQueryOptions } from '#src/features/approvals/api/approvals-query-options.ts';
import { buildReviewQueue, type QueuedRequest } from '#src/features/approvals/model/review-queue.ts';
import '#src/features/approvals/approvals.css';

interface ApprovalsQueueProps {
  /** Who is looking (from `/api/me`); undefined while it loads. */
  reviewer: Reviewer | undefined;
  /** For each target's self-approval rule; undefined while loading (then self-approval counts as blocked). */
  targets: Target[] | undefined;
}

export function ApprovalsQueue({ reviewer, targets }: ApprovalsQueueProps) {
  const backend = useBackend();
  const pending = useQuery(pendingRequestsQueryOptions(backend));
  const now = useNow();

  if (pending.isPending || !reviewer) {
    return (
      <p className="loading" role="status" aria-busy="true">
        Loading pending rollbacks…
      </p>
    );
  }
  if (pending.isError) {
    return <ErrorState title="Could not load pending rollbacks" error={pending.error} onRetry={() => void pending.refetch()} />;
  }

  const queue = buildReviewQueue(pending.data.requests, reviewer, targets, now);
  // Unknown targets: assume the approver may (the server answers); they carry their role lists (decision 039).
  const mayApprove = targets ? mayReviewSomewhere(targets.map((t) => t.policy), reviewer.user) : true;
  return (
    <>
      <section className="panel approvals-section" aria-labelledby="to-review-heading">
        <h2 id="to-review-heading">
          Waiting for your review <span className="count-pill">{queue.toReview.length}</span>
        </h2>
        {queue.toReview.length === 0 ? (
          <div className="empty-state" role="status" data-testid="approvals-empty">
            <p>Nothing waits for your review.</p>
            <p className="muted">
              {mayApprove
                ? 'New requests appear here as soon as they are submitted.'
                : `Reviewing needs the ${[...new Set(targets?.flatMap((t) => t.policy.approvers))].join(' or ')} role; ${reviewer.user.name} has ${reviewer.user.roles.join(', ') || 'no roles'}.`}
            </p>
          </div>
        ) : (
          <QueueTable requests={queue.toReview.map((request) => ({ request }))} caption="Pending rollbacks you may review, newest first" />
        )}
      </section>
      {queue.others.length > 0 && (
        <section className="panel approvals-section" aria-labelledby="others-heading">
          <h2 id="others-heading">
            Other pending rollbacks <span className="count-pill">{queue.others.length}</span>
          </h2>
          <p className="muted">Waiting for someone else: your own requests, ones you already reviewed, or ones your roles cannot review.</p>
          <QueueTable requests={queue.others.map(({ request, eligibility }) => ({ request, why: whyNot(eligibility) }))} caption="Other pending rollbacks, newest first" />
        </section>
      )}
      {pending.data.truncated && (
        <p className="wizard-warning">Only the newest {pending.data.requests.length} pending requests are listed.</p>
      )}
    </>
  );
}

function whyNot(eligibility: QueuedRequest['eligibility']): string {
  switch (eligibility.kind) {
    case 'own':
      return 'Your request';
    case 'reviewed':
      return eligibility.reason.replace(' this request.', '');
    case 'no-role':
      return 'Needs an approver';
    default:
      return '';
  }
}

interface QueueRow {
  request: RollbackRequest;
  why?: string;
}

const MODE_LABEL = { full: 'Full', service: 'Service', field: 'Field' } as const;

function QueueTable({ requests, caption }: { requests: QueueRow[]; caption: string }) {
  const showWhy = requests.some((row) => row.why !== undefined);
  return (
    <table className="data-table approvals-table stack-on-phone">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Requested</th>
          <th scope="col">Target</th>
          <th scope="col">Scope</th>
          <th scope="col">Affected services</th>
          <th scope="col">Requester</th>
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
            <td data-label="Requested">
              <RelativeTime iso={request.createdAt} />
            </td>
            <td data-label="Target">
              {request.tenant}/{request.environment}
            </td>
            <td data-label="Scope">
              {MODE_LABEL[request.mode]}
              {request.service ? ` · ${request.service}` : ''}
              <span className="muted"> → {shortSha(request.targetSha)}</span>
            </td>
            <td data-label="Affected services">
              {request.affectedServices.length > 0 ? request.affectedServices.join(', ') : <span className="muted">none</span>}
            </td>
            <td data-label="Requester">{request.requestedBy}</td>
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
                Review
              </Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function QuorumProgress({ request }: { request: RollbackRequest }) {
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
