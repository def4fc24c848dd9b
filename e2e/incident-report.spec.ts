import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/**
 * A request with an incident, its page, and the incident's report with the Markdown a reviewer pastes
 * into the post-incident review. The request is made through the API from inside the page (the mock
 * project's backend lives there) on globex/staging, where it waits for approval: nothing is committed.
 */
async function requestWithIncident(page: Page, incident: { id: string; url: string }): Promise<string> {
  return page.evaluate(async (incident) => {
    const history = (await (await fetch('/api/targets/globex/staging/history?limit=2')).json()) as { revisions: { sha: string; services: string[] }[] };
    const [head, before] = history.revisions;
    const response = await fetch('/api/rollbacks', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        tenant: 'globex',
        environment: 'staging',
        mode: 'full',
        targetSha: before!.sha,
        justification: `e2e: ${head!.sha.slice(0, 7)} broke checkout`,
        incident,
      }),
    });
    const body = (await response.json()) as { request?: { id: string }; error?: { message: string } };
    if (!body.request) throw new Error(`rollback request refused: ${body.error?.message ?? response.status}`);
    return body.request.id;
  }, incident);
}

/** Client-side navigation: a reload would reset the mock project's in-browser backend. */
async function openInApp(page: Page, path: string) {
  await page.evaluate((to) => {
    window.history.pushState({}, '', to);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}

test('the incident on the request page, and its report as Markdown with a copy button', async ({ page, context, checkA11y }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  // Targets listed: the backend answers (on the mock project, its service worker is running).
  await expect(page.getByTestId('target-row').first()).toBeVisible();
  const incident = { id: `INC-E2E-${Date.now() % 100000}`, url: 'https://status.example.com/incidents/e2e' };
  const id = await requestWithIncident(page, incident);

  await openInApp(page, `/rollbacks/${id}`);
  const shown = page.getByTestId('request-incident');
  await expect(shown).toHaveText(incident.id);
  await expect(shown.getByRole('link')).toHaveAttribute('href', incident.url);
  await page.getByRole('link', { name: 'Report of this incident' }).click();
  await expect(page).toHaveURL(new RegExp(`/incidents/report\\?incident=${incident.id}$`));

  const report = page.getByTestId('incident-report');
  await expect(report.getByRole('heading', { level: 1 })).toHaveText(`Post-incident report: Incident ${incident.id}`);
  await expect(page.getByTestId('duration-response')).toContainText('unknown');
  await expect(report.getByRole('link', { name: id })).toBeVisible();
  const markdown = page.getByTestId('report-markdown');
  await expect(markdown).toContainText(`# Post-Incident Review: Incident ${incident.id}`);
  await expect(markdown).toContainText(`- ${id}: full rollback in globex/staging, pending.`);
  await expect(markdown).toContainText('Rollback requested: full rollback in globex/staging');
  for (const heading of ['### Timeline', '### Pipeline Questions', '### Action Items']) await expect(markdown).toContainText(heading);
  // Nothing committed yet: the cluster has nothing to report, and the report says so (decision 044).
  await expect(page.getByTestId('report-cluster')).toHaveText('No rollback has been committed yet.');
  await expect(markdown).toContainText('Cluster sync and health: no rollback has been committed yet.');
  await checkA11y();

  await page.getByRole('button', { name: 'Copy Markdown' }).click();
  await expect(page.getByText('Copied the report as Markdown.')).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(await markdown.textContent());
  await expect(page.getByRole('link', { name: /^Download .*\.md$/ })).toHaveAttribute('download', `incident-${incident.id.toLowerCase()}.md`);
});
