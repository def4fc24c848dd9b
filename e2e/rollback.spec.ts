import type { Page } from '@playwright/test';
import { expect, historyRows, test } from './fixtures.ts';

/**
 * Rollback journeys on both projects. On `real` they write real commits to the e2e server's fresh git
 * repo, so they use targets that execute at once: acme/staging (quorum 0) and initech/production (the
 * rollback_approval flag is off). The tests of this file run in order and build on each other's commits.
 */

const stepHeading = (page: Page) => page.getByRole('heading', { level: 2 });
const revisionChoices = (page: Page) => page.getByTestId('revision-choice');

async function expectStep(page: Page, title: RegExp) {
  const heading = stepHeading(page);
  await expect(heading).toHaveText(title);
  // Focus moves to each step's heading.
  await expect(heading).toBeFocused();
}

async function expectCompleted(page: Page) {
  await expect(page).toHaveURL(/\/rollbacks\/rbk-[a-z0-9]+$/);
  await expect(page.getByTestId('request-state')).toHaveText('Completed', { timeout: 20_000 });
  const commit = page.getByTestId('commit-sha');
  await expect(commit).toHaveText(/^[0-9a-f]{7}$/);
  return (await commit.getAttribute('title'))!;
}

/** After a rollback, the target's history starts with the rollback commit. */
async function expectRollbackOnTop(page: Page, target: string, commitSha: string, mode: string) {
  await page.getByRole('link', { name: `History of ${target}` }).click();
  await expect(page).toHaveURL(new RegExp(`/targets/${target}$`));
  const top = historyRows(page).first();
  await expect(top).toHaveAttribute('data-sha', commitSha);
  await expect(top.getByText('Rollback', { exact: true })).toBeVisible();
  await expect(top).toContainText(`Rollback: tenant/${target.split('/')[0]} env/${target.split('/')[1]}`);
  await expect(top).toContainText(`(${mode})`);
  await expect(top).toContainText('branch head');
}

