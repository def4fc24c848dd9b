/** Every in-app URL in one place, so features link to each other's pages without importing them. */
export const paths = {
  overview: () => '/',
  target: (tenant: string, environment: string) =>
    `/targets/${encodeURIComponent(tenant)}/${encodeURIComponent(environment)}`,
  compare: (tenant: string, environment: string, from: string, to: string) =>
    `${paths.target(tenant, environment)}/compare?${new URLSearchParams({ from, to }).toString()}`,
  /** The post-incident report of an incident or of one request (decision 033). */
  incidentReport: (subject: { incident: string } | { request: string }) => `/incidents/report?${new URLSearchParams(subject).toString()}`,
  /** One revision in full (decision 031). */
  revision: (tenant: string, environment: string, sha: string) => `${paths.target(tenant, environment)}/revisions/${encodeURIComponent(sha)}`,
  /** The wizard at its revision step for a service rollback: pick the version to go back to (decision 044). */
  rollbackService: (tenant: string, environment: string, service: string) =>
    `/rollback/new?${new URLSearchParams({ tenant, environment, mode: 'service', service, step: 'revision' }).toString()}`,
  rollbackNew: (tenant: string, environment: string, revision: string) =>
    `/rollback/new?${new URLSearchParams({ tenant, environment, revision }).toString()}`,
  rollbackRequest: (id: string) => `/rollbacks/${encodeURIComponent(id)}`,
  /** The audit trail of one rollback request (the audit page's `requestId` filter). */
  requestAudit: (id: string) => `/audit?${new URLSearchParams({ requestId: id }).toString()}`,
};
