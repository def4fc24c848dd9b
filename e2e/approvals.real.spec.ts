// Real server only (`*.real.spec.ts`): these journeys write commits and need one backend shared by
// several browsers, which the in-browser MSW demo cannot be.
import type { Page } from '@playwright/test';
import { expect, historyRows, test } from './fixtures.ts';
import { api, auditTypesOf, createPendingRollback, openAs, requestRollbackViaWizard, switchUser, USERS } from './approval-helpers.ts';

/**
 * Approval journeys on the real server (git + SQLite): a requester asks, approvers review through the
 * user switcher, the quorum executes the rollback, live updates refresh other open pages, and the
 * audit trail tells the story.
 *
 * Only globex is written to: globex/staging (quorum 1) and globex/production (quorum 2). The other
 * real-project journeys read acme/production as the demo leaves it (the failed payments release on
 * top) and commit to acme/staging and initech/production; acme/production gets a request here that is
 * rejected, never a commit.
 */
test.beforeEach(() => {
});

const queueRow = (page: Page, id: string) => page.locator(`[data-testid="approval-row"][data-request-id="${id}"]`);
const reviews = (page: Page) => page.getByRole('region', { name: 'Reviews' });

test.describe('approvals', () => {
  test('quorum 1: Sam requests, Dana approves through the user switcher, the rollback lands', async ({ page, browser, checkA11y }) => {
    // Dana already has the queue open in another browser: the request must appear there by itself.
    const other = await openAs(browser, USERS.dana, '/approvals');
    await expect(other.page.getByRole('heading', { level: 1, name: 'Approvals' })).toBeVisible();
    await other.page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    await page.goto('/');
    await expect(page.getByLabel('Acting as')).toHaveValue(USERS.sam);
    const id = await requestRollbackViaWizard(page, 'globex/staging', 'release fails: restore the previous version');
    await expect(page.getByTestId('request-state')).toHaveText('Pending approval');
    await expect(page.getByText(/Waiting for 1 approval/)).toBeVisible();
    // Sam may not review his own request: no role, and it is his.
    await expect(reviews(page).getByTestId('review-blocked')).toHaveText(
      'This is your own request: globex/staging needs someone else to approve or reject it.',
    );

    await expect(queueRow(other.page, id)).toBeVisible();
    await expect(queueRow(other.page, id)).toContainText('Sam Rivera');
    await expect(queueRow(other.page, id).getByTestId('quorum')).toHaveText('0 of 1');
    expect(await other.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

    await switchUser(page, USERS.dana);
    await expect(page.getByRole('link', { name: /^Approvals \d+ waiting for your review$/ })).toBeVisible();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Approvals/ }).click();
    await expect(page).toHaveURL(/\/approvals$/);
    await expect(queueRow(page, id)).toBeVisible();
    await checkA11y();
    await queueRow(page, id).getByRole('link', { name: `Review rollback ${id}` }).click();

    await expect(page).toHaveURL(new RegExp(`/rollbacks/${id}$`));
    await expect(page.getByTestId('justification')).toHaveText('release fails: restore the previous version');
    await expect(page.getByTestId('field-row').first()).toBeVisible();
    await checkA11y();
    await reviews(page).getByLabel('Comment (optional)').fill('matches the last good release');
    await reviews(page).getByRole('button', { name: 'Approve and roll back' }).click();

    await expect(page.getByTestId('request-state')).toHaveText('Completed', { timeout: 20_000 });
    const commit = page.getByTestId('commit-sha');
    await expect(commit).toHaveText(/^[0-9a-f]{7}$/);
    const commitSha = (await commit.getAttribute('title'))!;
    await expect(reviews(page).getByTestId('review')).toContainText('Approved by Dana Whitfield (dana@example.com)');
    await expect(reviews(page).getByTestId('review')).toContainText('matches the last good release');
    await expect(page.getByTestId('verification-commit')).toContainText('is on the branch');
    const timeline = page.getByTestId('timeline').getByRole('listitem');
    await expect(timeline).toHaveCount(5);
    expect(await timeline.evaluateAll((items) => items.map((item) => item.getAttribute('data-step')))).toEqual([
      'requested',
      'reviewed',
      'approved',
      'executing',
      'completed',
    ]);
    // The cluster converges over a few seconds in the demo: the verification refreshes by itself.
    await expect(page.getByTestId('verification-service').first()).toContainText('Synced', { timeout: 15_000 });
    await checkA11y();

    // Dana's other page: the request left the queue, again without a reload.
    await expect(queueRow(other.page, id)).toHaveCount(0);
    await other.context.close();

    await page.getByRole('link', { name: 'History of globex/staging' }).click();
    const top = historyRows(page).first();
    await expect(top).toHaveAttribute('data-sha', commitSha);
    await expect(top.getByText('Rollback', { exact: true })).toBeVisible();

    await page.goto('/audit?tenant=globex&environment=staging');
    expect(await auditTypesOf(page, id)).toEqual(['rollback.requested', 'rollback.reviewed', 'rollback.executed']);
    await checkA11y();
  });

  test('quorum 2: two approvers on globex/production; one review each', async ({ page, checkA11y }) => {
    const id = await requestRollbackViaWizard(page, 'globex/production', 'inventory sync broken since the last release');
    await expect(page.getByText(/Waiting for 2 approvals/)).toBeVisible();

    await switchUser(page, USERS.dana);
    await reviews(page).getByRole('button', { name: 'Approve' }).click();
    await expect(reviews(page).getByTestId('quorum-progress')).toHaveText('1 of 2 approvals');
    await expect(page.getByTestId('request-state')).toHaveText('Pending approval');
    await expect(reviews(page).getByTestId('review-note')).toHaveText('You approved this request.');
    await expect(reviews(page).getByRole('button', { name: /^Approve/ })).toHaveCount(0);

    await switchUser(page, USERS.priya);
    await expect(reviews(page).getByText('Your approval reaches the quorum: the rollback is committed as soon as you approve.')).toBeVisible();
    await reviews(page).getByLabel('Comment (optional)').fill('second pair of eyes: ok');
    await reviews(page).getByRole('button', { name: 'Approve and roll back' }).click();
    await expect(page.getByTestId('request-state')).toHaveText('Completed', { timeout: 20_000 });
    await expect(reviews(page).getByTestId('quorum-progress')).toHaveText('2 of 2 approvals');

    // The request's own audit trail: the page links to the audit filtered by its id, and shows only its events.
    await page.getByRole('link', { name: 'Audit trail of this request' }).click();
    await expect(page).toHaveURL(new RegExp(`/audit\\?requestId=${id}$`));
    await expect(page.getByRole('group', { name: 'Request' }).getByRole('link', { name: id })).toBeVisible();
    expect(await auditTypesOf(page, id)).toEqual(['rollback.requested', 'rollback.reviewed', 'rollback.reviewed', 'rollback.executed']);
    await expect(page.getByTestId('audit-row')).toHaveCount(4);
    await checkA11y();
    await page.getByRole('button', { name: `Remove the filter request ${id}` }).click();
    await expect(page).toHaveURL(/\/audit$/);
  });

  test.describe('self-approval', () => {
    // The forced review is refused with 403, which the browser logs.
    test.use({ expectedConsoleErrors: [/status of 403/] });

    test('is blocked in the UI and, when forced, by the server with the exact message', async ({ page }) => {
      // Marcus is an admin: requester and approver, so only the self-approval rule stops him.
      const request = await createPendingRollback(page, USERS.marcus, 'acme', 'production', 'self-approval check');
      expect(request.state).toBe('pending');
      await page.goto(`/rollbacks/${request.id}`);
      await switchUser(page, USERS.marcus);
      const approve = reviews(page).getByRole('button', { name: 'Approve' });
      await expect(approve).toBeDisabled();
      await expect(reviews(page).getByRole('button', { name: 'Reject' })).toBeDisabled();
      await expect(approve).toHaveAccessibleDescription('This is your own request: acme/production needs someone else to approve or reject it.');

      const forced = await page.evaluate(async (path) => {
        const response = await fetch(path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Forwarded-Email': 'MARCUS@example.com' },
          body: JSON.stringify({ decision: 'approve' }),
        });
        return { status: response.status, body: (await response.json()) as unknown };
      }, `/api/rollbacks/${request.id}/reviews`);
      expect(forced).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'cannot approve/reject your own rollback request' } } });
      await expect(page.getByTestId('request-state')).toHaveText('Pending approval');

      // Leave nothing pending for the other journeys: Dana rejects it.
      const rejected = await api<{ request: { state: string } }>(page, USERS.dana, 'POST', `/api/rollbacks/${request.id}/reviews`, {
        decision: 'reject',
        comment: 'test cleanup',
      });
      expect(rejected.body.request.state).toBe('rejected');
      await expect(page.getByTestId('request-state')).toHaveText('Rejected');
    });
  });

  test('break-glass: Olu rolls back a quorum-2 target at once; everything is flagged; then closes it', async ({ page, checkA11y }) => {
    await page.goto('/');
    await switchUser(page, USERS.olu);
    await page.getByRole('button', { name: 'Break glass' }).click();
    const dialog = page.getByRole('dialog', { name: 'Open a break-glass session' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Open break-glass' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('Say why you need break-glass: a justification is required.');
    await checkA11y();
    await dialog.getByLabel('Justification (required)').fill('INC-4242: storefront down, no approver reachable');
    await dialog.getByRole('radio', { name: '15 minutes' }).check();
    await dialog.getByRole('button', { name: 'Open break-glass' }).click();

    const banner = page.getByRole('region', { name: 'Break-glass is active' });
    await expect(banner).toBeVisible();
    await expect(banner).toBeFocused();
    await expect(banner.getByTestId('break-glass-remaining')).toHaveText(/^1[45]:\d\d left$/);
    await expect(banner.getByTestId('break-glass-justification')).toHaveText('INC-4242: storefront down, no approver reachable');
    await checkA11y();

    // globex/production needs two approvals; under break-glass it executes at once.
    const id = await requestRollbackViaWizard(page, 'globex/production', 'storefront 500s after the release');
    await expect(page.getByTestId('request-state')).toHaveText('Completed', { timeout: 20_000 });
    await expect(page.getByText('Approval skipped under a break-glass session')).toBeVisible();
    await expect(banner).toBeVisible();

    await page.goto(`/audit?actor=${encodeURIComponent(USERS.olu)}`);
    expect(await auditTypesOf(page, id)).toEqual(['rollback.requested', 'rollback.executed']);
    const ours = page.locator(`[data-testid="audit-row"][data-request-id="${id}"]`);
    for (const row of await ours.all()) await expect(row.getByTestId('break-glass-flag')).toHaveText('⚠ Break-glass');
    const opened = page.locator('[data-testid="audit-row"][data-type="break-glass.opened"]').first();
    await expect(opened.getByTestId('break-glass-flag')).toBeVisible();
    await checkA11y();

    await banner.getByRole('button', { name: 'Close break-glass' }).click();
    await expect(banner).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Break glass' })).toBeVisible();
    // The audit page refreshes on the break-glass event: the close is there, flagged.
    const closed = page.locator('[data-testid="audit-row"][data-type="break-glass.closed"]').first();
    await expect(closed).toBeVisible();
    await expect(closed.getByTestId('break-glass-flag')).toBeVisible();
  });
});
