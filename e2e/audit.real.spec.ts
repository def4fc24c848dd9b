// Real server only (`*.real.spec.ts`): these journeys write commits and need one backend shared by
// several browsers, which the in-browser MSW demo cannot be.
import { readFile } from 'node:fs/promises';
import { api, USERS } from './approval-helpers.ts';
import { expect, test } from './fixtures.ts';

/**
 * The audit trail on the real server: filters in the URL, break-glass flagged, details as inert
 * text, CSV and JSON exports. It makes its own events (Olu opens and closes break-glass through the
 * API) and reads everything else from whatever other journeys left.
 */
test.beforeEach(() => {
});

// A justification that tries formula injection in a spreadsheet and hides a right-to-left override.
const JUSTIFICATION = '=HYPERLINK("http://evil.example","open") db\u202Edown';

test('filters, flags, details and exports of the audit trail', async ({ page, checkA11y }) => {
  const opened = await api(page, USERS.olu, 'POST', '/api/break-glass', { justification: JUSTIFICATION, minutes: 15 });
  expect(opened.status).toBe(201);
  const closed = await page.request.fetch('/api/break-glass', { method: 'DELETE', headers: { 'X-Forwarded-Email': USERS.olu } });
  expect(closed.status()).toBe(204);

  await page.goto(`/audit?actor=${encodeURIComponent(USERS.olu)}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Audit trail' })).toBeVisible();
  await expect(page.getByLabel('Actor (email)')).toHaveValue(USERS.olu);
  const rows = page.getByTestId('audit-row');
  await expect(rows.first()).toBeVisible();
  // The actor by name, the email on hover and read after the name (decision 047); the exports keep the email.
  const actors = rows.locator('.audit-event__actor .person');
  await expect(actors.first()).toHaveText(`Olu Adeyemi (${USERS.olu})`);
  expect(new Set(await actors.evaluateAll((elements) => elements.map((element) => element.getAttribute('title'))))).toEqual(new Set([USERS.olu]));

  // Newest first: the close, then the open; both flagged in words.
  const [first, second] = [rows.nth(0), rows.nth(1)];
  await expect(first).toHaveAttribute('data-type', 'break-glass.closed');
  await expect(second).toHaveAttribute('data-type', 'break-glass.opened');
  await expect(first.getByTestId('break-glass-flag')).toHaveText('⚠ Break-glass');
  await expect(second.getByTestId('break-glass-flag')).toHaveText('⚠ Break-glass');

  const toggle = second.locator('.audit-event__toggle');
  await expect(toggle).toHaveAccessibleName(/^Details of event evt-/);
  await toggle.click();
  await expect(toggle).toHaveAccessibleName(/^Hide details of event evt-/);
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const details = second.locator('.audit-event__json');
  await expect(details).toContainText('"justification": "=HYPERLINK(\\"http://evil.example\\",\\"open\\") db⟨U+202E⟩down"');
  await expect(second.getByRole('note')).toContainText('hidden characters (1)');
  await checkA11y();

  await page.getByLabel('Event', { exact: true }).selectOption('break-glass.opened');
  await expect(page).toHaveURL(/\/audit\?type=break-glass\.opened&actor=olu%40example\.com$/);
  await expect(rows.first()).toHaveAttribute('data-type', 'break-glass.opened');
  expect(new Set(await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-type'))))).toEqual(
    new Set(['break-glass.opened']),
  );

  const csvDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'CSV' }).click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toMatch(/^rewind-audit-break-glass\.opened-olu_example\.com-\d{8}T\d{6}Z\.csv$/);
  const text = (await readFile(await csv.path(), 'utf8')).replace(/^\uFEFF/, '');
  const lines = text.split('\r\n');
  expect(lines[0]).toBe('"id","at","type","actor","tenant","environment","requestId","breakGlass","justification","comment","targets","details"');
  expect(lines[1]).toContain('"break-glass.opened","olu@example.com","","","","true"');
  // Its own justification column (decision 037), formula-neutralised with a leading quote.
  expect(lines[1]).toContain(`"true","'=HYPERLINK(""http://evil.example"",""open"") db\u202Edown",""`);
  // The details cell starts with `{`, so it is not a formula; the justification inside stays exact.
  expect(lines[1]).toContain('""justification"":""=HYPERLINK(\\""http://evil.example\\"",\\""open\\"") db\u202Edown""');

  await page.getByLabel('Events to export').selectOption('all');
  const jsonDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'JSON' }).click();
  const json = JSON.parse(await readFile(await (await jsonDownload).path(), 'utf8')) as { type: string; actor: string; breakGlass: boolean }[];
  expect(json.length).toBeGreaterThan(0);
  expect(json.every((event) => event.type === 'break-glass.opened' && event.actor === USERS.olu && event.breakGlass)).toBe(true);

  // Date range (decision 037): labelled date inputs; today's events stay, from tomorrow on there are none.
  const localDay = (offset: number) =>
    page.evaluate((days) => {
      const at = new Date();
      at.setDate(at.getDate() + days);
      return `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`;
    }, offset);
  await page.getByLabel('From (date)').fill(await localDay(0));
  await page.getByLabel('To (date, inclusive)').fill(await localDay(0));
  await expect(page).toHaveURL(/[?&]from=[^&]+&to=[^&]+$/);
  await expect(rows.first()).toHaveAttribute('data-type', 'break-glass.opened');
  await page.getByLabel('To (date, inclusive)').fill('');
  await page.getByLabel('From (date)').fill(await localDay(1));
  await expect(page.getByText('No audit events match these filters.')).toBeVisible();
  const future = new URL(page.url()).searchParams.get('from')!;
  const refused = await page.request.get(`/api/audit?from=${encodeURIComponent(future)}&to=2000-01-01T00:00:00Z`);
  expect(refused.status()).toBe(400);
  await checkA11y();

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByLabel('Actor (email)')).toHaveValue('');
});
