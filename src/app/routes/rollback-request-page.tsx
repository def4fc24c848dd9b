import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useParams } from 'react-router';
import type { RollbackRequest } from '../../../core/schemas.ts';
import { historyKeys } from '../../features/history/api/history-query-options.ts';
import { RollbackRequestView } from '../../features/rollback/components/rollback-request-view.tsx';
import { rollbackKeys } from '../../features/rollback/api/rollback-query-options.ts';
import { targetKeys } from '../../features/targets/api/targets-query-options.ts';

export function RollbackRequestPage() {
  const { id = '' } = useParams();
  const queryClient = useQueryClient();
  // A completed rollback is a new head: every view of that target is out of date.
  const onCompleted = useCallback(
    (request: RollbackRequest) => {
      void queryClient.invalidateQueries({ queryKey: targetKeys.all });
      void queryClient.invalidateQueries({ queryKey: historyKeys.target(request.tenant, request.environment) });
      void queryClient.invalidateQueries({ queryKey: rollbackKeys.target(request.tenant, request.environment) });
    },
    [queryClient],
  );
  return <RollbackRequestView key={id} id={id} onCompleted={onCompleted} />;
}