test.describe('rollback wizard', () => {
  test('a service rollback from the history panel takes at most 6 interactions', async ({ page, checkA11y, userInteractions }) => {
    await page.goto('/targets/acme/staging');
    const row = historyRows(page).nth(1);
    await expect(row).toBeVisible();
    const targetSha = (await row.getAttribute('data-sha'))!;
    // From here on the page counts every pointer and key press the journey needs.
    await userInteractions.reset();

    await row.getByRole('button', { name: /^Rollback to revision/ }).click();
    await expect(page).toHaveURL(new RegExp(`/rollback/new\\?tenant=acme&environment=staging&revision=${targetSha}$`));
    await expectStep(page, /How much should go back\?/);
    await expect(page.getByRole('radio', { name: 'Service rollback' })).toBeChecked();
    await checkA11y();
    await page.getByRole('button', { name: 'Next' }).click();

    await expectStep(page, /Which revision, and which service\?/);
    await expect(page.getByRole('radio', { name: new RegExp(targetSha.slice(0, 7)) })).toBeChecked();
    // The only service changed since that revision is chosen for us.
    const service = page.getByRole('group', { name: 'Service to restore' }).getByRole('radio', { checked: true });
    await expect(service).toHaveCount(1);
    const serviceName = (await service.getAttribute('value'))!;
    await checkA11y();
    await page.getByRole('button', { name: 'Next' }).click();

    await expectStep(page, /What will the rollback commit\?/);
    await expect(page.getByTestId('breakdown-row').first()).toContainText(serviceName);
    await expect(page.getByTestId('impact-services')).toHaveText('1');
    await expect(page.getByTestId('diff-view').first()).toBeVisible();
    await checkA11y();
    await page.getByRole('button', { name: 'Next' }).click();

    await expectStep(page, /Why, and submit/);
    await expect(page.getByTestId('approval-outcome')).toContainText('Executes immediately');
    await expect(page.getByTestId('selection-summary')).toContainText(`in ${serviceName}`);
    await page.getByLabel('Justification (required)').fill(`${serviceName} release broke staging checkout`);
    await checkA11y();
    await page.getByRole('button', { name: 'Roll back now' }).click();

    const commitSha = await expectCompleted(page);
    const interactions = await userInteractions.count();
    expect(interactions).toBeGreaterThan(0);
    expect(interactions).toBeLessThanOrEqual(6);
    test.info().annotations.push({ type: 'interactions', description: `history panel → submitted service rollback: ${interactions}` });
    await expect(page.getByTestId('justification')).toHaveText(`${serviceName} release broke staging checkout`);
    await checkA11y();
    await expectRollbackOnTop(page, 'acme/staging', commitSha, 'service');
    await expect(historyRows(page).first()).toContainText(`restores ${targetSha.slice(0, 7)}`);
  });

  test('a field rollback restores only the chosen field', async ({ page, checkA11y }) => {
    await page.goto('/rollback/new?tenant=acme&environment=staging');
    await expectStep(page, /How much should go back\?/);
    await page.getByRole('radio', { name: 'Field rollback' }).check();
    await page.getByRole('button', { name: 'Next' }).click();

    await expectStep(page, /Which revision, and which service\?/);
    await revisionChoices(page).nth(6).getByRole('radio').check();
    // Services can be chosen once it is known which changed since that revision.
    await expect(page.getByText('changed since this revision', { exact: true }).first()).toBeVisible();
    const enabledService = page.getByRole('group', { name: 'Service to restore' }).getByRole('radio', { disabled: false });
    await expect(enabledService.first()).toBeVisible();
    await enabledService.first().check();
    const fields = page.getByTestId('field-choice');
    await expect(fields.first()).toBeVisible();
    // Next without a field: the step says what is missing.
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByRole('alert')).toHaveText('Select at least one field to restore.');
    const fieldPath = (await fields.first().locator('code').first().textContent())!;
    await fields.first().getByRole('checkbox').check();
    await checkA11y();
    await page.getByRole('button', { name: 'Next' }).click();

    await expectStep(page, /What will the rollback commit\?/);
    await expect(page.getByTestId('field-row')).toHaveCount(1);
    await expect(page.getByTestId('field-row')).toContainText(fieldPath);
    await checkA11y();
    await page.getByRole('button', { name: 'Next' }).click();

    await expectStep(page, /Why, and submit/);
    await page.getByLabel('Justification (required)').fill(`restore ${fieldPath} only`);
    // Ctrl+Enter submits from the justification.
    await page.keyboard.press('Control+Enter');
    const commitSha = await expectCompleted(page);
    await expect(page.getByText(fieldPath).first()).toBeVisible();
    await checkA11y();
    await expectRollbackOnTop(page, 'acme/staging', commitSha, 'field');
  });

  test('a full rollback on a free-plan target, where only full rollback is allowed', async ({ page, checkA11y }) => {
    await page.goto('/rollback/new');
    await expectStep(page, /Which tenant and environment\?/);
    await checkA11y();
    await page.getByRole('radio', { name: 'initech / production' }).check();
    await page.getByRole('button', { name: 'Next' }).click();

    await expectStep(page, /How much should go back\?/);
    await expect(page.getByRole('radio', { name: 'Service rollback' })).toBeDisabled();
    await expect(page.getByTestId('mode-service')).toContainText('service rollback requires the pro plan or higher (initech/production is on free)');
    await expect(page.getByRole('radio', { name: 'Field rollback' })).toBeDisabled();
    await expect(page.getByRole('radio', { name: 'Full rollback' })).toBeChecked();
    await checkA11y();
    await page.getByRole('button', { name: 'Next' }).click();

    await expectStep(page, /Which revision should the target go back to\?/);
    // The default: the last successful revision before the head.
    const chosen = revisionChoices(page).filter({ has: page.getByRole('radio', { checked: true }) });
    await expect(chosen).toHaveCount(1);
    await expect(chosen).toHaveAttribute('data-status', 'success');
    const targetSha = (await chosen.getAttribute('data-sha'))!;
    await page.getByRole('button', { name: 'Next' }).click();

    await expectStep(page, /What will the rollback commit\?/);
    await expect(page.getByRole('group', { name: 'Impact summary' })).toBeVisible();
    await page.getByRole('button', { name: 'Next' }).click();

    await expectStep(page, /Why, and submit/);
    await expect(page.getByTestId('approval-outcome')).toContainText('rollback_approval feature flag is off');
    await page.getByLabel('Justification (required)').fill('worker backlog since the last release');
    await page.getByRole('button', { name: 'Roll back now' }).click();
    const commitSha = await expectCompleted(page);
    await expectRollbackOnTop(page, 'initech/production', commitSha, 'full');
    await expect(historyRows(page).first()).toContainText(`restores ${targetSha.slice(0, 7)}`);
  });

  test('a reload mid-wizard keeps every choice and the justification draft', async ({ page }) => {
    await page.goto('/rollback/new?tenant=acme&environment=production');
    await page.getByRole('radio', { name: 'Field rollback' }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await expectStep(page, /Which revision, and which service\?/);
    await revisionChoices(page).nth(2).getByRole('radio').check();
    await page.getByRole('radio', { name: 'payments', exact: true }).check();
    await page.getByTestId('field-choice').first().getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Next' }).click();
    await expectStep(page, /What will the rollback commit\?/);
    await expect(page.getByTestId('field-row')).toHaveCount(1);
    await page.getByRole('button', { name: 'Next' }).click();
    await expectStep(page, /Why, and submit/);
    await page.getByLabel('Justification (required)').fill('payments v2.14.0 times out');
    const before = page.url();

    await page.reload();
    await expectStep(page, /Why, and submit/);
    expect(page.url()).toBe(before);
    await expect(page.getByLabel('Justification (required)')).toHaveValue('payments v2.14.0 times out');
    await expect(page.getByTestId('approval-outcome')).toContainText('Waits for 1 approval');

    await page.getByRole('navigation', { name: 'Rollback steps' }).getByRole('button', { name: /Revision/ }).click();
    await expectStep(page, /Which revision, and which service\?/);
    await expect(revisionChoices(page).nth(2).getByRole('radio')).toBeChecked();
    await expect(page.getByRole('radio', { name: 'payments', exact: true })).toBeChecked();
    await expect(page.getByTestId('field-choice').first().getByRole('checkbox')).toBeChecked();
  });

  test('a shared link reopens the same step in a fresh browser', async ({ page, browser }) => {
    await page.goto('/rollback/new?tenant=acme&environment=production');
    await page.getByRole('button', { name: 'Next' }).click();
    await expectStep(page, /Which revision, and which service\?/);
    await page.getByRole('radio', { name: 'payments', exact: true }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await expectStep(page, /What will the rollback commit\?/);
    const shared = new URL(page.url());
    const choices = await page.locator('.wizard-choices').textContent();
    // The in-browser demo makes its commits from the tab's first load, to the minute (decision 044):
    // a browser opened in the next minute would have other shas. The link pins that moment for it.
    const demoAnchor = await page.evaluate(() => sessionStorage.getItem('rewind.demo.anchor'));
    if (demoAnchor) shared.searchParams.set('demo-anchor', demoAnchor);

    // Another person: no sessionStorage, no cache.
    const context = await browser.newContext();
    const other = await context.newPage();
    await other.goto(shared.toString());
    await expectStep(other, /What will the rollback commit\?/);
    await expect(other.locator('.wizard-choices')).toHaveText(choices!);
    await expect(other.getByTestId('breakdown-row').first()).toContainText('payments');
    await context.close();
  });

  test('keyboard only: from the scope step to the preview', async ({ page }) => {
    await page.goto('/rollback/new?tenant=acme&environment=production');
    await expectStep(page, /How much should go back\?/);
    await page.keyboard.press('Tab');
    await expect(page.getByRole('radio', { name: 'Service rollback' })).toBeFocused();
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByRole('radio', { name: 'Full rollback' })).toBeChecked();
    await page.keyboard.press('Enter');
    await expectStep(page, /Which revision should the target go back to\?/);
    const chosen = revisionChoices(page).filter({ has: page.getByRole('radio', { checked: true }) }).getByRole('radio');
    await expect(chosen).toBeVisible();
    await page.keyboard.press('Tab');
    await expect(chosen).toBeFocused();
    await page.keyboard.press('Enter');
    await expectStep(page, /What will the rollback commit\?/);
  });
});
