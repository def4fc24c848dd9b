/**
 * The post-incident report of one incident's rollback requests, or of one request without an
 * incident (docs/decisions/033): a timeline from the bad revision's deploy to the rollback commit,
 * the detection / response / resolution durations, break-glass flagged, notes, and Markdown in the
 * shape of the team's post-incident review template (Timeline, Pipeline Questions, Action Items).
 * Only what Rewind knows is stated; what it cannot know says so.
 */
import { clusterFindings, type ClusterNote, type ClusterObservation } from './incident-cluster.ts';
import { incidentLabel, type Incident } from './incident.ts';
import type { AuditEvent, Note, RollbackRequest } from './schemas.ts';

export interface BadRevision {
  sha: string;
  summary: string;
  /** Commit time: when it was deployed, as far as git knows. */
  timestamp: string;
  outcome: 'failed' | 'succeeded' | 'not-recorded';
  tenant: string;
  environment: string;
}

export interface TimelineEntry {
  at: string;
  what: string;
  actor?: string;
  breakGlass: boolean;
  requestId?: string;
  /** The agent that reported it (sync and health entries, decision 044). */
  source?: string;
}

export interface Duration {
  /** Milliseconds, or null when Rewind cannot know it. */
  ms: number | null;
  /** What was measured, or why it is unknown. */
  basis: string;
}

export interface IncidentReport {
  title: string;
  incident?: Incident;
  requests: { id: string; tenant: string; environment: string; mode: string; service?: string; state: string; justification: string }[];
  timeline: TimelineEntry[];
  durations: { detection: Duration; response: Duration; resolution: Duration };
  breakGlass: boolean;
  notes: (Note & { requestId: string })[];
  /** The cluster's word on each committed rollback: live, healthy, or unknown and why (decision 044). */
  cluster: ClusterNote[];
}

const EVENT_TEXT: Record<string, string> = {
  'rollback.requested': 'Rollback requested',
  'rollback.reviewed': 'Reviewed',
  'rollback.executed': 'Rollback committed',
  'rollback.failed': 'Rollback failed',
  'rollback.approvals-dismissed': 'Approvals dismissed (the plan changed)',
  'rollback.note-added': 'Note added',
  'break-glass.opened': 'Break-glass opened',
  'break-glass.closed': 'Break-glass closed',
};

function describeEvent(event: AuditEvent, requests: ReadonlyMap<string, RollbackRequest>): string {
  const base = EVENT_TEXT[event.type] ?? event.type;
  const request = event.requestId ? requests.get(event.requestId) : undefined;
  const details = event.details;
  if (event.type === 'rollback.requested' && request) {
    return `${base}: ${request.mode} rollback${request.service ? ` of ${request.service}` : ''} in ${request.tenant}/${request.environment} to ${request.targetSha.slice(0, 7)} (${request.id})`;
  }
  if (event.type === 'rollback.reviewed' && typeof details.decision === 'string') return `${details.decision === 'approve' ? 'Approved' : 'Rejected'} (${event.requestId ?? ''})`;
  if (event.type === 'rollback.executed' && typeof details.commitSha === 'string') return `${base}: ${details.commitSha.slice(0, 7)} (${event.requestId ?? ''})`;
  if (event.type === 'break-glass.opened' && typeof details.justification === 'string') return `${base}: ${details.justification}`;
  return event.requestId ? `${base} (${event.requestId})` : base;
}

const between = (from: string | undefined, to: string | undefined) =>
  from !== undefined && to !== undefined ? Math.max(0, Date.parse(to) - Date.parse(from)) : null;

