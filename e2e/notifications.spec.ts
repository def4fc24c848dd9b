import { expect, test } from './fixtures.ts';

/**
 * The request page's Notifications list (decision 038). Neither e2e backend configures a channel, so
 * the list says so; the journey checks that it is there, named, and passes axe. Delivery states are
 * covered by the component test (notifications-panel.test.tsx) and the server's receiver tests.
 */
test('a request page says which notifications went out, accessibly', async ({ page, checkA11y }) => {
  await page.goto('/');
  await expect(page.getByTestId('target-row').first()).toBeVisible();
  const id = await page.evaluate(async () => {
    const history = (await (await fetch('/api/targets/globex/staging/history?limit=2')).json()) as { revisions: { sha: string }[] };
    const response = await fetch('/api/rollbacks', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tenant: 'globex', environment: 'staging', mode: 'full', targetSha: history.revisions[1]!.sha, justification: 'e2e: notifications' }),
    });
    const body = (await response.json()) as { request?: { id: string }; error?: { message: string } };
    if (!body.request) throw new Error(`rollback request refused: ${body.error?.message ?? response.status}`);
    return body.request.id;
  });
  // Client-side navigation: a reload would reset the mock project's in-browser backend.
  await page.evaluate((to) => {
    window.history.pushState({}, '', to);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, `/rollbacks/${id}`);
  const section = page.getByRole('region', { name: 'Notifications' });
  await expect(section).toContainText('No notifications kept for this request: no channel is configured for its events and target, or they were delivered or failed longer ago than the outbox keeps them');
  await checkA11y();
});
