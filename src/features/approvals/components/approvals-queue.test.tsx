import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import type { ListedRequest, Target, User } from '#core/schemas.ts';
import { resetMockBackend, server } from '#mocks/node.ts';
import { HttpBackendAdapter } from '#src/api/http-backend-adapter.ts';
import { useIdentityStore } from '#src/features/identity/stores/identity-store.ts';
import { makeTarget } from '#src/test/fixtures.ts';
import { renderApp } from '#src/test/render.tsx';
import { makeRequest } from '#src/test/rollback-fixtures.ts';

const bob: User = { email: 'bob@example.com', name: 'Bob Approver', roles: ['approver'] };
const viktor: User = { email: 'viktor@example.com', name: 'Viktor Lindqvist', roles: ['viewer'] };
const sam: User = { email: 'sam@example.com', name: 'Sam Requester', roles: ['requester'] };

afterEach(() => {
  useIdentityStore.setState({ email: null });
  localStorage.clear();
});

function serveQueue(me: User, requests: ListedRequest[], targets: Target[] = [makeTarget(), makeTarget({ environment: 'staging', policy: { ...makeTarget().policy, requiredApprovals: 1, blockSelfApproval: false } })]) {
  server.use(
    http.get('*/api/me', () => HttpResponse.json({ user: me, breakGlass: null, identityMode: 'demo', can: { breakGlass: false, review: true } })),
    http.get('*/api/users', () => HttpResponse.json({ users: [bob, viktor] })),
    http.get('*/api/people', () => HttpResponse.json({ people: [bob, viktor, sam].map(({ email, name }) => ({ email, name })) })),
    http.get('*/api/targets', () => HttpResponse.json({ targets })),
    http.get('*/api/rollbacks', ({ request }) => {
      expect(new URL(request.url).searchParams.get('state')).toBe('pending');
      return HttpResponse.json({ requests, nextCursor: null });
    }),
  );
}

const rows = (section: string) => within(screen.getByRole('region', { name: new RegExp(`^${section}`) })).getAllByTestId('approval-row');
const ids = (section: string) => rows(section).map((row) => row.dataset.requestId);

