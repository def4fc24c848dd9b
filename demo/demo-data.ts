/**
 * The demo data set: targets, users and a month of commits to an infra repo, generated from a seed.
 *
 * One generator serves the in-browser mock backend, the tests and the demo git repo (written with
 * `git fast-import`), so nothing here knows a sha: commits come out in chronological order, a rollback
 * names the commit it returns to by `id`, and the writer formats the rollback message once shas exist
 * (see `demoCommitMessage` in load-demo.ts). It runs in the browser too: no Node modules, no clock, no
 * Math.random; every choice comes from the seeded PRNG in prng.ts.
 *
 * The story (see `findDemoStory`):
 * - globex/production, about 17 days before the end: `release inventory v1.12.0, api-gateway v2.4.0`
 *   (with the reservationsV2 flag) fails and is undone by a **full** rollback (rbk-demo0002, quorum 2/2).
 * - acme/staging, 11 days before: `release search v3.5.0` fails and is fixed forward by
 *   `hotfix: search v3.5.1 …`; the release stays failed.
 * - acme/production, 10 days before: `release checkout v3.8.0` fails; on-call raises the log level, then
 *   a **service** rollback of checkout (rbk-demo0001, quorum 1/1) restores checkout alone; the debug log
 *   level survives it, which a full rollback would have reverted.
 * - acme/production, 24 minutes before the end: `release payments v2.14.0` (image tag and a provider
 *   timeout) fails: the ongoing incident the demo invites you to roll back.
 *
 * "Before the end" is before the anchor (decision 044): the story is written on DEMO_END's calendar and
 * moved as a whole to the anchor the caller gives (the demo repo's creation, the browser tab's first
 * page load), or stays at DEMO_END, the default, which tests rely on.
 *
 * Timestamps are whole seconds (git's resolution). Commits of the main targets sit on even seconds and
 * those of the large variant's `acme/perf` target on odd seconds, so the large variant is exactly the
 * default one plus the perf commits: same ids (`c00042`; perf commits are `p000042`), same times.
 */
import { matchesAny, type TargetConfig } from '#core/target-config.ts';
import { DEFAULT_DEMO_SEED, demoAnchorMs, END_MS, type DemoAnchor, type DemoCommit, type DemoRepo, type DemoSize } from './demo-model.ts';
import { demoUsers } from './demo-people.ts';
import { DEMO_REQUEST_IDS, MainGenerator, STORY_SUBJECTS } from './demo-generator.ts';
import { randomEvent } from './demo-random-events.ts';
import { addStory } from './demo-story.ts';
import { generatePerf } from './perf-variant.ts';

export { DEFAULT_DEMO_SEED, DEMO_END, DEMO_START, demoAnchorMs, PERF_REVISIONS, type DemoAnchor, type DemoCommit, type DemoRepo, type DemoSize } from './demo-model.ts';
export { DEMO_REQUEST_IDS } from './demo-generator.ts';

// --- Public API ------------------------------------------------------------------------------------

export interface DemoOptions {
  size?: DemoSize;
  seed?: number;
  /**
   * The demo's "now" (decision 044): the story happens in the 30 days before it, the payments incident
   * 24 minutes before. Default DEMO_END, a fixed moment, so that tests are deterministic; the same
   * anchor always gives the same commits.
   */
  anchor?: DemoAnchor;
}

export function generateDemoRepo(options: DemoOptions = {}): DemoRepo {
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  const anchorMs = demoAnchorMs(options.anchor ?? END_MS);
  const main = new MainGenerator(seed, { randomEvent, addStory });
  main.run();
  const targets = main.targets.map((t) => t.config);
  const anchor = new Date(anchorMs).toISOString();
  if (options.size !== 'large') return { anchor, targets, users: demoUsers(), commits: shifted(main.commits, anchorMs - END_MS) };

  const perf = generatePerf(seed);
  targets.push(perf.target.config);
  // Merge two chronological lists; their seconds never coincide (even vs odd).
  const commits: DemoCommit[] = new Array(main.commits.length + perf.commits.length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < commits.length; k++) {
    if (j >= perf.commits.length || (i < main.commits.length && main.times[i]! < perf.times[j]!)) commits[k] = main.commits[i++]!;
    else commits[k] = perf.commits[j++]!;
  }
  return { anchor, targets, users: demoUsers(), commits: shifted(commits, anchorMs - END_MS) };
}

/** The story is generated on DEMO_END's calendar and moved to its anchor as a whole. */
function shifted(commits: DemoCommit[], offsetMs: number): DemoCommit[] {
  if (offsetMs === 0) return commits;
  return commits.map((c) => ({ ...c, timestamp: new Date(Date.parse(c.timestamp) + offsetMs).toISOString() }));
}

/** The commits of the story, for tests, e2e journeys and the demo guide. */
export interface DemoStory {
  /** globex/production: the failed two-service release and the full rollback that undid it. */
  globexFailedRelease: DemoCommit;
  globexRollback: DemoCommit;
  /** acme/staging: a failed release fixed forward by a hotfix. */
  stagingFailedRelease: DemoCommit;
  stagingHotfix: DemoCommit;
  /** acme/production: the failed checkout release, the revision before it and the service rollback. */
  checkoutFailedRelease: DemoCommit;
  checkoutRollbackTarget: DemoCommit;
  checkoutRollback: DemoCommit;
  /** acme/production: the failed payments release at the end, the ongoing incident. */
  paymentsFailedRelease: DemoCommit;
}

export function findDemoStory(repo: DemoRepo): DemoStory {
  const find = (root: string, predicate: (c: DemoCommit) => boolean, what: string): DemoCommit => {
    const found = repo.commits.find((c) => predicate(c) && Object.keys(c.changes).some((p) => p.startsWith(root)));
    if (!found) throw new Error(`demo story: ${what} not found`);
    return found;
  };
  const subject = (s: string) => (c: DemoCommit) => c.message.split('\n')[0] === s;
  const request = (id: string) => (c: DemoCommit) => c.rollback?.requestId === id;
  const checkoutRollback = find('tenants/acme/production/', request(DEMO_REQUEST_IDS.checkoutRollback), 'checkout rollback');
  return {
    globexFailedRelease: find('tenants/globex/production/', subject(STORY_SUBJECTS.globexRelease), 'globex release'),
    globexRollback: find('tenants/globex/production/', request(DEMO_REQUEST_IDS.globexRollback), 'globex rollback'),
    stagingFailedRelease: find('tenants/acme/staging/', subject(STORY_SUBJECTS.stagingRelease), 'staging release'),
    stagingHotfix: find('tenants/acme/staging/', subject(STORY_SUBJECTS.stagingHotfix), 'staging hotfix'),
    checkoutFailedRelease: find('tenants/acme/production/', subject(STORY_SUBJECTS.checkoutRelease), 'checkout release'),
    checkoutRollbackTarget: find('tenants/acme/production/', (c) => c.id === checkoutRollback.rollback!.targetId, 'checkout rollback target'),
    checkoutRollback,
    paymentsFailedRelease: find('tenants/acme/production/', subject(STORY_SUBJECTS.paymentsRelease), 'payments release'),
  };
}

/** Whether a commit touches a target's paths. */
export function touchesTarget(commit: DemoCommit, target: TargetConfig): boolean {
  return Object.keys(commit.changes).some((path) => matchesAny(target.layout.paths, path));
}
