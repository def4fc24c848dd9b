import { useQuery } from '@tanstack/react-query';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { meQueryOptions } from '#src/features/identity/api/identity-query-options.ts';
import { SelectiveRollbackWizard } from '#src/features/rollback/components/selective-rollback-wizard.tsx';
import { targetsQueryOptions } from '#src/features/targets/api/targets-query-options.ts';

/** The wizard needs the targets (their plans, flags, policies and services) and who is asking. */
export function RollbackNewPage() {
  const backend = useBackend();
  const targets = useQuery(targetsQueryOptions(backend));
  const me = useQuery(meQueryOptions(backend));

  if (targets.isPending) {
    return (
      <p className="loading" role="status" aria-busy="true">
        Loading targets…
      </p>
    );
  }
  if (targets.isError) {
    return (
      <div className="page">
        <title>New rollback · Rewind</title>
        <h1>New rollback</h1>
        <ErrorState title="Could not load targets" error={targets.error} onRetry={() => void targets.refetch()} />
      </div>
    );
  }
  return <SelectiveRollbackWizard targets={targets.data} me={me.data} />;
}
