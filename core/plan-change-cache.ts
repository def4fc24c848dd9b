/**
 * Plan changes for lists (decision 043): every open-requests list and the approvals queue say which
 * waiting requests' plans changed, without a git plan per row on every refresh. A request's plan
 * change depends only on the request (its id and recorded `diffHash`) and the branch head, so it is
 * cached per (request, diffHash, branch head): a list refresh with an unchanged head plans nothing, and
 * a moved head plans each waiting row once. Bounded in entries and in concurrent plans.
 */
import type { PlanChange } from './plan-change.ts';
import type { RollbackRequest } from './schemas.ts';

/** Enough for every waiting request of a large organisation at a few heads. */
const MAX_ENTRIES = 2_000;
/** Plans at a time while filling a list (each reads files from git and parses YAML). */
const CONCURRENCY = 3;

/** States whose plan a list checks: those an approver or the requester still acts on. */
export const PLAN_CHECKED_STATES: readonly RollbackRequest['state'][] = ['pending', 'approved'];

export class PlanChangeCache {
  private readonly entries = new Map<string, Promise<PlanChange | null>>();
  /** Plans made (cache misses), for tests and measurements. */
  planned = 0;

  constructor(private readonly maxEntries = MAX_ENTRIES) {}

  /**
   * The plan change of each pending or approved request in `requests` (null: unchanged, or no plan
   * can be made; the request page and execution report that). `head` is read once per list.
   */
  async forList(requests: readonly RollbackRequest[], head: string | null, stalePlan: (request: RollbackRequest) => Promise<PlanChange | null>): Promise<Map<string, PlanChange>> {
    const result = new Map<string, PlanChange>();
    if (head === null) return result;
    const checked = requests.filter((r) => PLAN_CHECKED_STATES.includes(r.state));
    let next = 0;
    const worker = async () => {
      while (next < checked.length) {
        const request = checked[next++]!;
        const change = await this.get(request, head, stalePlan);
        if (change) result.set(request.id, change);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, checked.length) }, worker));
    return result;
  }

  private get(request: RollbackRequest, head: string, stalePlan: (request: RollbackRequest) => Promise<PlanChange | null>): Promise<PlanChange | null> {
    const key = `${request.id}\u0000${request.diffHash}\u0000${head}`;
    const cached = this.entries.get(key);
    if (cached) {
      // Most recently used last: the oldest entry is the first to go.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    this.planned += 1;
    const planning = stalePlan(request).catch((error: unknown) => {
      // A failed plan is not cached: the next list tries again.
      this.entries.delete(key);
      throw error;
    });
    this.entries.set(key, planning);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return planning;
  }
}
