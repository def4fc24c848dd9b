import type { Incident } from '#core/incident.ts';

/** "INC-1234", linked when the request has the incident's link (opened in a new tab: it is elsewhere). */
export function IncidentText({ incident }: { incident: Incident }) {
  if (!incident.url) return <code>{incident.id}</code>;
  return (
    <a href={incident.url} target="_blank" rel="noopener noreferrer">
      {incident.id ?? incident.url}
    </a>
  );
}
