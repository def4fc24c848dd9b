import { expect, historyRows, test } from './fixtures.ts';

// These journeys stub /api responses with page.route, which only sees requests that reach the network:
// with the MSW demo build the page's service worker answers them first, so they run on the real server.
test.describe('API errors in the history panel', () => {
  test('a server error shows the server\'s message and can be retried', async ({ page, expectedConsoleErrors }) => {
    expectedConsoleErrors.push(/status of 500/);
    // The app retries a 5xx twice on its own; the server stays broken until the person clicks Retry.
    let failing = true;
    await page.route('**/api/targets/acme/production/history*', async (route) => {
      if (failing) {
        await route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'INTERNAL', message: 'git exploded' } }) });
      } else {
        await route.fallback();
      }
    });
    await page.goto('/targets/acme/production');
    await expect(page.getByText('git exploded')).toBeVisible();
    failing = false;
    await page.getByRole('button', { name: /retry/i }).click();
    await expect(historyRows(page).first()).toBeVisible();
  });

  test('a response that breaks the schema shows an error, never a blank page', async ({ page }) => {
    await page.route('**/api/targets/acme/production/history*', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ revisions: [{ sha: 'nope' }], nextCursor: null }) }),
    );
    await page.goto('/targets/acme/production');
    await expect(page.getByRole('alert').first()).toBeVisible();
    await expect(page.getByRole('heading', { name: /acme/ })).toBeVisible();
  });
});