describe('approvals queue', () => {
  it('lists what the user may review, newest first, and sets the others apart with the reason', async () => {
    serveQueue(bob, [
      makeRequest({ id: 'rbk-a', requestedBy: 'sam@example.com', createdAt: '2025-11-20T10:00:00Z' }),
      makeRequest({ id: 'rbk-own', requestedBy: 'BOB@example.com', createdAt: '2025-11-20T10:10:00Z' }),
      makeRequest({
        id: 'rbk-reviewed',
        requestedBy: 'sam@example.com',
        requiredApprovals: 2,
        createdAt: '2025-11-20T10:20:00Z',
        reviews: [{ by: 'bob@example.com', decision: 'approve', comment: '', at: '2025-11-20T10:21:00Z', stale: false }],
      }),
      makeRequest({
        id: 'rbk-stale',
        requestedBy: 'sam@example.com',
        requiredApprovals: 2,
        createdAt: '2025-11-20T10:30:00Z',
        reviews: [
          { by: 'bob@example.com', decision: 'approve', comment: '', at: '2025-11-20T10:31:00Z', stale: true },
          { by: 'priya@example.com', decision: 'approve', comment: '', at: '2025-11-20T10:32:00Z', stale: false },
        ],
      }),
      // Self-approval allowed on acme/staging: one's own request is reviewable there.
      makeRequest({ id: 'rbk-ownstaging', environment: 'staging', requestedBy: 'bob@example.com', createdAt: '2025-11-20T09:00:00Z' }),
    ]);
    renderApp({ route: '/approvals' });
    expect(await screen.findByRole('heading', { level: 1, name: 'Approvals' })).toBeInTheDocument();
    await waitFor(() => expect(ids('Waiting for your review')).toEqual(['rbk-stale', 'rbk-a', 'rbk-ownstaging']));
    expect(ids('Other pending rollbacks')).toEqual(['rbk-reviewed', 'rbk-own']);

    const [stale] = rows('Waiting for your review');
    expect(within(stale as HTMLElement).getByTestId('quorum')).toHaveTextContent('1 of 2 (1 dismissed)');
    expect(within(stale as HTMLElement).getByTestId('request-title')).toHaveTextContent(/^Service rollback of payments in acme\/production to \w{7}$/);
    // People by name, the email on hover and, for screen readers only, after the name (decision 047).
    const sam = await within(stale as HTMLElement).findByText('Sam Requester');
    expect(sam).toHaveAttribute('title', 'sam@example.com');
    expect(within(sam).getByText('(sam@example.com)')).toHaveClass('visually-hidden');
    expect(within(stale as HTMLElement).getByRole('link', { name: 'Review rollback rbk-stale' })).toHaveAttribute('href', '/rollbacks/rbk-stale');
    const [reviewed, own] = rows('Other pending rollbacks');
    expect(reviewed).toHaveTextContent('You approved');
    expect(own).toHaveTextContent('Your request');

    // The header counts what waits for this user.
    const nav = within(screen.getByRole('navigation', { name: 'Main' }));
    expect(nav.getByRole('link', { name: 'Approvals 3 waiting for your review' })).toHaveAttribute('aria-current', 'page');
    expect(nav.getByTestId('approvals-count')).toHaveTextContent('3');
  });

  it('shows each request with its justification, age, marks, and a changed plan before anyone clicks', async () => {
    const planChange = { previousBaseSha: 'a'.repeat(40), baseSha: 'b'.repeat(40), diffHash: 'd'.repeat(64), changes: ['now also reverts values.yaml: replicas 7 → 3'] };
    serveQueue(bob, [
      makeRequest({
        id: 'rbk-urgent',
        requestedBy: 'sam@example.com',
        createdAt: new Date(Date.now() - 12 * 60_000).toISOString(),
        breakGlass: true,
        incident: { id: 'INC-42' },
        justification: `payments 5xx since 2.14.0 ${'and more detail '.repeat(10)}\nsecond line with the runbook`,
      }),
      { ...makeRequest({ id: 'rbk-moved', requestedBy: 'sam@example.com', createdAt: '2025-11-20T10:00:00Z' }), planChange },
    ]);
    renderApp({ route: '/approvals' });
    await waitFor(() => expect(ids('Waiting for your review')).toEqual(['rbk-urgent']));
    const [urgent] = rows('Waiting for your review');
    const scoped = within(urgent as HTMLElement);
    expect(scoped.getByTestId('mark-break-glass')).toHaveTextContent('Break-glass');
    expect(scoped.getByTestId('mark-incident')).toHaveTextContent('Incident INC-42');
    const justification = scoped.getByTestId('justification');
    expect(justification.textContent).toMatch(/^“payments 5xx since 2\.14\.0 and more detail .*…”/);
    expect(justification).not.toHaveTextContent('second line');
    expect(justification).toHaveAttribute('title', expect.stringContaining('second line with the runbook'));
    const age = urgent!.querySelector('time')!;
    expect(age).toHaveTextContent('12 min. ago');
    expect(age).toHaveAttribute('dateTime', expect.stringMatching(/Z$/));
    expect(age).toHaveAttribute('title', expect.stringMatching(/UTC$/));

    // The moved request is not "to review": it awaits Sam's confirmation, and the row says what changed.
    expect(ids('Awaiting the requester’s confirmation')).toEqual(['rbk-moved']);
    const [moved] = rows('Awaiting the requester’s confirmation');
    await waitFor(() =>
      expect(within(moved as HTMLElement).getByTestId('queue-stale-banner')).toHaveTextContent(
        'Plan changed since it was requested: the plan now also reverts values.yaml: replicas 7 → 3. Awaiting Sam Requester (sam@example.com)’s confirmation; nobody can approve it until then.',
      ),
    );
    expect(within(moved as HTMLElement).queryByRole('button', { name: /approve/i })).not.toBeInTheDocument();
    expect(within(moved as HTMLElement).getByRole('link', { name: 'Review rollback rbk-moved' })).toHaveTextContent('Open');
    // The header counts only what can be reviewed now; its tooltip names the other one.
    const link = within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Approvals 1 waiting for your review' });
    expect(link).toHaveAttribute('title', "1 waiting for your review; 1 awaiting the requester's confirmation (the plan changed)");
  });

  it('says when nothing waits, and why for someone who may not approve', async () => {
    serveQueue(viktor, [makeRequest({ requestedBy: 'sam@example.com' })]);
    renderApp({ route: '/approvals' });
    const empty = await screen.findByTestId('approvals-empty');
    expect(empty).toHaveTextContent('Nothing waits for your review.');
    expect(empty).toHaveTextContent('Reviewing needs the approver or admin role; Viktor Lindqvist has viewer.');
    expect(rows('Other pending rollbacks')[0]).toHaveTextContent('Needs an approver');
    expect(screen.queryByTestId('approvals-count')).not.toBeInTheDocument();
  });

  it('shows an empty queue for an approver', async () => {
    serveQueue(bob, []);
    renderApp({ route: '/approvals' });
    expect(await screen.findByTestId('approvals-empty')).toHaveTextContent('New requests appear here as soon as they are submitted.');
    expect(screen.queryByRole('region', { name: /^Other pending/ })).not.toBeInTheDocument();
  });

  it('against the demo backend: Sam\'s request waits in Dana\'s queue, not in Sam\'s own', async () => {
    resetMockBackend();
    const asSam = new HttpBackendAdapter({ getUserEmail: () => 'sam@example.com' });
    const history = await asSam.history('acme', 'production', { limit: 5 });
    const targetSha = history.revisions[1]?.sha ?? '';
    const request = await asSam.createRollback(
      { tenant: 'acme', environment: 'production', mode: 'service', service: 'payments', targetSha, justification: 'payments release fails' },
      { idempotencyKey: 'queue-test-1' },
    );
    expect(request.state).toBe('pending');

    useIdentityStore.setState({ email: 'dana@example.com' });
    const { unmount } = renderApp({ route: '/approvals' });
    await waitFor(() => expect(ids('Waiting for your review')).toEqual([request.id]));
    expect(rows('Waiting for your review')[0]).toHaveTextContent('0 of 1');
    expect(await screen.findByTestId('approvals-count')).toHaveTextContent('1');
    unmount();

    useIdentityStore.setState({ email: 'sam@example.com' });
    renderApp({ route: '/approvals' });
    expect(await screen.findByTestId('approvals-empty')).toBeInTheDocument();
    expect(rows('Other pending rollbacks')[0]).toHaveTextContent('Your request');
  });
});
