import type { IdGenerator, RequestStoreTx } from './ports.ts';
import type { AuditEvent, RollbackRequest } from './schemas.ts';

/**
 * Appends an audit event about a rollback request, inside the transaction that changed it. Every
 * such event carries the request's justification (decision 037: an auditor filtering by event type
 * never has to look the request up to learn why).
 */
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
    details: { justification: event.request.justification, ...event.details },
  };
  await tx.appendAudit(entry);
}
