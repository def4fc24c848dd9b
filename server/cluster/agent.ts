/**
 * What Rewind needs from a GitOps agent, per agent object (an Argo CD Application, a Flux
 * Kustomization or HelmRelease): a normalised report, and a sync / reconcile request.
 */
import type { ClusterOperation, Health, RevisionOutcome, Sync } from '#core/cluster-schemas.ts';
import { FULL_SHA_PATTERN } from '#core/names.ts';
import type { SyncRequestResult } from '#core/ports.ts';

export interface ResourceReport {
  kind: string;
  name: string;
  health: Health;
  sync: Sync;
}

export interface ObjectReport {
  health: Health;
  sync: Sync;
  /** The full commit id the agent last applied; null when it did not say or named no commit. */
  liveRevision: string | null;
  operation: ClusterOperation | null;
  outcomes: RevisionOutcome[];
  resources: ResourceReport[];
  /** The object itself leaves something unknown (e.g. a revision that is no commit). */
  note: string | null;
}

export interface AgentClient {
  readonly source: 'argocd' | 'flux';
  /** "Argo CD", "Flux": how people name the agent. */
  readonly label: string;
  /** "Application", "Kustomization", ...: what one object is called. */
  readonly objectKind: string;
  /** Reads one object; throws AgentCallError (or ShapeError) with a reason a person can act on. */
  read(name: string): Promise<ObjectReport>;
  requestSync(name: string, revision: string): Promise<SyncRequestResult>;
}

/** The agent answered, but not in the shape Rewind reads: logged once per object, shown as unknown. */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

/** A revision an agent reports, as a commit id, or null with why (a Helm chart version, a tag, ...). */
export function commitOf(revision: string | null | undefined): { sha: string | null; note: string | null } {
  if (!revision) return { sha: null, note: null };
  // Flux writes `main@sha1:<sha>` (or `sha1:<sha>`); Argo CD the bare sha.
  const candidate = revision.includes(':') ? revision.slice(revision.lastIndexOf(':') + 1) : revision;
  if (FULL_SHA_PATTERN.test(candidate)) return { sha: candidate.toLowerCase(), note: null };
  return { sha: null, note: `the agent reports revision "${revision.slice(0, 80)}", which is not a git commit id` };
}

/** Bounded reason classes of a failed agent read: the `reason` label of `rewind_agent_poll_errors_total`. */
export const POLL_ERROR_CLASSES = ['unreachable', 'timeout', 'unauthorized', 'forbidden', 'not-found', 'server-error', 'http-error', 'malformed', 'shape', 'other'] as const;
export type PollErrorClass = (typeof POLL_ERROR_CLASSES)[number];

/** The class of a read failure, from the HTTP status or the wording of server/cluster/http-json.ts. */
export function pollErrorClass(error: unknown): PollErrorClass {
  if (error instanceof ShapeError) return 'shape';
  if (!(error instanceof Error)) return 'other';
  const status = (error as { status?: unknown }).status;
  if (/malformed JSON/.test(error.message)) return 'malformed';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (typeof status === 'number' && status >= 500) return 'server-error';
  if (typeof status === 'number' && status >= 400) return 'http-error';
  if (/no answer within/.test(error.message)) return 'timeout';
  if (/unreachable/.test(error.message)) return 'unreachable';
  return 'other';
}
