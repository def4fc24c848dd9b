/**
 * The demo data set's shapes and its calendar: what a generated commit and repo are, and when the
 * demo's month ends (demo-data.ts generates them).
 */
import type { RollbackMetadata } from '#core/commit-message.ts';
import type { User } from '#core/schemas.ts';
import type { TargetConfig } from '#core/target-config.ts';

export interface DemoCommit {
  /** Stable key, e.g. "c00042" (perf commits of the large variant: "p000042"). */
  id: string;
  /** ISO 8601 UTC, strictly increasing across the whole repo. */
  timestamp: string;
  author: { name: string; email: string };
  /** Full commit message (subject, blank line, body/trailers). For rollback commits: '' (the writer formats it). */
  message: string;
  /** Present on rollback commits. */
  rollback?: Omit<RollbackMetadata, 'targetSha'> & { targetId: string };
  /** Repo path → new full file content; null deletes the file. */
  changes: Record<string, string | null>;
  /** Deployments that failed after being applied. */
  deployStatus?: 'failed';
}

export interface DemoRepo {
  /** The demo's "now" (decision 044): every date of the story is an offset back from it. */
  anchor: string;
  targets: TargetConfig[];
  users: User[];
  commits: DemoCommit[];
}

export type DemoSize = 'default' | 'large';


/**
 * The demo's default "now": the last commit is shortly before it. The story is written on this
 * calendar; an anchor moves all of it (decision 044), and tests that assert dates use this one.
 */
export const DEMO_END = '2026-11-20T16:00:00.000Z';
export const DEFAULT_DEMO_SEED = 20261120;
/** Revisions of `acme/perf` in the large variant (plus its bootstrap commit). */
export const PERF_REVISIONS = 50_000;

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const END_MS = Date.parse(DEMO_END);
export const START_MS = END_MS - 30 * DAY;
/** The first moment of the demo window: every commit is after it. */
export const DEMO_START = new Date(START_MS).toISOString();

/** Something that names a moment: an ISO 8601 time, epoch milliseconds, or a Date. */
export type DemoAnchor = string | number | Date;

/**
 * The demo's "now" for an anchor, floored to the whole minute: the story shifts by whole minutes, so
 * every commit keeps its even (main targets) or odd (acme/perf) second and the order of the two.
 */
export function demoAnchorMs(anchor: DemoAnchor): number {
  const ms = anchor instanceof Date ? anchor.getTime() : typeof anchor === 'number' ? anchor : Date.parse(anchor);
  if (!Number.isFinite(ms)) throw new Error(`demo anchor ${String(anchor)} is not a time`);
  return Math.floor(ms / MINUTE) * MINUTE;
}
