import { useQuery } from '@tanstack/react-query';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { ApprovalsQueue } from '#src/features/approvals/components/approvals-queue.tsx';
import { meQueryOptions } from '#src/features/identity/api/identity-query-options.ts';
import { targetsQueryOptions } from '#src/features/targets/api/targets-query-options.ts';

/** `/approvals`: what waits for the current user's review. */
export function ApprovalsPage() {
  const backend = useBackend();
  const me = useQuery(meQueryOptions(backend));
  const targets = useQuery(targetsQueryOptions(backend));
  return (
    <div className="page approvals-page">
      <title>Approvals · Rewind</title>
      <h1>Approvals</h1>
      <p className="page__lead">Pending rollbacks, newest first. Open one to review the exact diff it will commit.</p>
      {me.isError ? (
        <ErrorState title="Could not tell who you are" error={me.error} onRetry={() => void me.refetch()} />
      ) : (
        <ApprovalsQueue reviewer={me.data} targets={targets.data} />
      )}
    </div>
  );
}
