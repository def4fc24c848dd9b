import { useQuery } from '@tanstack/react-query';
import { useBackend } from '#src/api/backend-context.tsx';
import { AuditTrail } from '#src/features/audit/components/audit-trail.tsx';
import { targetsQueryOptions } from '#src/features/targets/api/targets-query-options.ts';

/** `/audit?tenant=&environment=&type=&actor=`: the append-only trail, filterable and exportable. */
export function AuditPage() {
  const backend = useBackend();
  const targets = useQuery(targetsQueryOptions(backend));
  return (
    <div className="page audit-page">
      <title>Audit trail · Rewind</title>
      <h1>Audit trail</h1>
      <p className="page__lead">
        Every request, review, execution, note and break-glass session, newest first. Events under break-glass are marked.
      </p>
      <AuditTrail targets={targets.data} />
    </div>
  );
}
