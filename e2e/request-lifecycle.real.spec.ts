// Real server only (`*.real.spec.ts`): the branch must move under a pending request, by a real commit.
import { expect, test } from './fixtures.ts';
import { api, moveHeadUnderBreakGlass, openAs, serviceRollbackCandidates, USERS, type ServiceRollbackCandidate } from './approval-helpers.ts';

/**
 * Decision 039 on the real server (git + SQLite): the stale-plan banner shows before anyone can click
 * Approve, and the requester's confirmation brings Approve back. Writes only to initech/staging's
 * services through requests that never execute, plus one break-glass service rollback there.
 */

test('the stale-plan banner shows before Approve; the requester confirms the new plan, then Approve is offered', async ({ page, browser, checkA11y }) => {
  test.setTimeout(120_000);
  const [tenant, environment] = ['globex', 'production'];
  const candidates = await serviceRollbackCandidates(page, tenant, environment);
  expect(candidates.length, 'two services with something to roll back').toBeGreaterThanOrEqual(2);
  const [mine, other] = candidates as [ServiceRollbackCandidate, ServiceRollbackCandidate];

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
  await moveHeadUnderBreakGlass(page, tenant, environment, other, 'e2e: move the head');

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
