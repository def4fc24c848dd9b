import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import type { RollbackDetail, RollbackRequest, Target } from '#core/schemas.ts';
import type { ReviewDecision } from '#src/api/backend-adapter.ts';
import { isApiError } from '#src/api/api-error.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { RelativeTime } from '#src/components/relative-time.tsx';
import { RevealedText } from '#src/components/revealed-text.tsx';
import { countApprovals, quorumOf, reviewEligibility, type Reviewer } from '#core/review-rules.ts';
import { useNow } from '#src/lib/use-now.ts';
import { rollbackKeys } from '#src/features/rollback/api/rollback-query-options.ts';
import { ServerError } from './step-frame.tsx';
import { Person } from '#src/components/person.tsx';

interface ReviewPanelProps {
  request: RollbackRequest;
  /** Who is looking; undefined while `/api/me` loads (no actions offered yet). */
  reviewer: Reviewer | undefined;
  target: Target | undefined;
  /** After a review was recorded (the app refreshes queues and lists). */
  onReviewed?: (request: RollbackRequest) => void;
  /** The plan on the head is not the recorded one: no approval until the requester confirms it (decision 039). */
  planStale?: boolean;
}

/** The reviews given so far, and Approve / Reject for whoever may review now. */
export function ReviewPanel({ request, reviewer, target, onReviewed, planStale = false }: ReviewPanelProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const approvals = countApprovals(request);
  const showQuorum = request.requiredApprovals > 0 || request.state === 'pending';
  return (
    <section className="panel request-section" aria-labelledby="request-reviews">
      <h2 id="request-reviews" ref={headingRef} tabIndex={-1}>
        Reviews
      </h2>
      {showQuorum && (
        <p data-testid="quorum-progress">
          {approvals} of {quorumOf(request)} approval{quorumOf(request) === 1 ? '' : 's'}
          {request.reviews.some((review) => review.stale) && <span className="muted"> (dismissed approvals do not count)</span>}
        </p>
      )}
      {request.reviews.length === 0 ? (
        <p className="muted">{request.requiredApprovals === 0 && request.state !== 'pending' ? 'No approval was required.' : 'No reviews yet.'}</p>
      ) : (
        <ul className="review-list">
          {request.reviews.map((review) => (
            <li
              key={`${review.by}-${review.at}`}
              className={`review review--${review.decision}${review.stale ? ' review--stale' : ''}`}
              data-testid="review"
            >
              <p className="review__head">
                <strong>{review.decision === 'approve' ? 'Approved' : 'Rejected'}</strong> by <Person email={review.by} />{' '}
                <RelativeTime iso={review.at} />
                {review.stale && <span className="badge badge--stale">dismissed: the target changed</span>}
              </p>
              {review.comment && <RevealedText className="review__comment" text={review.comment} />}
            </li>
          ))}
        </ul>
      )}
      {reviewer && (
        <ReviewActions
          request={request}
          reviewer={reviewer}
          target={target}
          planStale={planStale}
          onReviewed={(updated) => {
            onReviewed?.(updated);
            // The form that had focus is gone once the review is in: land on the list that now shows it.
            headingRef.current?.focus();
          }}
        />
      )}
    </section>
  );
}

type ReviewActionsProps = Omit<ReviewPanelProps, 'reviewer'> & { reviewer: Reviewer };

function ReviewActions({ request, reviewer, target, onReviewed, planStale }: ReviewActionsProps) {
  const backend = useBackend();
  const queryClient = useQueryClient();
  const now = useNow();
  const id = useId();
  const [comment, setComment] = useState('');
  const review = useMutation({
    mutationFn: (decision: ReviewDecision) => backend.reviewRollback(request.id, decision, comment.trim() ? comment : undefined),
    onSuccess: (updated) => {
      setComment('');
      queryClient.setQueryData(rollbackKeys.request(request.id), (old: RollbackDetail | undefined) => old && { ...old, request: updated });
      onReviewed?.(updated);
    },
    // Success or not, the request may have moved on (executed, someone else's review): read it again.
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: rollbackKeys.request(request.id) });
    },
  });

  const eligibility = reviewEligibility(request, reviewer, target?.policy, now);
  if (eligibility.kind === 'not-pending') {
    return review.isError ? <ServerError title={reviewErrorTitle(review.error)} error={review.error} /> : null;
  }
  if (eligibility.kind === 'no-role' || eligibility.kind === 'reviewed') {
    return (
      <p className="review-note" data-testid="review-note">
        {eligibility.reason}
      </p>
    );
  }

  const own = eligibility.kind === 'own';
  const reachesQuorum = countApprovals(request) + 1 >= quorumOf(request);
  const busy = review.isPending;
  return (
    <div className="review-form" role="group" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Your review</h3>
      {own ? (
        <p id={`${id}-reason`} className="review-note review-note--blocked" data-testid="review-blocked">
          {eligibility.reason}
        </p>
      ) : (
        <>
          <div className="justification-field">
            <label htmlFor={`${id}-comment`}>Comment (optional)</label>
            <textarea
              id={`${id}-comment`}
              value={comment}
              onChange={(event) => setComment(event.target.value)}
              rows={3}
              disabled={busy}
              placeholder="What you checked, or why you reject it"
            />
          </div>
          <p id={`${id}-reason`} className="muted">
            {planStale
              ? <>The plan changed since it was requested: it cannot be approved until <Person email={request.requestedBy} /> confirms the new plan. You may still reject it.</>
              : reachesQuorum
              ? 'Your approval reaches the quorum: the rollback is committed as soon as you approve.'
              : `Your approval is ${countApprovals(request) + 1} of ${quorumOf(request)}; it executes when the quorum is reached.`}
          </p>
        </>
      )}
      <div className="review-form__actions">
        {!planStale && (
          <button
            type="button"
            className="button button--primary"
            disabled={own || busy}
            aria-describedby={`${id}-reason`}
            onClick={() => review.mutate('approve')}
          >
            {busy && review.variables === 'approve' ? 'Approving…' : reachesQuorum && !own ? 'Approve and roll back' : 'Approve'}
          </button>
        )}
        <button
          type="button"
          className="button button--danger-outline"
          disabled={own || busy}
          aria-describedby={`${id}-reason`}
          onClick={() => review.mutate('reject')}
        >
          {busy && review.variables === 'reject' ? 'Rejecting…' : 'Reject'}
        </button>
      </div>
      {review.isError && <ServerError title={reviewErrorTitle(review.error)} error={review.error} />}
    </div>
  );
}

/** A 500 after the quorum means the approval stands and the commit failed: say so, not "not recorded". */
function reviewErrorTitle(error: unknown): string {
  return isApiError(error) && error.code === 'EXECUTION_FAILED' ? 'Your approval was saved, but the rollback failed' : 'Your review was not recorded';
}
