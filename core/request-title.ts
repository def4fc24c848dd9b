/**
 * A request's title, the same wherever it is listed (decision 043, issue #12 item 11): mode, service,
 * target and where it goes back to, e.g. "Service rollback of payments in acme/production to 2.13.12".
 * The version is named only when the caller has it from the request or its preview (decision 031);
 * otherwise the target revision's short sha: never a guessed version.
 */
import type { RollbackRequest } from './schemas.ts';

const MODE_WORD = { full: 'Full', service: 'Service', field: 'Field' } as const;

export function requestTitle(
  request: Pick<RollbackRequest, 'mode' | 'service' | 'fields' | 'tenant' | 'environment' | 'targetSha'>,
  options: { version?: string | undefined; withTarget?: boolean } = {},
): string {
  const target = `${request.tenant}/${request.environment}`;
  const withTarget = options.withTarget ?? true;
  const to = options.version ? options.version : request.targetSha.slice(0, 7);
  const fields = request.mode === 'field' && request.fields ? ` (${request.fields.length} ${request.fields.length === 1 ? 'field' : 'fields'})` : '';
  if (request.mode === 'full' || !request.service) {
    return `${MODE_WORD[request.mode]} rollback${withTarget ? ` of ${target}` : ''}${fields} to ${to}`;
  }
  return `${MODE_WORD[request.mode]} rollback of ${request.service}${withTarget ? ` in ${target}` : ''}${fields} to ${to}`;
}

/** The first line of a justification, at most `max` characters (the request page shows it all). */
export function firstLine(text: string, max = 120): { text: string; truncated: boolean } {
  const line = text.trim().split('\n', 1)[0]!.trim();
  const cut = line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
  return { text: cut, truncated: cut !== text.trim() };
}
