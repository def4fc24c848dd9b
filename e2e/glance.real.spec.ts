// Real server only (`*.real.spec.ts`): the branch moves under a pending request by a real commit, and
// the compare endpoint is answered through the network (page.route), which MSW's worker would bypass.
import type { Page } from '@playwright/test';
import { expect, historyRows, test } from './fixtures.ts';
import { api, moveHeadUnderBreakGlass, openAs, serviceRollbackCandidates, USERS, type ServiceRollbackCandidate } from './approval-helpers.ts';

/**
 * Decision 043: the approvals queue says a plan changed before anyone clicks, every open-requests list
 * says "awaiting confirmation", and a 110-row field table stays short. Writes to globex/production: one
 * request that is withdrawn at the end, and one break-glass service rollback that moves the head.
 */

async function expectNoSidewaysScroll(page: Page) {
  const offenders = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > width + 1)
      .filter((element) => !element.closest('.d2h-file-diff, .d2h-file-side-diff, .virtual-diff, .history-grid'))
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${element.className}`);
  });
  expect(offenders).toEqual([]);
}

test('the approvals queue shows a changed plan before any click, and open-request lists say "awaiting confirmation"', async ({ page, browser, checkA11y }) => {
  test.setTimeout(150_000);
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
    justification: 'e2e glance: queue banner\nsecond line only on the request page',
  });
  expect(created.status).toBe(201);
  const id = created.body.request.id;

  // Another service rolls back at once under break-glass: the target's head moves.
  await moveHeadUnderBreakGlass(page, tenant, environment, other, 'e2e glance: move the head');

  // Dana opens her queue: the row says what changed, awaits Sam, and offers no approve.
  const dana = await openAs(browser, USERS.dana, '/approvals');
  const awaiting = dana.page.getByRole('region', { name: /^Awaiting the requester’s confirmation/ });
  const row = awaiting.locator(`[data-testid="approval-row"][data-request-id="${id}"]`);
  await expect(row).toBeVisible();
  const banner = row.getByTestId('queue-stale-banner');
  await expect(banner).toContainText('Plan changed since it was requested: the plan ');
  // The name is read with its email (visually hidden, decision 047).
  await expect(banner).toContainText('Awaiting Sam Rivera (sam@example.com)’s confirmation; nobody can approve it until then.');
  await expect(row.getByTestId('request-title')).toHaveText(new RegExp(`^Service rollback of ${mine.service} in globex/production to (v?\\d[\\w.+-]*|[0-9a-f]{7})$`));
  await expect(row.getByTestId('justification')).toContainText('“e2e glance: queue banner”');
  await expect(row.getByTestId('justification')).not.toContainText('second line');
  await expect(row.getByRole('button')).toHaveCount(0);
  await expect(dana.page.getByRole('region', { name: /^Waiting for your review/ }).locator(`[data-request-id="${id}"]`)).toHaveCount(0);
  await expect(dana.page.getByRole('link', { name: /^Approvals/ })).toHaveAttribute('title', /awaiting the requester's confirmation/);
  await checkA11y(dana.page);
  await dana.page.screenshot({ path: test.info().outputPath('glance-queue-1440.png'), fullPage: true });
  await dana.page.setViewportSize({ width: 390, height: 844 });
  await expect(banner).toBeVisible();
  await expectNoSidewaysScroll(dana.page);
  await checkA11y(dana.page);
  await dana.page.screenshot({ path: test.info().outputPath('glance-queue-390.png'), fullPage: true });

  // The target page's open requests say so too, not "pending".
  await dana.page.setViewportSize({ width: 1440, height: 900 });
  await dana.page.goto(`/targets/${tenant}/${environment}`);
  const open = dana.page.getByTestId('open-request').filter({ has: dana.page.locator(`a[href="/rollbacks/${id}"]`) });
  await expect(open).toHaveAttribute('data-standing', 'awaiting-confirmation');
  await expect(open).toContainText('awaiting Sam Rivera\'s confirmation: the plan changed');

  // Leave the target as it was for later journeys: Sam withdraws the request.
  expect((await api(page, USERS.sam, 'POST', `/api/rollbacks/${id}/withdraw`, {})).status).toBe(200);
  await dana.context.close();
});

test('a 110-row field table stays short: groups per service with counts, the first rows, blocks for multi-line values; stacked on a phone', async ({ page, checkA11y }) => {
  const services = ['payments', 'checkout', 'ledger', 'search', 'notifications', 'gateway'];
  await page.route('**/api/targets/acme/production/compare?**', async (route) => {
    const response = await route.fetch();
    const diff = (await response.json()) as { fields: unknown[] };
    const fields = services.flatMap((service, s) =>
      Array.from({ length: s === 0 ? 60 : 10 }, (_, i) => ({ service, file: `tenants/acme/production/services/${service}/config.yaml`, path: ['data', `key${i}`], from: `old-${i}`, to: `new-${i}` })),
    );
    fields[0] = { ...fields[0]!, path: ['data', 'nginx.conf'], from: 'server {\n  listen 80;\n  location / { proxy_pass http://payments; }\n}\n', to: 'server {\n  listen 8080;\n}\n' };
    await route.fulfill({ response, json: { ...diff, fields } });
  });
  await page.goto('/targets/acme/production');
  const sha = (await historyRows(page).nth(1).getAttribute('data-sha'))!;
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.goto(`/targets/acme/production/compare?from=${sha}&to=head`);
    await expect(page.getByTestId('field-count')).toHaveText(/^110 fields in 6 groups/);
    await expect(page.getByTestId('field-row')).toHaveCount(24);
    const tableTop = await page.getByRole('heading', { name: 'Changed fields' }).evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
    const filesTop = await page.getByRole('navigation', { name: 'Changed files' }).evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
    console.log(`field table at ${width} px: ${Math.round(filesTop - tableTop)} px from its heading to the file list`);
    expect(filesTop - tableTop).toBeLessThan(width === 390 ? 5_000 : 2_000);
    const block = page.getByTestId('field-row').first().getByTestId('field-block').first();
    await expect(block).toHaveCSS('white-space', 'pre-wrap');
    expect((await block.boundingBox())!.height).toBeGreaterThan(40);
    if (width === 390) await expectNoSidewaysScroll(page);
    await checkA11y();
    await page.screenshot({ path: test.info().outputPath(`glance-fields-${width}.png`), fullPage: false });
    await page.getByTestId('field-row').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: test.info().outputPath(`glance-fields-rows-${width}.png`), fullPage: false });

    // Collapse and expand by keyboard; "Show all" shows the rest of one group.
    const payments = page.getByRole('button', { name: 'payments 60 fields' });
    await payments.focus();
    await page.keyboard.press('Enter');
    await expect(payments).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByTestId('field-row')).toHaveCount(16);
    await page.keyboard.press('Space');
    await expect(payments).toHaveAttribute('aria-expanded', 'true');
    await page.getByRole('button', { name: 'Show all 60 fields of payments' }).click();
    await expect(page.getByTestId('field-row')).toHaveCount(76);
    // For the record: every group open and shown in full, what the table used to cost.
    for (const service of services.slice(1)) {
      const toggle = page.getByRole('button', { name: `${service} 10 fields` });
      if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
      const more = page.getByRole('button', { name: `Show all 10 fields of ${service}` });
      if (await more.count()) await more.click();
    }
    await expect(page.getByTestId('field-row')).toHaveCount(110);
    const allTop = await page.getByRole('navigation', { name: 'Changed files' }).evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
    console.log(`field table at ${width} px, all 110 rows shown: ${Math.round(allTop - tableTop)} px`);
  }
});
