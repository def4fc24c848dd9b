/**
 * Where a request stands in a list (decision 043): a pending or approved one whose plan changed since
 * its requester confirmed it is `awaiting-confirmation` (nobody can approve it until they confirm),
 * otherwise its state. Its own module, with no imports: the header's queue count is in the first
 * bundle.
 */
import type { RequestState, RollbackRequest } from './schemas.ts';

export type RequestStanding = RequestState | 'awaiting-confirmation';

export function standingOf(request: Pick<RollbackRequest, 'state'> & { planChange?: unknown }): RequestStanding {
  return request.planChange !== undefined && (request.state === 'pending' || request.state === 'approved') ? 'awaiting-confirmation' : request.state;
}
