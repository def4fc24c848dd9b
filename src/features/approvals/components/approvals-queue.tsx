import { useQuery } from '@tanstack/react-query';
import type { Target } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { mayReviewSomewhere, type Reviewer } from '#core/review-rules.ts';
import { useNow } from '#src/lib/use-now.ts';
import { pendingRequestsQueryOptions } from '#src/features/approvals/api/approvals-query-options.ts';
import { buildReviewQueue, type QueuedRequest } from '#src/features/approvals/model/review-queue.ts';
import { QueueTable } from '#src/features/approvals/components/queue-table.tsx';
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
      {queue.awaitingConfirmation.length > 0 && (
        <section className="panel approvals-section" aria-labelledby="awaiting-heading" data-testid="awaiting-confirmation">
          <h2 id="awaiting-heading">
            Awaiting the requester’s confirmation <span className="count-pill">{queue.awaitingConfirmation.length}</span>
          </h2>
          <p className="muted">The target changed since these were requested: each plan now differs from the one its requester saw. They cannot be approved until the requester confirms the new plan.</p>
          <QueueTable requests={queue.awaitingConfirmation.map((request) => ({ request }))} caption="Pending rollbacks whose plan changed, awaiting their requester's confirmation, newest first" />
        </section>
      )}
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
