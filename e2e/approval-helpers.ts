import type { Browser, Page } from '@playwright/test';
import { expect, historyRows } from './fixtures.ts';

/**
 * Helpers of the approvals and audit journeys. They run on the `real` project only: they need one
 * backend shared by several browser contexts (MSW's lives inside each page) and they write commits.
 * Targets and revisions are read at run time, since other spec files commit to the same repo.
 */

export const USERS = {
  sam: 'sam@example.com',
  dana: 'dana@example.com',
  priya: 'priya@example.com',
  marcus: 'marcus@example.com',
  olu: 'olu@example.com',
} as const;


/** Acts as `email` through the header's user switcher, and waits until `/api/me` agrees. */
export async function switchUser(page: Page, email: string) {
  const select = page.getByLabel('Acting as');
  await select.selectOption(email);
  await expect(select).toHaveValue(email);
}

/** A second person: a fresh browser context whose identity is `email` from the first request on. */
export async function openAs(browser: Browser, email: string, path: string) {
  const context = await browser.newContext();
  await context.addInitScript((who) => {
    localStorage.setItem('rewind.identity', JSON.stringify({ state: { email: who }, version: 0 }));
  }, email);
  const page = await context.newPage();
  // The live-update stream answers its headers once subscribed: after that no event is missed.
  const subscribed = page.waitForResponse((response) => response.url().endsWith('/api/events'));
  await page.goto(path);
  await subscribed;
  return { context, page };
}

/**
 * Through the wizard from the target's history: roll back the service the head changed to the
 * revision before it. Returns the request id from the page the wizard opens.
 */
export async function requestRollbackViaWizard(page: Page, target: string, justification: string) {
  await wizardToJustification(page, target);
  await page.getByLabel('Justification (required)').fill(justification);
  await page.getByRole('button', { name: /^(Submit for approval|Roll back now)$/ }).click();
  await expect(page).toHaveURL(/\/rollbacks\/rbk-[a-z0-9]+$/);
  return new URL(page.url()).pathname.split('/').at(-1)!;
}

/** The wizard's steps up to its last one (justification and submit), as requestRollbackViaWizard takes them. */
export async function wizardToJustification(page: Page, target: string) {
  await page.goto(`/targets/${target}`);
  const row = historyRows(page).nth(1);
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: /^Rollback to revision/ }).click();
  await expect(page.getByRole('heading', { level: 2, name: /How much should go back\?/ })).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { level: 2, name: /Which revision/ })).toBeVisible();
  // Service mode (the default where the plan allows it): services can be chosen once it is known which
  // changed since the revision; the wizard picks the obvious one, else we take the first changed one.
  const services = page.getByRole('group', { name: 'Service to restore' });
  await expect(services.getByText('changed since this revision', { exact: true }).first()).toBeVisible();
  if ((await services.getByRole('radio', { checked: true }).count()) === 0) {
    await services.getByRole('radio', { disabled: false }).first().check();
  }
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { level: 2, name: /What will the rollback commit\?/ })).toBeVisible();
  await expect(page.getByTestId('breakdown-row').first()).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { level: 2, name: /Why, and submit/ })).toBeVisible();
}

/** The API as `email`, from the test runner (not the page). */
export async function api<T>(page: Page, email: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await page.request.fetch(path, {
    method,
    headers: { 'X-Forwarded-Email': email, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { data: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status(), body: (text ? JSON.parse(text) : undefined) as T };
}

interface HistoryPage {
  revisions: { sha: string }[];
}

/** A full rollback of `target` that changes something now: the first recent revision whose preview has files. */
export async function createPendingRollback(page: Page, email: string, tenant: string, environment: string, justification: string) {
  const history = await api<HistoryPage>(page, email, 'GET', `/api/targets/${tenant}/${environment}/history?limit=10`);
  for (const revision of history.body.revisions.slice(1)) {
    const preview = await api<{ files: unknown[] }>(page, email, 'POST', `/api/targets/${tenant}/${environment}/rollback-preview`, {
      mode: 'full',
      targetSha: revision.sha,
    });
    if (preview.status !== 200 || preview.body.files.length === 0) continue;
    const created = await api<{ request: { id: string; state: string } }>(page, email, 'POST', '/api/rollbacks', {
      tenant,
      environment,
      mode: 'full',
      targetSha: revision.sha,
      justification,
    });
    expect(created.status).toBe(201);
    return created.body.request;
  }
  throw new Error(`no revision of ${tenant}/${environment} to roll back to`);
}

/** A service and a revision whose service rollback changes something now. */
export interface ServiceRollbackCandidate {
  service: string;
  targetSha: string;
}

/** For each service of the target, a recent revision whose service rollback changes something now. */
export async function serviceRollbackCandidates(page: Page, tenant: string, environment: string): Promise<ServiceRollbackCandidate[]> {
  const target = await api<{ target: { services: { name: string }[] } }>(page, USERS.sam, 'GET', `/api/targets/${tenant}/${environment}`);
  const history = await api<HistoryPage>(page, USERS.sam, 'GET', `/api/targets/${tenant}/${environment}/history?limit=30`);
  const found: ServiceRollbackCandidate[] = [];
  for (const { name } of target.body.target.services) {
    for (const revision of history.body.revisions.slice(1)) {
      const preview = await api<{ files: unknown[] }>(page, USERS.sam, 'POST', `/api/targets/${tenant}/${environment}/rollback-preview`, {
        mode: 'service',
        service: name,
        targetSha: revision.sha,
      });
      if (preview.status === 200 && preview.body.files.length > 0) {
        found.push({ service: name, targetSha: revision.sha });
        break;
      }
    }
  }
  return found;
}

/** Moves the target's head by a real commit: Olu rolls `candidate` back at once under break-glass, then closes it. */
export async function moveHeadUnderBreakGlass(page: Page, tenant: string, environment: string, candidate: ServiceRollbackCandidate, why: string) {
  expect((await api(page, USERS.olu, 'POST', '/api/break-glass', { justification: why, minutes: 15 })).status).toBe(201);
  const moved = await api<{ request: { state: string } }>(page, USERS.olu, 'POST', '/api/rollbacks', {
    tenant,
    environment,
    mode: 'service',
    service: candidate.service,
    targetSha: candidate.targetSha,
    justification: why,
  });
  expect(moved.body.request.state).toBe('completed');
  await page.request.fetch('/api/break-glass', { method: 'DELETE', headers: { 'X-Forwarded-Email': USERS.olu } });
}

/** The audit rows of one request, oldest first (the list is newest first). */
export async function auditTypesOf(page: Page, requestId: string) {
  const rows = page.locator(`[data-testid="audit-row"][data-request-id="${requestId}"]`);
  await expect(rows.first()).toBeVisible();
  const types = await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-type')));
  return types.reverse();
}
