/**
 * The commit a rollback request makes: its message, with the metadata block of DESIGN.md
 * (core/commit-message.ts escapes every value onto its line).
 */
import { formatRollbackMessage, type RestoredVersion } from './commit-message.ts';
import type { RollbackRequest } from './schemas.ts';
import type { TargetConfig } from './target-config.ts';
import type { ServiceVersionChange } from './version-schemas.ts';

/** The `Approval:` line of the commit message: how the request came to execute. */
export function approvalText(request: RollbackRequest): string {
  if (request.requiredApprovals > 0) {
    const approvers = request.reviews.filter((r) => r.decision === 'approve' && !r.stale).map((r) => r.by);
    return `Approved by ${approvers.join(', ') || 'nobody'} (quorum: ${approvers.length}/${request.requiredApprovals})`;
  }
  if (request.breakGlass) return `break-glass by ${request.requestedBy}`;
  return 'not required (policy)';
}

/** The planned versions (decision 031) as the commit message states them: unknown stays unknown. */
export function restoredVersions(changes: readonly ServiceVersionChange[]): RestoredVersion[] {
  return changes.map((c) => ({
    service: c.service,
    from: c.from.known ? c.from.version : null,
    to: c.to.known ? c.to.version : null,
  }));
}

export function rollbackCommitMessage(target: TargetConfig, request: RollbackRequest, versions: readonly ServiceVersionChange[] = []): string {
  return formatRollbackMessage({
    tenant: target.tenant,
    environment: target.environment,
    targetSha: request.targetSha,
    mode: request.mode,
    ...(request.service !== undefined ? { service: request.service } : {}),
    justification: request.justification,
    author: request.requestedBy,
    approval: approvalText(request),
    requestId: request.id,
    breakGlass: request.breakGlass,
    ...(versions.length ? { versions: restoredVersions(versions) } : {}),
  });
}