export function buildIncidentReport(input: {
  incident?: Incident;
  requests: readonly RollbackRequest[];
  events: readonly AuditEvent[];
  badRevisions: readonly BadRevision[];
  /** The cluster's report on each committed rollback's target; none when nothing was committed. */
  cluster?: readonly ClusterObservation[];
}): IncidentReport {
  const requests = [...input.requests].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  const byId = new Map(requests.map((r) => [r.id, r]));
  const title = input.incident ? `Incident ${incidentLabel(input.incident)}` : `Rollback request ${requests[0]?.id ?? ''}`;
  const timeline: TimelineEntry[] = [];
  for (const bad of input.badRevisions) {
    timeline.push({ at: bad.timestamp, what: `Deployed ${bad.sha.slice(0, 7)} "${bad.summary}" to ${bad.tenant}/${bad.environment}`, breakGlass: false });
  }
  for (const event of input.events) {
    timeline.push({
      at: event.at,
      what: describeEvent(event, byId),
      actor: event.actor,
      breakGlass: event.breakGlass,
      ...(event.requestId ? { requestId: event.requestId } : {}),
    });
  }
  const found = clusterFindings(input.cluster ?? []);
  for (const entry of found.entries) timeline.push({ ...entry, breakGlass: false });
  timeline.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

  const deployed = input.badRevisions.map((b) => b.timestamp).sort()[0];
  const firstRequest = requests[0]?.createdAt;
  const committed = input.events.filter((e) => e.type === 'rollback.executed').map((e) => e.at).sort()[0];
  const durations = {
    detection: {
      ms: between(deployed, firstRequest),
      basis: deployed
        ? 'from the bad revision\'s commit to the first rollback request (Rewind has no alert time, so this bounds detection from above)'
        : 'unknown: no deployed revision is known for these requests',
    },
    response: {
      ms: between(firstRequest, committed),
      basis: committed ? 'from the first rollback request to the rollback commit' : 'unknown: no rollback has been committed yet',
    },
    resolution: {
      ms: null,
      basis: 'unknown: Rewind does not see when the fix forward shipped; record it in the review',
    },
  };
  return {
    title,
    ...(input.incident ? { incident: input.incident } : {}),
    requests: requests.map((r) => ({
      id: r.id,
      tenant: r.tenant,
      environment: r.environment,
      mode: r.mode,
      ...(r.service ? { service: r.service } : {}),
      state: r.state,
      justification: r.justification,
    })),
    timeline,
    durations,
    breakGlass: requests.some((r) => r.breakGlass) || input.events.some((e) => e.breakGlass),
    notes: requests.flatMap((r) => r.notes.map((n) => ({ ...n, requestId: r.id }))),
    cluster: found.notes,
  };
}

export function formatDuration(duration: Duration): string {
  if (duration.ms === null) return 'unknown';
  const minutes = Math.round(duration.ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Markdown text is copied into other tools: user text is kept on one line and cannot open markup. */
function inline(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/([\\`*_[\]<>#|])/g, '\\$1').trim();
}

/**
 * The report as Markdown. `nameOf` gives the names of the configured users (decision 047): people are
 * written "Name (email)", anyone else by the email alone; the JSON report keeps the emails.
 */
export function incidentMarkdown(report: IncidentReport, nameOf: (email: string) => string | undefined = () => undefined): string {
  const person = (email: string) => {
    const name = nameOf(email);
    return inline(name ? `${name} (${email})` : email);
  };
  const lines = [`# Post-Incident Review: ${inline(report.title)}`, ''];
  if (report.incident?.url) lines.push(`Incident record: ${report.incident.url}`, '');
  if (report.breakGlass) lines.push('**Break-glass was used**: approval was skipped for at least one action below (flagged ⚠).', '');
  lines.push('## Rollbacks', '');
  for (const r of report.requests) {
    lines.push(`- ${r.id}: ${r.mode} rollback${r.service ? ` of ${r.service}` : ''} in ${r.tenant}/${r.environment}, ${r.state}. Justification: ${inline(r.justification)}`);
  }
  lines.push('', '### Timeline', '');
  lines.push(`- **Detection**: ${formatDuration(report.durations.detection)} (${report.durations.detection.basis})`);
  lines.push(`- **Response**: ${formatDuration(report.durations.response)} (${report.durations.response.basis})`);
  lines.push(`- **Resolution**: ${formatDuration(report.durations.resolution)} (${report.durations.resolution.basis})`, '');
  for (const entry of report.timeline) {
    // "by", not parentheses: the person is itself "Name (email)".
    const who = entry.actor ? ` — by ${person(entry.actor)}` : entry.source ? ` (reported by ${inline(entry.source)})` : '';
    lines.push(`- ${entry.at}${entry.breakGlass ? ' ⚠ break-glass' : ''}: ${inline(entry.what)}${who}`);
  }
  // Kept inside the template's Timeline section: what the cluster says now about each rollback commit.
  lines.push('');
  if (report.cluster.length === 0) lines.push('Cluster sync and health: no rollback has been committed yet.');
  for (const note of report.cluster) lines.push(`Cluster sync and health (${note.requestId}): ${inline(note.text)}${note.source ? ` (reported by ${inline(note.source)})` : ''}`);
  if (report.notes.length > 0) {
    lines.push('', '### Notes', '');
    for (const note of report.notes) lines.push(`- ${note.at} ${person(note.by)} on ${note.requestId}: ${inline(note.text)}`);
  }
  lines.push(
    '',
    '### Pipeline Questions',
    '',
    '1. Did the pipeline catch any warnings before deploy?',
    '2. Were there analysis/canary results before full rollout?',
    '3. Could automated rollback have caught this faster?',
    '4. What gate would have prevented this from reaching production?',
    '',
    '### Action Items',
    '',
    '- [ ] Add test for the specific failure mode',
    '- [ ] Tighten canary analysis thresholds',
    '- [ ] Add monitoring for the affected metric',
    '- [ ] Update runbook with rollback procedure',
    '',
  );
  return lines.join('\n');
}
