import { incidentSchema, type Incident } from '#core/incident.ts';

export interface IncidentInput {
  id: string;
  url: string;
}

/**
 * The optional incident of a request, checked with the server's own rule: nothing typed is no
 * incident; otherwise a valid one, or the problem in the rule's words (which name the field).
 */
export function checkIncidentInput(input: IncidentInput): { incident?: Incident; problem?: string } {
  const id = input.id.trim();
  const url = input.url.trim();
  if (!id && !url) return {};
  const result = incidentSchema.safeParse({ ...(id ? { id } : {}), ...(url ? { url } : {}) });
  if (result.success) return { incident: result.data };
  return { problem: result.error.issues.map((issue) => issue.message).join('; ') };
}
