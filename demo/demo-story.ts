/** The incident story the demo tells, at fixed times: failed releases, rollbacks and a fix forward. */
import { OLU, PRIYA, SAM } from './demo-people.ts';
import { type Version } from './tenant-specs.ts';
import { fill, type Target, type TargetState, withEnv, withFlag, withService, withVersion } from './demo-manifests.ts';
import { at, DEMO_REQUEST_IDS, STORY_SUBJECTS, type MainGenerator } from './demo-generator.ts';

export function addStory(gen: MainGenerator, add: (time: number, run: (at: number) => void) => void): void {
  const bump = (name: string, version: Version, env: Record<string, string> = {}) => (state: TargetState, t: Target) => {
    let s = withVersion(state.services.get(name)!, version);
    for (const [k, v] of Object.entries(env)) s = withEnv(s, k, fill(v, t));
    return withService(state, name, s);
  };

  // globex: a two-service release with a flag fails in production and is rolled back in full.
  const globexRelease = (state: TargetState, t: Target): TargetState => {
    let next = bump('inventory', [1, 12, 0], { RESERVATION_TTL_SECONDS: '120' })(state, t);
    next = bump('api-gateway', [2, 4, 0])(next, t);
    return { ...next, variables: withFlag(next.variables, 'reservationsV2', true) };
  };
  const globexMessage = `release inventory v1.12.0, api-gateway v2.4.0

Reservations v2: short-lived stock reservations, enforced at the gateway.

- inventory: reservations expire after 120 s (RESERVATION_TTL_SECONDS)
- api-gateway: route /v2/reservations to inventory
- variables: turn on featureFlags.reservationsV2

Ticket: GX-2410
`;
  add(at('2026-11-02T11:06:00Z'), (time) => gen.storyRelease('globex/staging', time, PRIYA, globexMessage, globexRelease));
  add(at('2026-11-03T13:20:00Z'), (time) =>
    gen.storyRelease('globex/production', time, PRIYA, globexMessage, globexRelease, { failed: true, mark: 'globex' }),
  );
  add(at('2026-11-03T13:58:00Z'), (time) =>
    gen.rollback('globex/production', time, OLU, 'globex', {
      mode: 'full',
      justification:
        'Reservations v2 oversells: inventory answers 409 on every reserve call since the 13:20 release and orders are failing. Rolling the whole environment back (both services and the flag) to the last good revision.',
      author: OLU.email,
      approval: 'Approved by dana@example.com, priya@example.com (quorum: 2/2)',
      requestId: DEMO_REQUEST_IDS.globexRollback,
    }),
  );
  add(at('2026-11-04T10:40:00Z'), (time) =>
    gen.storyRelease(
      'globex/staging',
      time,
      PRIYA,
      `release inventory v1.12.1

Fix the oversell race in reservation commit (GX-2412, follow-up of the 3 Nov incident).

Ticket: GX-2412
`,
      (state, t) => bump('inventory', [1, 12, 1], { RESERVATION_TTL_SECONDS: '600' })(state, t),
    ),
  );

  // acme/staging: a search release fails and is fixed forward by a hotfix (the release stays failed).
  add(at('2026-11-09T10:14:00Z'), (time) =>
    gen.storyRelease(
      'acme/staging',
      time,
      PRIYA,
      `release search v3.5.0

New analyzer chain; queries go to the products-v2 index alias.

- Language-aware stemming for DE and FR
- Query through the products-v2 alias

Ticket: SRCH-1870
`,
      bump('search', [3, 5, 0], { INDEX_ALIAS: 'products-v2' }),
      { failed: true },
    ),
  );
  add(at('2026-11-09T10:52:00Z'), (time) =>
    gen.storyRelease(
      'acme/staging',
      time,
      PRIYA,
      `${STORY_SUBJECTS.stagingHotfix}

v3.5.0 crash-looped in staging: the products-v2 alias did not exist yet. The service now creates it
from the current index on startup.

Ticket: SRCH-1871
`,
      bump('search', [3, 5, 1]),
    ),
  );

  // acme: checkout v3.8.0 passes staging, fails in production; a service rollback restores checkout only.
  const checkoutMessage = `release checkout v3.8.0

Cart confirmation moves to the new payment intents flow.

- Confirm handler on payment intents
- Keep carts for an hour (CART_TTL_SECONDS)
- Longer graceful shutdown for in-flight confirmations

Ticket: CHK-2187
`;
  const checkoutRelease = (state: TargetState, t: Target): TargetState => {
    const next = bump('checkout', [3, 8, 0], { CART_TTL_SECONDS: '3600' })(state, t);
    const s = next.services.get('checkout')!;
    return withService(next, 'checkout', { ...s, patch: { ...s.patch!, grace: 75 } });
  };
  add(at('2026-11-09T15:30:00Z'), (time) => gen.storyRelease('acme/staging', time, SAM, checkoutMessage, checkoutRelease));
  add(at('2026-11-10T14:05:00Z'), (time) =>
    gen.storyRelease('acme/production', time, SAM, checkoutMessage, checkoutRelease, { failed: true, mark: 'checkout' }),
  );
  add(at('2026-11-10T14:22:00Z'), (time) => {
    const t = gen.target('acme/production');
    gen.commit(
      t,
      time,
      OLU,
      `acme/production: set logLevel to debug for INC-2291

Checkout 502s on POST /cart/confirm; more detail from every service while we investigate.
`,
      { ...t.state, variables: { ...t.state.variables, logLevel: 'debug' } },
    );
  });
  add(at('2026-11-10T14:41:00Z'), (time) =>
    gen.rollback('acme/production', time, OLU, 'checkout', {
      mode: 'service',
      service: 'checkout',
      justification:
        'checkout v3.8.0 returns 502 on POST /cart/confirm for ~12% of sessions since the 14:05 rollout (INC-2291). Restoring checkout to the previous revision; the debug log level stays on for the investigation.',
      author: OLU.email,
      approval: 'Approved by dana@example.com (quorum: 1/1)',
      requestId: DEMO_REQUEST_IDS.checkoutRollback,
    }),
  );
  add(at('2026-11-10T15:34:00Z'), (time) => {
    const t = gen.target('acme/production');
    gen.commit(
      t,
      time,
      OLU,
      `acme/production: restore logLevel to info after INC-2291

Checkout is healthy on the previous revision; enough logs captured for the post-mortem.
`,
      { ...t.state, variables: { ...t.state.variables, logLevel: 'info' } },
    );
  });
  add(at('2026-11-11T10:30:00Z'), (time) =>
    gen.storyRelease(
      'acme/staging',
      time,
      SAM,
      `release checkout v3.8.1

Fix the nil cart session in the confirm handler that broke v3.8.0 in production (INC-2291).

Ticket: CHK-2193
`,
      bump('checkout', [3, 8, 1]),
    ),
  );

  // acme: payments v2.14.0, fine in staging, fails in production at the very end: the open incident.
  const paymentsMessage = `release payments v2.14.0

New payment provider client with adaptive retries.

- Provider SDK 5 with built-in retries
- Lower PAYMENT_PROVIDER_TIMEOUT_MS to 800: the new client retries by itself

Ticket: PAY-1519
`;
  const paymentsRelease = bump('payments', [2, 14, 0], { PAYMENT_PROVIDER_TIMEOUT_MS: '800' });
  add(at('2026-11-19T11:20:00Z'), (time) => gen.storyRelease('acme/staging', time, SAM, paymentsMessage, paymentsRelease));
  add(at('2026-11-20T15:36:00Z'), (time) =>
    gen.storyRelease('acme/production', time, SAM, paymentsMessage, paymentsRelease, { failed: true }),
  );
}
