import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '#core/schemas.ts';
import { server } from '#mocks/node.ts';
import { demoUsers, makeTarget } from '#src/test/fixtures.ts';
import { renderApp } from '#src/test/render.tsx';
import { AUDIT_ROW_ESTIMATE } from './audit-event-list.tsx';

const VIEWPORT = 440;

/** jsdom has no layout: give the list a viewport and each row its estimated height. */
function mockListLayout() {
  const isList = (element: Element) => element.getAttribute('data-testid') === 'audit-list';
  vi.spyOn(Element.prototype, 'clientHeight', 'get').mockImplementation(function (this: Element) {
    return isList(this) ? VIEWPORT : 0;
  });
  vi.spyOn(Element.prototype, 'clientWidth', 'get').mockImplementation(function (this: Element) {
    return isList(this) ? 1200 : 0;
  });
  // The virtualizer measures rows by offsetHeight.
  vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockImplementation(function (this: HTMLElement) {
    return this.classList.contains('audit-list__row') ? AUDIT_ROW_ESTIMATE : 0;
  });
}

function makeEvent(n: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: `evt-${String(n).padStart(6, '0')}`,
    at: new Date(Date.UTC(2025, 10, 20, 12) - n * 60_000).toISOString(),
    actor: n % 2 ? 'dana@example.com' : 'sam@example.com',
    type: n % 2 ? 'rollback.reviewed' : 'rollback.requested',
    tenant: 'acme',
    environment: 'production',
    requestId: `rbk-${n}`,
    breakGlass: false,
    details: n % 2 ? { decision: 'approve', approvals: 1, requiredApprovals: 1 } : { mode: 'service', service: 'payments' },
    ...overrides,
  };
}

/** `total` events, newest first, served by cursor `c<offset>` in pages of the asked limit. */
function serveAudit(total: number, extra: (n: number) => Partial<AuditEvent> = () => ({})) {
  const calls: URLSearchParams[] = [];
  const all = Array.from({ length: total }, (_, n) => makeEvent(n, extra(n)));
  server.use(
    http.get('*/api/me', () => HttpResponse.json({ user: demoUsers[1], breakGlass: null, identityMode: 'demo' })),
    http.get('*/api/users', () => HttpResponse.json({ users: demoUsers })),
    http.get('*/api/targets', () => HttpResponse.json({ targets: [makeTarget(), makeTarget({ tenant: 'globex' })] })),
    http.get('*/api/rollbacks', () => HttpResponse.json({ requests: [], nextCursor: null })),
    http.get('*/api/audit', ({ request }) => {
      const params = new URL(request.url).searchParams;
      calls.push(params);
      const offset = Number(params.get('cursor')?.slice(1) ?? 0);
      const limit = Number(params.get('limit') ?? 100);
      const events = all.slice(offset, offset + limit);
      return HttpResponse.json({ events, nextCursor: offset + limit < total ? `c${offset + limit}` : null });
    }),
  );
  return { calls, all };
}

let downloads: { name: string; blob: Blob }[] = [];

