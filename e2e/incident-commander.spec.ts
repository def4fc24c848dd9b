import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/**
 * Issue 12's incident commander: from the overview to a submitted service rollback of payments in
 * acme/production, choosing the restore point by the version it brings back ("v2.13.12"), never by a
 * sha or a commit subject. On both projects; acme/production needs an approval, so the request stays
 * pending, and is withdrawn at the end so that later journeys on the shared real server see none.
 */

const api = (page: Page, path: string, body?: unknown) =>
  page.evaluate(
    async ({ path, body }) => {
      const init: RequestInit = body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
      const response = await fetch(path, init);
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    },
    { path, body },
  );

test('the incident commander rolls payments back to v2.13.12 from the overview, reading versions only', async ({ page, checkA11y, userInteractions }) => {
  await page.goto('/');
  const acme = page.getByTestId('target-row').filter({ has: page.getByRole('link', { name: 'acme / production', exact: true }) });
  await expect(acme.getByRole('list', { name: 'Versions at the branch head of acme/production' })).toContainText('payments v2.14.0');
  await checkA11y();
  // From here on the page counts every pointer and key press the journey needs.
  await userInteractions.reset();

  await acme.getByRole('link', { name: 'Roll back payments in acme/production' }).click();
  const heading = page.getByRole('heading', { level: 2 });
  await expect(heading).toHaveText(/Which revision, and which service\?/);
  await expect(page.getByRole('group', { name: 'Service to restore' }).getByRole('radio', { checked: true })).toHaveAttribute('value', 'payments');

  // The restore point, read as the version payments goes back to: the newest revision that has it.
  const byVersion = page.getByTestId('restore-version').filter({ hasText: /^payments v2\.14\.0 → v2\.13\.12$/ });
  await expect(byVersion.first()).toBeVisible();
  await byVersion.first().click();
  const chosen = page.getByTestId('revision-choice').filter({ has: page.getByRole('radio', { checked: true }) });
  await expect(chosen.getByTestId('restore-version')).toHaveText('payments v2.14.0 → v2.13.12');
  const restoreSha = (await chosen.getAttribute('data-sha'))!;
  await checkA11y();
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(heading).toHaveText(/What will the rollback commit\?/);
  await expect(page.getByTestId('planned-versions')).toContainText('payments v2.14.0 → v2.13.12');
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(heading).toHaveText(/Why, and submit/);
  await page.getByLabel('Justification (required)').fill('payments v2.14.0 fails captures: back to v2.13.12');
  await checkA11y();
  await page.getByRole('button', { name: 'Submit for approval' }).click();

  await expect(page).toHaveURL(/\/rollbacks\/rbk-[a-z0-9]+$/);
  await expect(page.getByTestId('request-state')).toHaveText('Pending approval');
  const interactions = await userInteractions.count();
  expect(interactions).toBeGreaterThan(0);
  expect(interactions).toBeLessThanOrEqual(6);
  test.info().annotations.push({ type: 'interactions', description: `overview → submitted service rollback of payments by version: ${interactions}` });
  await checkA11y();

  // The submitted request restores the chosen revision, and there payments is v2.13.12.
  const id = page.url().split('/').at(-1)!;
  const { json } = await api(page, `/api/rollbacks/${id}`);
  expect(json.request).toMatchObject({ tenant: 'acme', environment: 'production', mode: 'service', service: 'payments', targetSha: restoreSha, state: 'pending' });
  const preview = await api(page, '/api/targets/acme/production/rollback-preview', { mode: 'service', service: 'payments', targetSha: restoreSha });
  expect(preview.status).toBe(200);
  expect(preview.json.versions).toEqual([expect.objectContaining({ service: 'payments', to: expect.objectContaining({ known: true, version: 'v2.13.12' }) })]);

  // Decision 047: the request recorded the versions, so its title says where payments goes back to;
  // people are shown by name, the email on hover and read after the name.
  expect((json.request as { versions?: unknown }).versions).toEqual(preview.json.versions);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Service rollback of payments in acme/production to v2.13.12');
  const me = (await api(page, '/api/me')).json.user as { email: string; name: string };
  expect(me.name).not.toBe(me.email);
  const requested = page.getByTestId('timeline').getByRole('listitem').first();
  await expect(requested).toContainText(`Requested by ${me.name} (${me.email})`);
  const person = (scope: Locator) => scope.locator('.person').filter({ hasText: me.name }).first();
  await expect(person(requested)).toHaveAttribute('title', me.email);
  await expect(person(page.getByRole('definition').filter({ hasText: me.name }))).toHaveText(`${me.name} (${me.email})`);
  await checkA11y();
  // The audit trail's actor column (its export keeps the email), then the queue's title. By links:
  // a reload would lose the mock backend's requests.
  await page.getByRole('link', { name: 'Audit trail of this request' }).click();
  await expect(page).toHaveURL(new RegExp(`/audit\\?requestId=${id}$`));
  await expect(person(page.locator(`[data-testid="audit-row"][data-request-id="${id}"]`).first())).toHaveAttribute('title', me.email);
  await checkA11y();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Approvals/ }).click();
  const row = page.locator(`[data-testid="approval-row"][data-request-id="${id}"]`);
  await expect(row.getByTestId('request-title')).toHaveText('Service rollback of payments in acme/production to v2.13.12');
  await expect(person(row)).toHaveAttribute('title', me.email);
  await checkA11y();

  expect((await api(page, `/api/rollbacks/${id}/withdraw`, { reason: 'e2e: leave no pending request behind' })).status).toBe(200);
});
