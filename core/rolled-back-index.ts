/**
 * Which revisions a later rollback undid, wholly or in part (decision 036).
 *
 * A rollback R to revision T restores its scope (the whole target, one service's files, or some fields
 * of them) to T's state, so it undoes the commits after T in that scope. A revision is `rolled-back`
 * only when R undid all of its change: a full rollback, or a service rollback of a revision that
 * touched nothing of the target outside that service. A field rollback, or a service rollback of a
 * revision that also changed other files, undid part of it: `partially-rolled-back`. A rollback to T
 * makes T's state live again, so T itself (and what earlier rollbacks undid up to T, in the scope it
 * restores) is never marked by the rollbacks before it.
 */
import { parseRollbackMessage, type RollbackMetadata } from './commit-message.ts';
import type { CommitRecord, RevisionStore } from './ports.ts';
import type { RevisionStatus } from './schemas.ts';
import { matchesAny, scopeOf, type TargetConfig } from './target-config.ts';

export interface UndoMark {
  /** The rollback commit. */
  by: string;
  /** True when that rollback undid all of the revision's change to the target. */
  whole: boolean;
}

/** sha of an undone revision → the first rollback that undid it wholly, else the first that undid part of it. */
export type RolledBackIndex = Map<string, UndoMark>;

interface Undoing {
  sha: string;
  meta: RollbackMetadata;
  /** The revisions it undid, newest first. */
  undone: string[];
}

/** Whether restoring `later`'s scope also restores everything `earlier` undid. */
function covers(later: RollbackMetadata, earlier: RollbackMetadata): boolean {
  return later.mode === 'full' || (later.mode === 'service' && earlier.mode !== 'full' && later.service === earlier.service);
}

/** What the rollbacks processed so far (oldest first) leave: each one's undone span, and the marks. */
interface IndexState {
  processed: readonly string[];
  seen: readonly Undoing[];
  /** Its arrays are replaced, never changed in place: a copy of the map is a copy of the state. */
  marks: ReadonlyMap<string, readonly (UndoMark & { rollback: Undoing })[]>;
}

const EMPTY_STATE: IndexState = { processed: [], seen: [], marks: new Map() };
/** Per store, per target layout: the state after its rollbacks so far. */
const states = new WeakMap<RevisionStore, Map<string, IndexState>>();
const STATES_PER_STORE_MAX = 512;

/**
 * The index of a target's history. Rollbacks only accumulate, and a commit never changes, so the state
 * after the rollbacks seen last time is kept and only newer rollbacks are applied to it: each one asks
 * git for its span (and, for a service rollback, each undone commit's paths), which summed over every
 * rollback grew with the square of their number on every history page, preview and request. A history
 * rewritten under it (the rollbacks seen last time no longer the oldest ones now) is indexed afresh.
 */
export async function buildRolledBackIndex(store: RevisionStore, target: TargetConfig): Promise<RolledBackIndex> {
  const oldestFirst = [...(await store.logRollbacks(target.layout.paths))].reverse();
  const key = JSON.stringify(target.layout);
  let byLayout = states.get(store);
  if (!byLayout) states.set(store, (byLayout = new Map()));
  const known = byLayout.get(key);
  let state = known && known.processed.every((sha, i) => oldestFirst[i]?.sha === sha) ? known : EMPTY_STATE;
  if (state.processed.length < oldestFirst.length) {
    state = await applyRollbacks(store, target, state, oldestFirst.slice(state.processed.length));
    // Concurrent calls may each have applied the same rollbacks: the one that saw most is kept.
    const latest = byLayout.get(key);
    if (!latest || latest.processed.length <= state.processed.length) {
      if (!latest && byLayout.size >= STATES_PER_STORE_MAX) byLayout.clear();
      byLayout.set(key, state);
    }
  }
  const index: RolledBackIndex = new Map();
  for (const [sha, list] of state.marks) {
    const mark = list.find((m) => m.whole) ?? list[0];
    if (mark) index.set(sha, { by: mark.by, whole: mark.whole });
  }
  return index;
}

/** `state` with `rollbacks` (oldest first, all newer than those it processed) applied; `state` is left as it was. */
async function applyRollbacks(store: RevisionStore, target: TargetConfig, state: IndexState, rollbacks: readonly CommitRecord[]): Promise<IndexState> {
  const marks = new Map(state.marks);
  const seen = [...state.seen];
  const pathsOf = async (sha: string) => (await store.log({ paths: target.layout.paths, at: sha, limit: 1 }))[0]?.paths ?? [];
  for (const commit of rollbacks) {
    const meta = parseRollbackMessage(commit.message);
    if (!meta) continue;
    const scope = scopeOf(target, meta);
    if (scope.length === 0) continue;
    // What earlier rollbacks undid up to this one's target is live again in the scope this one restores.
    for (const earlier of seen) {
      const at = earlier.undone.indexOf(meta.targetSha);
      if (at === -1 || !covers(meta, earlier.meta)) continue;
      for (const sha of earlier.undone.slice(at)) {
        const kept = marks.get(sha)?.filter((mark) => mark.rollback !== earlier);
        if (kept) marks.set(sha, kept);
      }
    }
    marks.delete(meta.targetSha);
    const undone = (await store.range({ paths: scope, since: meta.targetSha, until: commit.sha })).filter((sha) => sha !== commit.sha);
    const rollback: Undoing = { sha: commit.sha, meta, undone };
    seen.push(rollback);
    for (const sha of undone) {
      const whole = meta.mode === 'full' || (meta.mode === 'service' && (await pathsOf(sha)).every((path) => matchesAny(scope, path)));
      marks.set(sha, [...(marks.get(sha) ?? []), { by: commit.sha, whole, rollback }]);
    }
  }
  return { processed: [...state.processed, ...rollbacks.map((r) => r.sha)], seen, marks };
}

/** The status of a commit: undone (wholly or in part) by a rollback, else its deployment outcome. */
export function revisionStatusOf(commit: Pick<CommitRecord, 'sha' | 'deployStatus'>, index: RolledBackIndex): { status: RevisionStatus; rolledBackBy?: string } {
  const mark = index.get(commit.sha);
  if (mark) return { status: mark.whole ? 'rolled-back' : 'partially-rolled-back', rolledBackBy: mark.by };
  return { status: commit.deployStatus === 'failed' ? 'failed' : 'success' };
}
