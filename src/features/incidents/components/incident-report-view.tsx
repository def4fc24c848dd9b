import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { formatDuration } from '#core/incident-report.ts';
import type { IncidentReportResponse } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { Person } from '#src/components/person.tsx';
import { paths } from '#src/lib/paths.ts';
import { formatAbsolute } from '#src/lib/time.ts';
import { incidentReportQueryOptions, type ReportSubject } from '#src/features/incidents/api/incident-report-query-options.ts';
import { ReportMarkdown } from './report-markdown.tsx';

export function IncidentReportView({ subject }: { subject: ReportSubject }) {
  const backend = useBackend();
  const report = useQuery(incidentReportQueryOptions(backend, subject));
  if (report.isPending) {
    return (
      <p className="loading" role="status" aria-busy="true">
        Building the report…
      </p>
    );
  }
  if (report.isError) return <ErrorState title="Could not build the report" error={report.error} onRetry={() => void report.refetch()} />;
  return <ReportBody data={report.data} />;
}

const DURATIONS = [
  ['detection', 'Detection'],
  ['response', 'Response'],
  ['resolution', 'Resolution'],
] as const;

function ReportBody({ data }: { data: IncidentReportResponse }) {
  const { report } = data;
  const fileName = `${report.title.replace(/[^A-Za-z0-9.-]+/g, '-').toLowerCase()}.md`;
  return (
    <article aria-labelledby="report-heading" className="incident-report" data-testid="incident-report">
      <h1 id="report-heading">Post-incident report: {report.title}</h1>
      {report.breakGlass && (
        <p className="wizard-warning" data-testid="report-break-glass">
          Break-glass was used: approval was skipped for the actions flagged below.
        </p>
      )}
      <dl className="report-durations">
        {DURATIONS.map(([key, label]) => (
          <div key={key}>
            <dt>{label}</dt>
            <dd data-testid={`duration-${key}`}>
              <strong>{formatDuration(report.durations[key])}</strong> <span className="muted">{report.durations[key].basis}</span>
            </dd>
          </div>
        ))}
      </dl>
      <h2>Rollback requests</h2>
      <ul>
        {report.requests.map((r) => (
          <li key={r.id}>
            <Link to={paths.rollbackRequest(r.id)}>{r.id}</Link>: {r.mode} rollback{r.service ? ` of ${r.service}` : ''} in {r.tenant}/
            {r.environment}, {r.state}
          </li>
        ))}
      </ul>
      <h2>Timeline</h2>
      <table className="data-table report-timeline">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Who</th>
          </tr>
        </thead>
        <tbody>
          {report.timeline.map((entry, index) => (
            <tr key={`${entry.at}-${index}`} data-break-glass={entry.breakGlass || undefined}>
              <td>{formatAbsolute(entry.at)}</td>
              <td>
                {entry.breakGlass && <span className="badge badge--break-glass">break-glass</span>} {entry.what}
              </td>
              <td>{entry.actor !== undefined ? <Person email={entry.actor} /> : entry.source ? `reported by ${entry.source}` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Cluster sync and health</h2>
      <ul data-testid="report-cluster">
        {report.cluster.length === 0 && <li>No rollback has been committed yet.</li>}
        {report.cluster.map((note) => (
          <li key={note.requestId}>
            <Link to={paths.rollbackRequest(note.requestId)}>{note.requestId}</Link>: {note.text}
            {note.source && <span className="muted"> (reported by {note.source})</span>}
          </li>
        ))}
      </ul>
      {report.notes.length > 0 && (
        <>
          <h2>Notes</h2>
          <ul>
            {report.notes.map((note, index) => (
              <li key={`${note.at}-${index}`}>
                {formatAbsolute(note.at)} <Person email={note.by} />: {note.text}
              </li>
            ))}
          </ul>
        </>
      )}
      <ReportMarkdown markdown={data.markdown} fileName={fileName} />
    </article>
  );
}
