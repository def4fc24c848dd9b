import { queryOptions } from '@tanstack/react-query';
import type { BackendAdapter } from '#src/api/backend-adapter.ts';

export type ReportSubject = { incident: string } | { request: string };

/** Under the requests' key, so a request's change (a review, the commit) refreshes its report. */
export const incidentReportQueryOptions = (backend: BackendAdapter, subject: ReportSubject) =>
  queryOptions({
    queryKey: ['rollbacks', 'incident-report', subject] as const,
    queryFn: ({ signal }) => backend.incidentReport(subject, signal),
  });
