import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { endedText, withdrawPermission } from '#core/request-lifecycle.ts';
import { sameEmail, type Reviewer } from '#core/review-rules.ts';
import type { RollbackDetail, RollbackRequest } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { paths } from '#src/lib/paths.ts';
import { shortSha } from '#src/lib/sha.ts';
import { rollbackKeys } from '#src/features/rollback/api/rollback-query-options.ts';
import { ServerError } from './step-frame.tsx';
import { Person, WithPeople } from '#src/components/person.tsx';

type PlanChange = NonNullable<RollbackDetail['planChange']>;

function useRequestMutation(request: RollbackRequest, run: () => Promise<RollbackRequest>, onChanged?: (request: RollbackRequest) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: (updated) => onChanged?.(updated),
    onSettled: () => queryClient.invalidateQueries({ queryKey: rollbackKeys.request(request.id) }),
  });
}

/**
 * The plan on the current head is not the one the request recorded (decision 039): what changed, before
 * anyone approves. The requester confirms the new plan here; everyone else learns who must.
 */
export function StalePlanBanner({ request, change, viewer, onChanged }: { request: RollbackRequest; change: PlanChange; viewer: Reviewer | undefined; onChanged?: ((request: RollbackRequest) => void) | undefined }) {
  const backend = useBackend();
  const id = useId();
  const confirm = useRequestMutation(request, () => backend.confirmRollbackPlan(request.id), onChanged);
  const isRequester = viewer !== undefined && sameEmail(viewer.user.email, request.requestedBy);
  return (
    <section className="state-panel state-panel--stale" aria-labelledby={`${id}-title`} data-testid="stale-plan">
      <h2 id={`${id}-title`}>The plan changed since it was requested</h2>
      <p>
        It was planned on <code className="sha">{shortSha(change.previousBaseSha)}</code>; on the current head{' '}
        <code className="sha">{shortSha(change.baseSha)}</code> the rollback would commit a different diff (shown below):
      </p>
      <ul data-testid="plan-changes">
        {change.changes.map((text) => (
          <li key={text}>The plan {text}.</li>
        ))}
      </ul>
      {isRequester ? (
        <>
          <p id={`${id}-why`}>Nobody can approve it until you confirm the new plan; approvals given so far will be dismissed.</p>
          <button type="button" className="button button--primary" aria-describedby={`${id}-why`} disabled={confirm.isPending} onClick={() => confirm.mutate()}>
            {confirm.isPending ? 'Confirming…' : 'Confirm the new plan'}
          </button>
        </>
      ) : (
        <p>It cannot be approved until <Person email={request.requestedBy} /> confirms the new plan.</p>
      )}
      {confirm.isError && <ServerError title="The plan was not confirmed" error={confirm.error} />}
    </section>
  );
}

/** Withdraw, for the requester or an admin while the request waits; a second step asks for a reason. */
export function WithdrawControl({ request, viewer, onChanged }: { request: RollbackRequest; viewer: Reviewer | undefined; onChanged?: ((request: RollbackRequest) => void) | undefined }) {
  const backend = useBackend();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const withdraw = useRequestMutation(request, () => backend.withdrawRollback(request.id, reason.trim() ? reason : undefined), onChanged);
  if (!viewer || !withdrawPermission(request, viewer.user).allowed) return null;
  if (!open) {
    return (
      <button type="button" className="button" onClick={() => setOpen(true)}>
        Withdraw request…
      </button>
    );
  }
  return (
    <div className="review-form" role="group" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Withdraw this request</h3>
      <p className="muted">It will not execute; the audit trail keeps it, with your reason.</p>
      <div className="justification-field">
        <label htmlFor={`${id}-reason`}>Reason (optional)</label>
        <input id={`${id}-reason`} value={reason} onChange={(event) => setReason(event.target.value)} disabled={withdraw.isPending} />
      </div>
      <div className="review-form__actions">
        <button type="button" className="button button--danger-outline" disabled={withdraw.isPending} onClick={() => withdraw.mutate()}>
          {withdraw.isPending ? 'Withdrawing…' : 'Withdraw'}
        </button>
        <button type="button" className="button" disabled={withdraw.isPending} onClick={() => setOpen(false)}>
          Keep it
        </button>
      </div>
      {withdraw.isError && <ServerError title="The request was not withdrawn" error={withdraw.error} />}
    </div>
  );
}

/** A request that ended without a commit: why, and the request that replaced it. */
export function EndedState({ request }: { request: RollbackRequest }) {
  return (
    <p data-testid="ended-reason">
      <strong>
        <WithPeople text={endedText(request) ?? ''} />
      </strong>
      {request.supersededBy && (
        <>
          {' '}
          <Link to={paths.rollbackRequest(request.supersededBy)}>Open {request.supersededBy}</Link>
        </>
      )}
    </p>
  );
}

/** The requests this one replaced, linked. */
export function SupersedesLinks({ request }: { request: RollbackRequest }) {
  if (!request.supersedes?.length) return null;
  return (
    <>
      <dt>Supersedes</dt>
      <dd>
        {request.supersedes.map((other, index) => (
          <span key={other}>
            {index > 0 && ', '}
            <Link to={paths.rollbackRequest(other)}>{other}</Link>
          </span>
        ))}
      </dd>
    </>
  );
}