beforeEach(() => {
  mockListLayout();
  downloads = [];
  const blobs = new Map<string, Blob>();
  URL.createObjectURL = vi.fn((blob: Blob) => {
    const url = `blob:test/${blobs.size}`;
    blobs.set(url, blob);
    return url;
  });
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    downloads.push({ name: this.download, blob: blobs.get(this.href) as Blob });
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const auditRows = () => screen.queryAllByTestId('audit-row');

describe('audit trail', () => {
  it('reads its filters from the URL and sends them to the server', async () => {
    const { calls } = serveAudit(3);
    renderApp({ route: '/audit?tenant=acme&type=rollback.reviewed&actor=dana%40example.com' });
    await waitFor(() => expect(auditRows()).toHaveLength(3));
    expect(Object.fromEntries(calls[0] ?? [])).toEqual({ tenant: 'acme', type: 'rollback.reviewed', actor: 'dana@example.com', limit: '100' });
    expect(screen.getByLabelText('Tenant')).toHaveValue('acme');
    expect(screen.getByLabelText('Event')).toHaveValue('rollback.reviewed');
    expect(screen.getByLabelText('Actor (email)')).toHaveValue('dana@example.com');
  });

  it('writes filter changes to the URL and refetches', async () => {
    const { calls } = serveAudit(3);
    const user = userEvent.setup();
    const { router } = renderApp({ route: '/audit' });
    await waitFor(() => expect(auditRows()).toHaveLength(3));
    await user.selectOptions(screen.getByLabelText('Tenant'), 'globex');
    await waitFor(() => expect(router.state.location.search).toBe('?tenant=globex'));
    await user.selectOptions(screen.getByLabelText('Event'), 'Break-glass opened');
    await user.type(screen.getByLabelText('Actor (email)'), 'olu@example.com{Enter}');
    await waitFor(() => expect(router.state.location.search).toBe('?tenant=globex&type=break-glass.opened&actor=olu%40example.com'));
    await waitFor(() => expect(Object.fromEntries(calls.at(-1) ?? [])).toMatchObject({ tenant: 'globex', type: 'break-glass.opened', actor: 'olu@example.com' }));
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
    expect(screen.getByLabelText('Actor (email)')).toHaveValue('');
  });

  it('filters by a request named in the URL, shown as a removable chip', async () => {
    const { calls } = serveAudit(2);
    const user = userEvent.setup();
    const { router } = renderApp({ route: '/audit?requestId=rbk-7&type=rollback.reviewed' });
    await waitFor(() => expect(auditRows()).toHaveLength(2));
    expect(Object.fromEntries(calls[0] ?? [])).toEqual({ type: 'rollback.reviewed', requestId: 'rbk-7', limit: '100' });
    const chip = within(screen.getByRole('group', { name: 'Request' }));
    expect(chip.getByRole('link', { name: 'rbk-7' })).toHaveAttribute('href', '/rollbacks/rbk-7');
    await user.click(chip.getByRole('button', { name: 'Remove the filter request rbk-7' }));
    await waitFor(() => expect(router.state.location.search).toBe('?type=rollback.reviewed'));
    await waitFor(() => expect(Object.fromEntries(calls.at(-1) ?? [])).toEqual({ type: 'rollback.reviewed', limit: '100' }));
    expect(screen.queryByTestId('request-filter')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Event')).toHaveValue('rollback.reviewed');
  });

  it('filters by a date range: labelled date inputs send whole local days as instants, and a reversed range is explained', async () => {
    const { calls } = serveAudit(3);
    const { router } = renderApp({ route: '/audit?from=not-a-date' });
    await waitFor(() => expect(auditRows()).toHaveLength(3));
    // A malformed bound in the URL is dropped, not sent.
    expect(Object.fromEntries(calls[0] ?? [])).toEqual({ limit: '100' });
    fireEvent.change(screen.getByLabelText('From (date)'), { target: { value: '2025-11-19' } });
    fireEvent.change(screen.getByLabelText('To (date, inclusive)'), { target: { value: '2025-11-20' } });
    const from = new Date(2025, 10, 19, 0, 0, 0, 0).toISOString();
    const to = new Date(2025, 10, 20, 23, 59, 59, 999).toISOString();
    await waitFor(() => expect(Object.fromEntries(calls.at(-1) ?? [])).toEqual({ from, to, limit: '100' }));
    expect(new URLSearchParams(router.state.location.search).get('from')).toBe(from);
    expect(screen.getByLabelText('From (date)')).toHaveValue('2025-11-19');
    expect(screen.getByLabelText('To (date, inclusive)')).toHaveValue('2025-11-20');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('From (date)'), { target: { value: '2025-11-21' } });
    expect(await screen.findByText('The "From" date is after the "To" date.')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('From (date)'), { target: { value: '' } });
    await waitFor(() => expect(Object.fromEntries(calls.at(-1) ?? [])).toEqual({ to, limit: '100' }));
  });

  it('ignores a request id of the wrong form instead of asking the server', async () => {
    const { calls } = serveAudit(1);
    renderApp({ route: '/audit?requestId=..%2Fetc&actor=sam%40example.com' });
    await waitFor(() => expect(auditRows()).toHaveLength(1));
    expect(Object.fromEntries(calls[0] ?? [])).toEqual({ actor: 'sam@example.com', limit: '100' });
    expect(screen.queryByTestId('request-filter')).not.toBeInTheDocument();
  });

  it('flags break-glass events in words, not colour alone', async () => {
    serveAudit(4, (n) => (n === 1 ? { breakGlass: true, type: 'break-glass.opened', requestId: undefined, details: { minutes: 30, justification: 'db down' } } : {}));
    renderApp({ route: '/audit' });
    await waitFor(() => expect(auditRows()).toHaveLength(4));
    const flagged = auditRows()[1] as HTMLElement;
    expect(within(flagged).getByTestId('break-glass-flag')).toHaveTextContent('Break-glass');
    expect(flagged).toHaveTextContent('Break-glass opened');
    expect(flagged).toHaveTextContent('for 30 minutes');
    expect(within(auditRows()[0] as HTMLElement).queryByTestId('break-glass-flag')).not.toBeInTheDocument();
    expect(screen.getByText(/1 under break-glass/)).toBeInTheDocument();
  });

  it('expands an event to its details, as inert text with hidden characters shown', async () => {
    serveAudit(2, (n) => (n === 0 ? { details: { comment: '<img src=x onerror=alert(1)>', text: 'ok\u202Eevil' } } : {}));
    const user = userEvent.setup();
    renderApp({ route: '/audit' });
    const toggle = await screen.findByRole('button', { name: 'Details of event evt-000000' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const details = document.getElementById(toggle.getAttribute('aria-controls') ?? '') as HTMLElement;
    expect(details).toHaveTextContent('"comment": "<img src=x onerror=alert(1)>"');
    expect(details).toHaveTextContent('"text": "ok⟨U+202E⟩evil"');
    expect(details.querySelector('img')).toBeNull();
    expect(within(details).getByRole('note')).toHaveTextContent('hidden characters (1)');
  });

  it('keeps the DOM bounded and loads older events by cursor as one scrolls', async () => {
    const { calls } = serveAudit(450);
    renderApp({ route: '/audit' });
    await waitFor(() => expect(auditRows().length).toBeGreaterThan(5));
    expect(calls).toHaveLength(1);
    expect(auditRows().length).toBeLessThan(40);
    const list = screen.getByTestId('audit-list');
    list.scrollTop = 90 * AUDIT_ROW_ESTIMATE;
    fireEvent.scroll(list);
    await waitFor(() => expect(calls.map((c) => c.get('cursor'))).toEqual([null, 'c100']));
    expect(screen.getByText('200+ events')).toBeInTheDocument();
    expect(auditRows().length).toBeLessThan(40);
    // Row 90 is at the top, with the overscan of 8 rendered above it.
    expect(auditRows()[0]?.dataset.requestId).toBe('rbk-82');
  });

  it('exports the loaded events as CSV, escaped against formula injection', async () => {
    serveAudit(2, (n) => (n === 0 ? { actor: '=HYPERLINK("http://x")', details: { comment: '@SUM(A1)' } } : {}));
    const user = userEvent.setup();
    renderApp({ route: '/audit?tenant=acme' });
    await waitFor(() => expect(auditRows()).toHaveLength(2));
    await user.click(screen.getByRole('button', { name: 'CSV' }));
    expect(downloads).toHaveLength(1);
    const [download] = downloads;
    expect(download?.name).toMatch(/^rewind-audit-acme-\d{8}T\d{6}Z\.csv$/);
    expect(download?.blob.type).toBe('text/csv;charset=utf-8');
    const csv = await download!.blob.text();
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(lines[1]).toContain('"{""comment"":""@SUM(A1)""}"');
  });

  it('exports every matching event as JSON by paging through', async () => {
    const { calls, all } = serveAudit(1_200);
    const user = userEvent.setup();
    renderApp({ route: '/audit' });
    await waitFor(() => expect(auditRows().length).toBeGreaterThan(0));
    await user.selectOptions(screen.getByLabelText('Events to export'), 'all');
    await user.click(screen.getByRole('button', { name: 'JSON' }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    const exported = JSON.parse(await downloads[0]!.blob.text()) as AuditEvent[];
    expect(exported).toEqual(all);
    expect(calls.slice(1).map((c) => [c.get('cursor'), c.get('limit')])).toEqual([
      [null, '500'],
      ['c500', '500'],
      ['c1000', '500'],
    ]);
  });

  it('says when nothing matches', async () => {
    serveAudit(0);
    renderApp({ route: '/audit?actor=nobody%40example.com' });
    expect(await screen.findByText('No audit events match these filters.')).toBeInTheDocument();
  });
});
