import type { Page } from '@playwright/test';
import { expect, historyRows, test } from './fixtures.ts';

// Journeys on the demo data, so they run on both projects: the MSW demo build and the real server.
const fieldRow = (page: Page, field: string) => page.getByTestId('field-row').filter({ hasText: field });

test.describe('revision compare', () => {
  test('"Compare with current" in the history opens the payments release', async ({ page, checkA11y }) => {
    await page.goto('/targets/acme/production');
    const second = historyRows(page).nth(1);
    await expect(second).toBeVisible();
    const sha = (await second.getAttribute('data-sha'))!;
    await second.getByRole('button', { name: /Compare revision .* with current/ }).click();
    await expect(page).toHaveURL(new RegExp(`/targets/acme/production/compare\\?from=${sha}&to=head$`));

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Compare revisions of acme/production');
    const to = page.getByTestId('compare-to');
    await expect(to).toContainText('release payments v2.14.0');
    await expect(to).toContainText('branch head');
    await expect(page.getByTestId('compare-from')).toContainText(sha.slice(0, 7));
    await expect(page.getByRole('region', { name: 'Impact' })).toContainText('1 service changed');

    await expect(page.getByRole('button', { name: 'payments 2 fields' })).toHaveAttribute('aria-expanded', 'true');
    const tag = fieldRow(page, 'image.tag');
    await expect(tag).toContainText('v2.13.14');
    await expect(tag).toContainText('v2.14.0');
    const timeout = fieldRow(page, 'env[name=PAYMENT_PROVIDER_TIMEOUT_MS].value');
    await expect(timeout).toContainText('"3000"');
    await expect(timeout).toContainText('"800"');

    // The file list links to the file's diff, which shows the changed lines.
    await page.getByRole('navigation', { name: 'Changed files' }).getByRole('link', { name: 'payments/values.yaml' }).click();
    await expect(page).toHaveURL(/#file-tenants-acme-production-services-payments-values-yaml$/);
    const card = page.locator('#file-tenants-acme-production-services-payments-values-yaml');
    await expect(card).toBeInViewport();
    await expect(card.getByText('tag: "v2.14.0"')).toBeVisible();
    await checkA11y();

    // Collapse and expand the file.
    const toggle = card.getByRole('button', { name: 'tenants/acme/production/services/payments/values.yaml' });
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(card.getByText('tag: "v2.14.0"')).toBeHidden();
    await toggle.click();
    await expect(card.getByText('tag: "v2.14.0"')).toBeVisible();
  });

  test('pick two revisions in the history, compare them, then swap', async ({ page, checkA11y }) => {
    await page.goto('/targets/acme/production');
    await expect(historyRows(page).nth(3)).toBeVisible();
    const newer = (await historyRows(page).nth(1).getAttribute('data-sha'))!;
    const older = (await historyRows(page).nth(3).getAttribute('data-sha'))!;
    const compare = page.getByRole('button', { name: 'Compare selected' });
    await expect(compare).toBeDisabled();

    // Picked newest first: the compare still goes from the older to the newer.
    await page.getByRole('checkbox', { name: `Select revision ${newer.slice(0, 7)} for compare` }).check();
    await page.getByRole('checkbox', { name: `Select revision ${older.slice(0, 7)} for compare` }).check();
    await expect(page.getByRole('checkbox', { name: /Select revision/ }).nth(5)).toBeDisabled();
    await checkA11y();
    await compare.click();
    await expect(page).toHaveURL(new RegExp(`/compare\\?from=${older}&to=${newer}$`));
    await expect(page.getByTestId('compare-from')).toContainText(older.slice(0, 7));
    await expect(page.getByTestId('compare-to')).toContainText(newer.slice(0, 7));
    await expect(page.getByTestId('field-row').first()).toBeVisible();
    const forward = await page.getByTestId('field-row').first().textContent();

    await page.getByRole('button', { name: 'Swap from and to' }).click();
    await expect(page).toHaveURL(new RegExp(`/compare\\?from=${newer}&to=${older}$`));
    await expect(page.getByTestId('compare-from')).toContainText(newer.slice(0, 7));
    await expect(page.getByTestId('field-row').first()).toBeVisible();
    expect(await page.getByTestId('field-row').first().textContent()).not.toBe(forward);
    // Back undoes the swap.
    await page.goBack();
    await expect(page).toHaveURL(new RegExp(`/compare\\?from=${older}&to=${newer}$`));
  });

  test('the diff layout toggle is remembered across a reload', async ({ page, checkA11y }) => {
    await page.goto('/targets/acme/production');
    const sha = (await historyRows(page).nth(1).getAttribute('data-sha'))!;
    await page.goto(`/targets/acme/production/compare?from=${sha}&to=head`);
    const card = page.getByTestId('diff-file').first();
    await expect(card.locator('.d2h-file-side-diff')).toHaveCount(2);

    await page.getByRole('radio', { name: 'Line by line' }).check();
    await expect(card.locator('.d2h-file-side-diff')).toHaveCount(0);
    await expect(card.locator('.d2h-file-diff')).toHaveCount(1);
    await checkA11y();

    await page.reload();
    await expect(page.getByRole('radio', { name: 'Line by line' })).toBeChecked();
    await expect(page.getByTestId('diff-file').first().locator('.d2h-file-diff')).toHaveCount(1);
    await page.getByRole('radio', { name: 'Side by side' }).check();
    await expect(page.getByTestId('diff-file').first().locator('.d2h-file-side-diff')).toHaveCount(2);
  });

  test('a long span shows the text diff, then its field changes; a file shows more context on request', async ({ page, checkA11y }) => {
    await page.goto('/targets/acme/production');
    const older = historyRows(page).nth(10);
    await expect(older).toBeVisible();
    const sha = (await older.getAttribute('data-sha'))!;
    // Many services changed since: over the inline budget, so the field changes come from a second request.
    const fieldsAnswered = page.waitForResponse((response) => response.url().includes('/compare/fields?') && response.status() === 200);
    await page.goto(`/targets/acme/production/compare?from=${sha}&to=head`);
    await expect(page.getByTestId('diff-file').first()).toBeVisible();
    await fieldsAnswered;
    await expect(page.getByTestId('field-row').first()).toBeVisible();
    await expect(page.getByRole('region', { name: 'Impact' })).not.toContainText('fields pending');
    await expect(page.getByRole('region', { name: 'Impact' })).toContainText(/\d+ fields?,/);
    await checkA11y();

    // More context around the changes of one modified file, then all of it, then back.
    const bar = page.getByRole('group', { name: /^Context lines of / }).first();
    const card = page.getByTestId('diff-file').filter({ has: bar });
    const lineNumbers = card.locator('.d2h-code-side-linenumber, .d2h-code-linenumber');
    await expect(lineNumbers.first()).toBeVisible();
    const before = await lineNumbers.count();
    await bar.getByRole('button', { name: 'More context' }).click();
    await expect.poll(() => lineNumbers.count()).toBeGreaterThan(before);
    // The demo manifests are short: 23 lines of context may already be the whole file, and then the bar says so.
    await expect(bar).toContainText(/23 lines of context|Whole file/);
    const more = await lineNumbers.count();
    const wholeFile = bar.getByRole('button', { name: 'Whole file' });
    if (await wholeFile.isVisible()) await wholeFile.click();
    await expect(bar).toContainText('Whole file');
    await expect(bar.getByRole('button', { name: 'More context' })).toBeHidden();
    await expect.poll(() => lineNumbers.count()).toBeGreaterThanOrEqual(more);
    await checkA11y();
    await bar.getByRole('button', { name: 'Less context' }).click();
    await expect(bar).toContainText('3 lines of context');
    await expect.poll(() => lineNumbers.count()).toBe(before);
  });

  test('an unknown revision shows the server\'s message', async ({ page, expectedConsoleErrors }) => {
    expectedConsoleErrors.push(/status of 404/);
    await page.goto('/targets/acme/production/compare?from=deadbeef&to=head');
    await expect(page.getByRole('alert')).toContainText('unknown revision deadbeef');
    await expect(page.getByRole('link', { name: 'acme/production' })).toBeVisible();
  });
});
