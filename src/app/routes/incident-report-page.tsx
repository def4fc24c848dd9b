import { Link, useSearchParams } from 'react-router';
import { IncidentReportView } from '#src/features/incidents/components/incident-report-view.tsx';

/** `/incidents/report?incident=` or `?request=`: the URL names the subject, so a link shares it. */
export function IncidentReportPage() {
  const [params] = useSearchParams();
  const incident = params.get('incident')?.trim();
  const request = params.get('request')?.trim();
  const subject = incident ? { incident } : request ? { request } : null;
  return (
    <div className="page">
      <title>{`Post-incident report${incident ? ` ${incident}` : request ? ` ${request}` : ''} · Rewind`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Targets</Link> <span aria-hidden="true">›</span> <span aria-current="page">Post-incident report</span>
      </nav>
      {subject ? (
        <IncidentReportView key={JSON.stringify(subject)} subject={subject} />
      ) : (
        <p role="status">No incident or rollback request was given. Open the report from a rollback request's page.</p>
      )}
    </div>
  );
}
