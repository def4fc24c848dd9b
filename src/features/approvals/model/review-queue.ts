import type { ListedRequest, Target } from '#core/schemas.ts';
import { standingOf } from '#core/request-standing.ts';
import { reviewEligibility, type Reviewer, type ReviewEligibility } from '#core/review-rules.ts';

export interface QueuedRequest {
  request: ListedRequest;
  eligibility: ReviewEligibility;
}

export interface ReviewQueue {
  /** Pending requests the reviewer may approve or reject now, newest first. */
  toReview: ListedRequest[];
  /**
   * Waiting requests whose plan changed since their requester confirmed it (decision 043): nobody can
   * approve them until the requester confirms the new plan, so they are not "to review".
   */
  awaitingConfirmation: ListedRequest[];
  /** The other pending requests, with why the reviewer cannot act on them (own, reviewed, no role). */
  others: QueuedRequest[];
}

const newestFirst = (a: ListedRequest, b: ListedRequest) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id.localeCompare(a.id);

export function buildReviewQueue(
  requests: readonly ListedRequest[],
  reviewer: Reviewer,
  targets: readonly Target[] | undefined,
  now: number,
): ReviewQueue {
  const toReview: ListedRequest[] = [];
  const awaitingConfirmation: ListedRequest[] = [];
  const others: QueuedRequest[] = [];
  for (const request of [...requests].sort(newestFirst)) {
    if (standingOf(request) === 'awaiting-confirmation') {
      awaitingConfirmation.push(request);
      continue;
    }
    const target = targets?.find((t) => t.tenant === request.tenant && t.environment === request.environment);
    const eligibility = reviewEligibility(request, reviewer, target?.policy, now);
    if (eligibility.kind === 'can-review') toReview.push(request);
    else if (eligibility.kind !== 'not-pending') others.push({ request, eligibility });
  }
  return { toReview, awaitingConfirmation, others };
}
