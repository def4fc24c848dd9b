/**
 * A request's title, the same wherever it is listed (decision 043, issue #12 item 11): mode, service,
 * target and where it goes back to, e.g. "Service rollback of payments in acme/production to 2.13.12".
 * The version is the one the request recorded at creation (decision 047: read from the manifests of
 * its plan), or one the caller has from a preview (decision 031); otherwise the target revision's
 * short sha: never a guessed version.
 */
import type { RollbackRequest } from './schemas.ts';

const MODE_WORD = { full: 'Full', service: 'Service', field: 'Field' } as const;

export function requestTitle(
  request: Pick<RollbackRequest, 'mode' | 'service' | 'fields' | 'tenant' | 'environment' | 'targetSha'> & Partial<Pick<RollbackRequest, 'versions'>>,
  options: { version?: string | undefined; withTarget?: boolean } = {},
): string {
  const target = `${request.tenant}/${request.environment}`;
  const withTarget = options.withTarget ?? true;
  const to = options.version || recordedVersion(request) || request.targetSha.slice(0, 7);
  const fields = request.mode === 'field' && request.fields ? ` (${request.fields.length} ${request.fields.length === 1 ? 'field' : 'fields'})` : '';
  if (request.mode === 'full' || !request.service) {
    return `${MODE_WORD[request.mode]} rollback${withTarget ? ` of ${target}` : ''}${fields} to ${to}`;
  }
  return `${MODE_WORD[request.mode]} rollback of ${request.service}${withTarget ? ` in ${target}` : ''}${fields} to ${to}`;
}

/**
 * The version a request goes back to, when it recorded one that says so: the rollback's service's
 * (a full rollback's only affected service's, named with it), read from the manifests and changed by
 * the rollback. A version the rollback leaves as it is (a field rollback of the replicas) is no
 * destination: the sha says more.
 */
export function recordedVersion(request: Partial<Pick<RollbackRequest, 'mode' | 'service' | 'versions'>>): string | undefined {
  const versions = request.versions ?? [];
  const change = request.service !== undefined ? versions.find((v) => v.service === request.service) : versions.length === 1 ? versions[0] : undefined;
  if (!change || !change.to.known) return undefined;
  if (change.from.known && change.from.version === change.to.version) return undefined;
  return request.service !== undefined ? change.to.version : `${change.service} ${change.to.version}`;
}

/** The first line of a justification, at most `max` characters (the request page shows it all). */
export function firstLine(text: string, max = 120): { text: string; truncated: boolean } {
  const line = text.trim().split('\n', 1)[0]!.trim();
  const cut = line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
  return { text: cut, truncated: cut !== text.trim() };
}
