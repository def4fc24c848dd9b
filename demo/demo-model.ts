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
  targets: TargetConfig[];
  users: User[];
  commits: DemoCommit[];
}

export type DemoSize = 'default' | 'large';


/** The demo's "now": the last commit is shortly before it. */
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
