import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { NotificationDelivery } from '#core/schemas.ts';
import { server } from '#mocks/node.ts';
import { demoUsers } from '#src/test/fixtures.ts';
import { renderApp } from '#src/test/render.tsx';
import { makePreview, makeRequest } from '#src/test/rollback-fixtures.ts';

const delivery = (overrides: Partial<NotificationDelivery>): NotificationDelivery => ({
  id: 'ntf-evt-1-ops',
  kind: 'requested',
  channel: 'ops',
  channelType: 'webhook',
  status: 'pending',
  attempts: 0,
  lastError: null,
  lastAttemptAt: null,
  nextAttemptAt: '2025-11-20T10:00:00Z',
  createdAt: '2025-11-20T10:00:00Z',
  ...overrides,
});

function serve(notifications: NotificationDelivery[] | 'error') {
  const request = makeRequest();
  server.use(
    http.get('*/api/me', () => HttpResponse.json({ user: demoUsers[0], breakGlass: null, identityMode: 'demo' })),
    http.get('*/api/users', () => HttpResponse.json({ users: demoUsers })),
    http.get(`*/api/rollbacks/${request.id}`, () => HttpResponse.json({ request, diff: makePreview() })),
    http.get(`*/api/rollbacks/${request.id}/notifications`, () =>
      notifications === 'error' ? HttpResponse.json({ error: { code: 'INTERNAL', message: 'database down' } }, { status: 500 }) : HttpResponse.json({ notifications }),
    ),
  );
}

describe('request page notifications', () => {
  it('lists each channel’s delivery: delivered, retrying with its error, failed, queued', async () => {
    serve([
      delivery({ id: 'a', channel: '#incidents', channelType: 'slack', status: 'delivered', attempts: 1, lastAttemptAt: '2025-11-20T10:04:00Z', nextAttemptAt: null }),
      delivery({ id: 'b', status: 'retrying', attempts: 3, lastError: 'HTTP 500' }),
      delivery({ id: 'c', kind: 'failed', channel: 'pager', status: 'failed', attempts: 8, lastError: 'no answer within 5000 ms', nextAttemptAt: null }),
      delivery({ id: 'd', kind: 'executed', channel: 'audit' }),
    ]);
    renderApp({ route: '/rollbacks/rbk-1' });
    const section = await screen.findByRole('region', { name: 'Notifications' });
    const items = await within(section).findAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^Review requested Slack #incidents: delivered .*10:04/),
      expect.stringMatching(/^Review requested Webhook ops: retrying \(3 failed attempts, last error HTTP 500\), next try /),
      'Failed Webhook pager: failed after 8 attempts, last error no answer within 5000 ms',
      'Committed Webhook audit: queued, not sent yet',
    ]);
  });

  it('names the lifecycle kinds superseded and closed', async () => {
    serve([delivery({ id: 's', kind: 'superseded', status: 'delivered', attempts: 1, lastAttemptAt: '2025-11-20T10:04:00Z', nextAttemptAt: null }), delivery({ id: 'c', kind: 'closed' })]);
    renderApp({ route: '/rollbacks/rbk-1' });
    const section = await screen.findByRole('region', { name: 'Notifications' });
    const items = await within(section).findAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([expect.stringMatching(/^Superseded Webhook ops: delivered /), 'Closed Webhook ops: queued, not sent yet']);
  });

  it('says an empty list may mean no channel or messages past the retention (the trail keeps them)', async () => {
    serve([]);
    renderApp({ route: '/rollbacks/rbk-1' });
    const section = await screen.findByRole('region', { name: 'Notifications' });
    expect(await within(section).findByText(/^No notifications kept for this request: .* longer ago than the outbox keeps them \(the audit trail keeps each outcome\)\.$/)).toBeInTheDocument();
  });

  it('says the status is unknown, and why, when it cannot be read', async () => {
    serve('error');
    renderApp({ route: '/rollbacks/rbk-1' });
    const section = await screen.findByRole('region', { name: 'Notifications' });
    expect(await within(section).findByText(/Delivery status unknown: it could not be read/)).toBeInTheDocument();
  });
});
