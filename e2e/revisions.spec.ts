import type { Page } from '@playwright/test';
import { expect, historyRows, test } from './fixtures.ts';

/**
 * Versions and revision details (decision 031), on both projects. Read-only: nothing is committed.
 * The demo's acme/production ends with the failed `release payments v2.14.0` (from v2.13.14).
 */

/** The API from inside the page, so the mock project's in-browser backend answers too. */
async function findRevision(page: Page, query: string): Promise<string> {
  return page.evaluate(async (q) => {
    const response = await fetch(`/api/targets/acme/production/history?limit=5&q=${encodeURIComponent(q)}`);
    const body = (await response.json()) as { revisions: { sha: string; summary: string }[] };
    const found = body.revisions.find((r) => r.summary === q);
    if (!found) throw new Error(`no revision "${q}"`);
    return found.sha;
  }, query);
}

test.describe('versions and revision details', () => {
  test('history rows and the service-rollback picker read as versions', async ({ page, checkA11y }) => {
    await page.goto('/targets/acme/production');
    const current = historyRows(page).first();
    await expect(current).toContainText('release payments v2.14.0');
    const change = current.getByTestId('version-change');
    await expect(change).toHaveText('payments v2.13.14 → v2.14.0');
    await expect(change.getByText('v2.14.0', { exact: true })).toHaveAttribute('title', 'read from image.tag in tenants/acme/production/services/payments/values.yaml');
    // The target header says what each service runs now.
    await expect(page.getByTestId('service-status').filter({ hasText: 'payments' })).toContainText('v2.14.0');

    // The revision before the incident: a service rollback offers payments' version, not the row's subject.
    const previous = historyRows(page).nth(1);
    await previous.getByRole('button', { name: /^Rollback to revision/ }).click();
    await expect(page.getByRole('heading', { level: 2, name: /How much should go back\?/ })).toBeVisible();
    await page.getByRole('radio', { name: 'Service rollback' }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByRole('heading', { level: 2, name: /Which revision, and which service\?/ })).toBeVisible();
    await expect(page.getByRole('group', { name: 'Service to restore' }).getByRole('radio', { checked: true })).toHaveAttribute('value', 'payments');
    const chosen = page.getByTestId('revision-choice').filter({ has: page.getByRole('radio', { checked: true }) });
    await expect(chosen.getByTestId('restore-version')).toHaveText('payments v2.14.0 → v2.13.14');
    await checkA11y();

    // The preview says the same, from the planned files.
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByTestId('planned-versions')).toContainText('payments v2.14.0 → v2.13.14');
    await checkA11y();
  });

  test('a revision has a details page with its actions, and links to the rollback that undid it', async ({ page, checkA11y }) => {
    await page.goto('/targets/acme/production');
    const current = historyRows(page).first();
    await expect(current).toContainText('release payments v2.14.0');
    // The current, failed row has its details too.
    await current.getByRole('link', { name: /^Details of revision/ }).click();
    await expect(page).toHaveURL(/\/targets\/acme\/production\/revisions\/[0-9a-f]{40}$/);
    const detail = page.getByTestId('revision-detail');
    await expect(detail.getByRole('heading', { level: 1 })).toContainText('branch head');
    await expect(detail).toContainText('release payments v2.14.0');
    await expect(page.getByTestId('deployment-outcome')).toHaveText('Failed');
    await expect(detail.getByTestId('version-change')).toHaveText('payments v2.13.14 → v2.14.0');
    // Nothing to roll back to or compare with at the head; "compare with previous" is there.
    await expect(detail.getByRole('link', { name: /^Roll back to/ })).toHaveCount(0);
    await checkA11y();
    await detail.getByRole('link', { name: /^Compare with previous/ }).click();
    await expect(page).toHaveURL(/\/compare\?from=[0-9a-f]{40}&to=[0-9a-f]{40}$/);

    // The failed checkout release was undone by a service rollback: its page links to that commit.
    const checkout = await findRevision(page, 'release checkout v3.8.0');
    await page.goto(`/targets/acme/production/revisions/${checkout}`);
    await expect(page.getByTestId('deployment-outcome')).toHaveText('Failed');
    await expect(detail.getByRole('link', { name: `Roll back to ${checkout.slice(0, 7)}` })).toHaveAttribute('href', new RegExp(`revision=${checkout}`));
    const undoneBy = page.getByTestId('undone-by');
    await expect(undoneBy).toContainText('rbk-demo0001');
    await undoneBy.getByRole('link').first().click();
    await expect(detail).toContainText('Rollback: tenant/acme env/production');
    await expect(detail).toContainText('request rbk-demo0001');
    await checkA11y();
  });
});
