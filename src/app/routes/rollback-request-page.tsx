import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useLocation, useParams } from 'react-router';
import type { RollbackRequest } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { approvalKeys } from '#src/features/approvals/api/approvals-query-options.ts';
import { auditKeys } from '#src/features/audit/api/audit-query-options.ts';
import { historyKeys } from '#src/features/history/api/history-query-options.ts';
import { meQueryOptions } from '#src/features/identity/api/identity-query-options.ts';
import { RollbackRequestView } from '#src/features/rollback/components/rollback-request-view.tsx';
import { rollbackKeys } from '#src/features/rollback/api/rollback-query-options.ts';
import { targetKeys, targetsQueryOptions } from '#src/features/targets/api/targets-query-options.ts';

export function RollbackRequestPage() {
  const { id = '' } = useParams();
  // Set by the wizard's submit: arriving from it, focus goes to the new request's heading.
  const submitted = (useLocation().state as { submitted?: unknown } | null)?.submitted === true;
  const backend = useBackend();
  const queryClient = useQueryClient();
  const me = useQuery(meQueryOptions(backend));
  const targets = useQuery(targetsQueryOptions(backend));
  // A completed rollback is a new head: every view of that target is out of date.
  const onCompleted = useCallback(
    (request: RollbackRequest) => {
      void queryClient.invalidateQueries({ queryKey: targetKeys.all });
      void queryClient.invalidateQueries({ queryKey: historyKeys.target(request.tenant, request.environment) });
      void queryClient.invalidateQueries({ queryKey: rollbackKeys.target(request.tenant, request.environment) });
    },
    [queryClient],
  );
  // Live updates do this too; doing it here keeps a page without an event stream right.
  const onChanged = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: approvalKeys.all });
    void queryClient.invalidateQueries({ queryKey: auditKeys.all });
  }, [queryClient]);
  return (
    <RollbackRequestView
      key={id}
      id={id}
      viewer={me.data}
      targets={targets.data}
      onCompleted={onCompleted}
      onChanged={onChanged}
      focusHeading={submitted}
    />
  );
}
