import type { IdGenerator, RequestStoreTx } from './ports.ts';
import type { AuditEvent, RollbackRequest } from './schemas.ts';

/** Appends an audit event about a rollback request, inside the transaction that changed it. */
export async function appendRequestAudit(
  tx: RequestStoreTx,
  ids: IdGenerator,
  event: { type: string; actor: string; request: RollbackRequest; at: Date; breakGlass: boolean; details: Record<string, unknown> },
): Promise<void> {
  const entry: AuditEvent = {
    id: ids.next('evt-'),
    at: event.at.toISOString(),
    actor: event.actor,
    type: event.type,
    tenant: event.request.tenant,
    environment: event.request.environment,
    requestId: event.request.id,
    breakGlass: event.breakGlass,
    details: event.details,
  };
  await tx.appendAudit(entry);
}
