/**
 * The incident a rollback request belongs to (decision 033): an ID from the incident tool
 * ("INC-1234", a PagerDuty or Jira key) and/or a link to it. Optional; at least one part when given.
 * The filter `?incident=` matches either part exactly, so a pasted link finds the same requests as
 * the ID.
 */
import { z } from 'zod';

export const INCIDENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:#/-]{0,63}$/;
export const INCIDENT_URL_MAX_LENGTH = 2048;

export const incidentIdSchema = z
  .string()
  .trim()
  .regex(INCIDENT_ID_PATTERN, 'incident.id must be 1 to 64 letters, digits or . _ : # / - (starting with a letter or digit)');

export const incidentUrlSchema = z
  .string()
  .trim()
  .max(INCIDENT_URL_MAX_LENGTH, `incident.url must be at most ${INCIDENT_URL_MAX_LENGTH} characters`)
  .refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, 'incident.url must be an http(s) link without credentials');

export const incidentSchema = z
  .object({ id: incidentIdSchema.optional(), url: incidentUrlSchema.optional() })
  .strict()
  .refine((incident) => incident.id !== undefined || incident.url !== undefined, 'incident needs an id or a url');

export type Incident = z.infer<typeof incidentSchema>;

/** A `?incident=` filter value: an ID or a link, as stored. */
export const incidentFilterSchema = z.string().trim().min(1).max(INCIDENT_URL_MAX_LENGTH);

export function matchesIncident(incident: Incident | undefined, filter: string): boolean {
  return incident !== undefined && (incident.id === filter || incident.url === filter);
}

/** "INC-1234", else the link: how a request's incident is named in titles and reports. */
export function incidentLabel(incident: Incident): string {
  return incident.id ?? incident.url ?? '';
}
