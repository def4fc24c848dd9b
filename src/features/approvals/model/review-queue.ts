import type { RollbackRequest, Target } from '#core/schemas.ts';
import { reviewEligibility, type Reviewer, type ReviewEligibility } from '#core/review-rules.ts';

export interface QueuedRequest {
  request: RollbackRequest;
  eligibility: ReviewEligibility;
}

export interface ReviewQueue {
  /** Pending requests the reviewer may approve or reject now, newest first. */
  toReview: RollbackRequest[];
  /** The other pending requests, with why the reviewer cannot act on them (own, reviewed, no role). */
  others: QueuedRequest[];
}

const newestFirst = (a: RollbackRequest, b: RollbackRequest) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id.localeCompare(a.id);

export function buildReviewQueue(
  requests: readonly RollbackRequest[],
  reviewer: Reviewer,
  targets: readonly Target[] | undefined,
  now: number,
): ReviewQueue {
  const toReview: RollbackRequest[] = [];
  const others: QueuedRequest[] = [];
  for (const request of [...requests].sort(newestFirst)) {
    const target = targets?.find((t) => t.tenant === request.tenant && t.environment === request.environment);
    const eligibility = reviewEligibility(request, reviewer, target?.policy, now);
    if (eligibility.kind === 'can-review') toReview.push(request);
    else if (eligibility.kind !== 'not-pending') others.push({ request, eligibility });
  }
  return { toReview, others };
}
