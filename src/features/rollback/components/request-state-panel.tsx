import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { RollbackRequest } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { countApprovals, quorumOf } from '#core/review-rules.ts';
import { paths } from '#src/lib/paths.ts';
import { shortSha } from '#src/lib/sha.ts';
import { rollbackKeys } from '#src/features/rollback/api/rollback-query-options.ts';
import { ServerError } from './step-frame.tsx';
import { EndedState } from './request-lifecycle.tsx';

/** Where the request stands, and what can be done about it (retry a failed execution). */
export function RequestStatePanel({ request, children }: { request: RollbackRequest; children?: ReactNode }) {
  const backend = useBackend();
  const queryClient = useQueryClient();
  const execute = useMutation({
    mutationFn: () => backend.executeRollback(request.id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: rollbackKeys.request(request.id) }),
  });
  const approvals = countApprovals(request);
  const required = quorumOf(request);
  const missing = Math.max(required - approvals, 0);

  let content: ReactNode;
  switch (request.state) {
    case 'pending':
      content = (
        <p>
          <strong>
            Waiting for {missing} approval{missing === 1 ? '' : 's'}
          </strong>{' '}
          ({approvals} of {required} given). It executes as soon as the quorum is reached.{' '}
          <a href="#request-reviews">Go to the reviews</a>
        </p>
      );
      break;
    case 'approved':
    case 'executing':
      content = (
        <p role="status">
          <span className="spinner" aria-hidden="true" /> Committing the rollback to the infrastructure repository…
        </p>
      );
      break;
    case 'completed':
      content = (
        <p>
          <strong>Completed.</strong> Rollback commit{' '}
          <code className="sha" data-testid="commit-sha" title={request.commitSha}>
            {request.commitSha ? shortSha(request.commitSha) : 'unknown'}
          </code>
          {request.commitSha && (
            <>
              {' '}
              ·{' '}
              <Link to={paths.compare(request.tenant, request.environment, request.baseSha, request.commitSha)}>
                Compare the commit with the revision before it
              </Link>
            </>
          )}{' '}
          · <Link to={paths.target(request.tenant, request.environment)}>History of {request.tenant}/{request.environment}</Link>
        </p>
      );
      break;
    case 'failed':
      content = (
        <>
          <p>
            <strong>The rollback failed:</strong> <span data-testid="request-error">{request.error ?? 'no reason given'}</span>
          </p>
          <button type="button" className="button button--primary" onClick={() => execute.mutate()} disabled={execute.isPending}>
            {execute.isPending ? 'Executing…' : 'Retry execute'}
          </button>
        </>
      );
      break;
    case 'rejected':
      content = <p>Rejected: this rollback will not execute.</p>;
      break;
    case 'withdrawn':
    case 'superseded':
    case 'closed':
      content = <EndedState request={request} />;
      break;
  }

  return (
    <section className={`state-panel state-panel--${request.state}`} aria-label="Status" aria-live="polite">
      {content}
      {children}
      {execute.isError && <ServerError title="The retry failed" error={execute.error} />}
    </section>
  );
}
