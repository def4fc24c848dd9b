import { useQuery } from '@tanstack/react-query';
import { useBackend } from '#src/api/backend-context.tsx';
import { pendingRequestsQueryOptions } from '#src/features/approvals/api/approvals-query-options.ts';
import { buildReviewQueue } from '#src/features/approvals/model/review-queue.ts';
import { meQueryOptions } from '#src/features/identity/api/identity-query-options.ts';
import { targetsQueryOptions } from '#src/features/targets/api/targets-query-options.ts';
import { useNow } from '#src/lib/use-now.ts';

export interface ReviewQueueCount {
  /** Pending requests the current user may review now. */
  toReview: number;
  /** Waiting requests whose plan changed: awaiting their requester's confirmation (decision 043). */
  awaitingConfirmation: number;
}

/** What waits in the current user's queue (undefined when unknown or not an approver). */
export function useReviewQueueCount(): ReviewQueueCount | undefined {
  const backend = useBackend();
  const me = useQuery(meQueryOptions(backend));
  // The server says whether the caller reviews anywhere, by the targets' policies (decision 039).
  const mayReview = me.data?.can?.review ?? false;
  // Only approvers pay for the pending list and the targets on every page.
  const pending = useQuery({ ...pendingRequestsQueryOptions(backend), enabled: mayReview });
  const targets = useQuery({ ...targetsQueryOptions(backend), enabled: mayReview });
  const now = useNow();
  if (!me.data || !mayReview || !pending.data) return undefined;
  const queue = buildReviewQueue(pending.data.requests, me.data, targets.data, now);
  return { toReview: queue.toReview.length, awaitingConfirmation: queue.awaitingConfirmation.length };
}
