// Real server only (`*.real.spec.ts`): the branch must move under a pending request, by a real commit.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { api, openAs, USERS } from './approval-helpers.ts';

/**
 * Decision 039 on the real server (git + SQLite): the stale-plan banner shows before anyone can click
 * Approve, and the requester's confirmation brings Approve back. Writes only to initech/staging's
 * services through requests that never execute, plus one break-glass service rollback there.
 */

interface Candidate {
  service: string;
  targetSha: string;
}

/** For each service of the target, a revision whose service rollback changes something now. */
async function serviceRollbacks(page: Page, tenant: string, environment: string): Promise<Candidate[]> {
  const target = await api<{ target: { services: { name: string }[] } }>(page, USERS.sam, 'GET', `/api/targets/${tenant}/${environment}`);
  const history = await api<{ revisions: { sha: string }[] }>(page, USERS.sam, 'GET', `/api/targets/${tenant}/${environment}/history?limit=30`);
  const found: Candidate[] = [];
  for (const { name } of target.body.target.services) {
    for (const revision of history.body.revisions.slice(1)) {
      const preview = await api<{ files: unknown[] }>(page, USERS.sam, 'POST', `/api/targets/${tenant}/${environment}/rollback-preview`, {
        mode: 'service',
        service: name,
        targetSha: revision.sha,
      });
      if (preview.status === 200 && preview.body.files.length > 0) {
        found.push({ service: name, targetSha: revision.sha });
        break;
      }
    }
  }
  return found;
}

test('the stale-plan banner shows before Approve; the requester confirms the new plan, then Approve is offered', async ({ page, browser, checkA11y }) => {
  test.setTimeout(120_000);
  const [tenant, environment] = ['globex', 'production'];
  const candidates = await serviceRollbacks(page, tenant, environment);
  expect(candidates.length, 'two services with something to roll back').toBeGreaterThanOrEqual(2);
  const [mine, other] = candidates as [Candidate, Candidate];

  const created = await api<{ request: { id: string; state: string } }>(page, USERS.sam, 'POST', '/api/rollbacks', {
    tenant,
    environment,
    mode: 'service',
    service: mine.service,
    targetSha: mine.targetSha,
    justification: 'e2e: stale plan banner',
  });
  expect(created.status).toBe(201);
  expect(created.body.request.state).toBe('pending');
  const id = created.body.request.id;

  // Another service of the target rolls back at once under break-glass: the target's head moves.
  expect((await api(page, USERS.olu, 'POST', '/api/break-glass', { justification: 'e2e: move the head', minutes: 15 })).status).toBe(201);
  const moved = await api<{ request: { state: string } }>(page, USERS.olu, 'POST', '/api/rollbacks', {
    tenant,
    environment,
    mode: 'service',
    service: other.service,
    targetSha: other.targetSha,
    justification: 'e2e: another service',
  });
  expect(moved.body.request.state).toBe('completed');
  await page.request.fetch('/api/break-glass', { method: 'DELETE', headers: { 'X-Forwarded-Email': USERS.olu } });

  // Dana sees the banner and no Approve button.
  const dana = await openAs(browser, USERS.dana, `/rollbacks/${id}`);
  const banner = dana.page.getByTestId('stale-plan');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('The plan changed since it was requested');
  await expect(banner).toContainText(`It cannot be approved until Sam Rivera (${USERS.sam}) confirms the new plan.`);
  const reviews = dana.page.getByRole('region', { name: 'Reviews' });
  await expect(reviews.getByRole('button', { name: 'Reject' })).toBeVisible();
  await expect(reviews.getByRole('button', { name: /^Approve/ })).toHaveCount(0);
  await checkA11y(dana.page);

  // Sam confirms on the request page.
  const sam = await openAs(browser, USERS.sam, `/rollbacks/${id}`);
  await sam.page.getByRole('button', { name: 'Confirm the new plan' }).click();
  await expect(sam.page.getByTestId('stale-plan')).toHaveCount(0);

  // Dana's open page updates by itself: the banner goes, Approve is offered.
  await expect(banner).toHaveCount(0);
  await expect(reviews.getByRole('button', { name: /^Approve/ })).toBeVisible();
  await sam.context.close();
  await dana.context.close();
});
