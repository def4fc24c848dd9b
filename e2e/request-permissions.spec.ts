import { expect, test } from './fixtures.ts';

/** Decision 039: a viewer learns at the wizard's first step that they cannot submit there (both projects). */
test('a viewer sees at step 1 that they cannot request a rollback, and why', async ({ page, checkA11y }) => {
  await page.addInitScript(() => {
    localStorage.setItem('rewind.identity', JSON.stringify({ state: { email: 'viktor@example.com' }, version: 0 }));
  });
  // A link to a later step still opens at the first one.
  await page.goto('/rollback/new?tenant=acme&environment=production&mode=full&step=preview');
  await expect(page.getByRole('heading', { level: 2 })).toHaveText(/Which tenant and environment\?/);
  await expect(page.getByRole('alert')).toContainText(
    'You cannot request a rollback here: requesting a rollback on acme/production requires the role requester, approver or admin (viktor@example.com has viewer).',
  );
  await expect(page.getByText('you cannot request here').first()).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { level: 2 })).toHaveText(/Which tenant and environment\?/);
  await checkA11y();
});
