/**
 * The commit a rollback request makes: its message, with the metadata block of DESIGN.md
 * (core/commit-message.ts escapes every value onto its line).
 */
import { formatRollbackMessage } from './commit-message.ts';
import type { RollbackRequest } from './schemas.ts';
import type { TargetConfig } from './target-config.ts';

/** The `Approval:` line of the commit message: how the request came to execute. */
export function approvalText(request: RollbackRequest): string {
  if (request.requiredApprovals > 0) {
    const approvers = request.reviews.filter((r) => r.decision === 'approve' && !r.stale).map((r) => r.by);
    return `Approved by ${approvers.join(', ') || 'nobody'} (quorum: ${approvers.length}/${request.requiredApprovals})`;
  }
  if (request.breakGlass) return `break-glass by ${request.requestedBy}`;
  return 'not required (policy)';
}

export function rollbackCommitMessage(target: TargetConfig, request: RollbackRequest): string {
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
  });
}
