import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { AuditEvent, RollbackRequest, User, Verification } from '#core/schemas.ts';
import { server } from '#mocks/node.ts';
import { fakeSha, makeTarget } from '#src/test/fixtures.ts';
import { renderApp } from '#src/test/render.tsx';
import { makePreview, makeRequest } from '#src/test/rollback-fixtures.ts';

const sam: User = { email: 'sam@example.com', name: 'Sam Rivera', roles: ['requester'] };
const dana: User = { email: 'dana@example.com', name: 'Dana Whitfield', roles: ['approver'] };
const marcus: User = { email: 'marcus@example.com', name: 'Marcus Okafor', roles: ['admin'] };
const viktor: User = { email: 'viktor@example.com', name: 'Viktor Lindqvist', roles: ['viewer'] };

interface Served {
  request: RollbackRequest;
  verification?: Verification;
}

/**
 * The request page's backend: one request (mutable through `state`), `me`, the targets, its audit
 * events (oldest first; served newest first, filtered by `requestId` and paged by cursor `c<offset>`
 * as the server does). `auditCalls` records the query of every audit call.
 */
function serve(initial: RollbackRequest, me: User, audit: AuditEvent[] = []) {
  const state: Served = { request: initial };
  const reviews: unknown[] = [];
  const notes: unknown[] = [];
  const auditCalls: Record<string, string>[] = [];
  server.use(
    http.get('*/api/me', () => HttpResponse.json({ user: me, breakGlass: null, identityMode: 'demo' })),
    http.get('*/api/users', () => HttpResponse.json({ users: [sam, dana, marcus, viktor] })),
    http.get('*/api/targets', () => HttpResponse.json({ targets: [makeTarget()] })),
    http.get('*/api/rollbacks', () => HttpResponse.json({ requests: [], nextCursor: null })),
    http.get('*/api/rollbacks/rbk-1', () =>
      HttpResponse.json({ request: state.request, diff: makePreview(), ...(state.verification ? { verification: state.verification } : {}) }),
    ),
    http.get('*/api/audit', ({ request }) => {
      const params = new URL(request.url).searchParams;
      auditCalls.push(Object.fromEntries(params));
      const requestId = params.get('requestId');
      const matching = [...audit].reverse().filter((event) => !requestId || event.requestId === requestId);
      const offset = Number(params.get('cursor')?.slice(1) ?? 0);
      const limit = Number(params.get('limit') ?? 100);
      const end = offset + limit;
      return HttpResponse.json({ events: matching.slice(offset, end), nextCursor: end < matching.length ? `c${end}` : null });
    }),
    http.post('*/api/rollbacks/rbk-1/reviews', async ({ request }) => {
      reviews.push(await request.json());
      return HttpResponse.json({ request: state.request });
    }),
    http.post('*/api/rollbacks/rbk-1/notes', async ({ request }) => {
      notes.push(await request.json());
      return HttpResponse.json({ request: state.request });
    }),
  );
  return { state, reviews, notes, auditCalls };
}

const openPage = async () => {
  renderApp({ route: '/rollbacks/rbk-1' });
  await screen.findByTestId('request-state');
};

const reviewsSection = () => within(screen.getByRole('region', { name: 'Reviews' }));

describe('request page: justification', () => {
  it('shows hidden characters as visible tokens, with a note', async () => {
    const justification = 'rollback payments\u202E gnp.exe\u202C please\u200B\u200Dnow\uFEFF\u0007';
    serve(makeRequest({ justification, requestedBy: 'sam@example.com' }), dana);
    await openPage();
    const shown = screen.getByTestId('justification');
    expect(shown.textContent).toBe('rollback payments⟨U+202E⟩ gnp.exe⟨U+202C⟩ please⟨U+200B⟩⟨U+200D⟩now⟨U+FEFF⟩⟨U+0007⟩');
    expect(shown.textContent).not.toMatch(/[\u202A-\u202E\u200B-\u200D\uFEFF]/);
    expect(within(shown).getAllByTitle(/hidden character/)[0]).toHaveAttribute('title', 'RIGHT-TO-LEFT OVERRIDE (hidden character)');
    expect(screen.getByRole('note')).toHaveTextContent('This text contains hidden characters (6)');
  });

  it('adds no note to ordinary text', async () => {
    serve(makeRequest({ justification: 'payments v2.14.0 times out\r\nsee INC-1' }), dana);
    await openPage();
    expect(screen.getByTestId('justification').textContent).toBe('payments v2.14.0 times out\r\nsee INC-1');
    expect(screen.queryByText(/hidden characters/)).not.toBeInTheDocument();
  });
});

describe('request page: reviews', () => {
  it('lists reviews with comments, marks stale ones dismissed and does not count them', async () => {
    serve(
      makeRequest({
        requestedBy: 'sam@example.com',
        requiredApprovals: 2,
        reviews: [
          { by: 'priya@example.com', decision: 'approve', comment: 'checked the tag', at: '2025-11-20T10:06:00Z', stale: true },
          { by: 'marcus@example.com', decision: 'approve', comment: 'ok\u202Eko', at: '2025-11-20T10:08:00Z', stale: false },
        ],
      }),
      dana,
    );
    await openPage();
    const reviews = reviewsSection();
    expect(reviews.getByTestId('quorum-progress')).toHaveTextContent('1 of 2 approvals (dismissed approvals do not count)');
    const [stale, fresh] = reviews.getAllByTestId('review');
    expect(stale).toHaveTextContent('Approved by Priya Raman (priya@example.com)');
    expect(within(stale as HTMLElement).getByText('Priya Raman')).toHaveAttribute('title', 'priya@example.com');
    expect(stale).toHaveTextContent('dismissed: the target changed');
    expect(stale).toHaveTextContent('checked the tag');
    expect(fresh).not.toHaveTextContent('dismissed');
    expect(fresh).toHaveTextContent('ok⟨U+202E⟩ko');
    expect(screen.getByText(/Waiting for 1 approval/)).toBeInTheDocument();
  });

  it('approves with a comment; reaching the quorum shows the completed rollback', async () => {
    const { state, reviews } = serve(makeRequest({ requestedBy: 'sam@example.com' }), dana);
    const user = userEvent.setup();
    await openPage();
    expect(reviewsSection().getByText(/Your approval reaches the quorum/)).toBeInTheDocument();
    await user.type(reviewsSection().getByLabelText('Comment (optional)'), 'tag v2.13.14 is the last good one');
    state.request = makeRequest({
      requestedBy: 'sam@example.com',
      state: 'completed',
      commitSha: fakeSha(9),
      reviews: [{ by: 'dana@example.com', decision: 'approve', comment: 'tag v2.13.14 is the last good one', at: '2025-11-20T10:07:00Z', stale: false }],
    });
    await user.click(reviewsSection().getByRole('button', { name: 'Approve and roll back' }));
    expect(reviews).toEqual([{ decision: 'approve', comment: 'tag v2.13.14 is the last good one' }]);
    expect(await screen.findByTestId('commit-sha')).toHaveTextContent(fakeSha(9).slice(0, 7));
    expect(screen.getByTestId('request-state')).toHaveTextContent('Completed');
    expect(reviewsSection().queryByRole('button', { name: /Approve/ })).not.toBeInTheDocument();
    expect(reviewsSection().getByTestId('review')).toHaveTextContent('tag v2.13.14 is the last good one');
  });

  it('rejects without a comment', async () => {
    const { state, reviews } = serve(makeRequest({ requestedBy: 'sam@example.com', requiredApprovals: 2 }), dana);
    const user = userEvent.setup();
    await openPage();
    expect(reviewsSection().getByText('Your approval is 1 of 2; it executes when the quorum is reached.')).toBeInTheDocument();
    state.request = makeRequest({
      requestedBy: 'sam@example.com',
      state: 'rejected',
      reviews: [{ by: 'dana@example.com', decision: 'reject', comment: '', at: '2025-11-20T10:07:00Z', stale: false }],
    });
    await user.click(reviewsSection().getByRole('button', { name: 'Reject' }));
    expect(reviews).toEqual([{ decision: 'reject' }]);
    await waitFor(() => expect(screen.getByTestId('request-state')).toHaveTextContent('Rejected'));
    // The buttons are gone: focus lands on the reviews, which now list this one, not on the page body.
    expect(screen.getByRole('heading', { level: 2, name: 'Reviews' })).toHaveFocus();
  });

  it.each([
    [403, 'FORBIDDEN', 'cannot approve/reject your own rollback request', 'Your review was not recorded'],
    [409, 'CONFLICT', 'you have already reviewed this rollback request', 'Your review was not recorded'],
    [400, 'BAD_REQUEST', 'rollback request is not pending approval', 'Your review was not recorded'],
    [500, 'EXECUTION_FAILED', 'approval saved but rollback execution failed', 'Your approval was saved, but the rollback failed'],
  ])('shows the server\'s exact message for a %i %s', async (status, code, message, title) => {
    serve(makeRequest({ requestedBy: 'sam@example.com' }), dana);
    server.use(http.post('*/api/rollbacks/rbk-1/reviews', () => HttpResponse.json({ error: { code, message } }, { status })));
    const user = userEvent.setup();
    await openPage();
    await user.click(reviewsSection().getByRole('button', { name: /^Approve/ }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(title);
    expect(within(alert).getByText(message)).toBeInTheDocument();
    expect(alert).toHaveTextContent(`Error code: ${code} (HTTP ${status})`);
  });

  it('disables Approve and Reject on one\'s own request, with the reason', async () => {
    serve(makeRequest({ requestedBy: 'Marcus@Example.com' }), marcus);
    await openPage();
    const approve = reviewsSection().getByRole('button', { name: 'Approve' });
    const reject = reviewsSection().getByRole('button', { name: 'Reject' });
    expect(approve).toBeDisabled();
    expect(reject).toBeDisabled();
    const reason = 'This is your own request: acme/production needs someone else to approve or reject it.';
    expect(approve).toHaveAccessibleDescription(reason);
    expect(reviewsSection().getByTestId('review-blocked')).toHaveTextContent(reason);
    expect(reviewsSection().queryByLabelText('Comment (optional)')).not.toBeInTheDocument();
  });

  it('offers no review to someone without an approver role, and says why', async () => {
    serve(makeRequest({ requestedBy: 'sam@example.com' }), viktor);
    await openPage();
    await waitFor(() => expect(reviewsSection().getByTestId('review-note')).toHaveTextContent('Reviewing needs the approver or admin role (you have viewer).'));
    expect(reviewsSection().queryByRole('button')).not.toBeInTheDocument();
    expect(await screen.findByText(/^You cannot add notes: adding a note to a rollback on acme\/production requires the role requester, approver, admin or break-glass \(viktor@example\.com has viewer\)/)).toBeInTheDocument();
  });

  it('says when the reviewer already reviewed', async () => {
    serve(
      makeRequest({
        requestedBy: 'sam@example.com',
        requiredApprovals: 2,
        reviews: [{ by: 'dana@example.com', decision: 'approve', comment: '', at: '2025-11-20T10:06:00Z', stale: false }],
      }),
      dana,
    );
    await openPage();
    expect(await reviewsSection().findByTestId('review-note')).toHaveTextContent('You approved this request.');
  });
});

describe('request page: timeline, verification, notes', () => {
  const event = (id: number, type: string, actor: string, at: string, details: Record<string, unknown>, breakGlass = false): AuditEvent => ({
    id: `evt-${id}`,
    at,
    actor,
    type,
    tenant: 'acme',
    environment: 'production',
    requestId: 'rbk-1',
    breakGlass,
    details,
  });

  it('builds the timeline from the request\'s audit events, in order, with times', async () => {
    const audit = [
      event(1, 'rollback.requested', 'sam@example.com', '2025-11-20T10:05:00Z', { state: 'pending' }),
      event(2, 'rollback.reviewed', 'priya@example.com', '2025-11-20T10:06:00Z', { decision: 'approve', approvals: 1, requiredApprovals: 2, state: 'pending' }),
      event(3, 'rollback.approvals-dismissed', 'dana@example.com', '2025-11-20T10:07:00Z', { reason: 'acme/production moved' }),
      event(4, 'rollback.reviewed', 'priya@example.com', '2025-11-20T10:08:00Z', { decision: 'approve', approvals: 1, requiredApprovals: 2, state: 'pending' }),
      event(5, 'rollback.reviewed', 'dana@example.com', '2025-11-20T10:09:00Z', { decision: 'approve', approvals: 2, requiredApprovals: 2, state: 'approved', quorumReached: true, comment: 'go' }),
      event(6, 'rollback.executed', 'dana@example.com', '2025-11-20T10:09:01Z', { commitSha: fakeSha(9) }),
      { ...event(7, 'rollback.requested', 'sam@example.com', '2025-11-20T10:10:00Z', {}), requestId: 'rbk-2' },
    ];
    const { auditCalls } = serve(makeRequest({ requestedBy: 'sam@example.com', state: 'completed', commitSha: fakeSha(9), requiredApprovals: 2 }), dana, audit);
    await openPage();
    const timeline = screen.getByTestId('timeline');
    await waitFor(() => expect(within(timeline).getAllByRole('listitem')).toHaveLength(8));
    // One call for this request's events, not a scan of the target.
    expect(auditCalls).toEqual([{ requestId: 'rbk-1', limit: '500' }]);
    const entries = within(timeline).getAllByRole('listitem');
    expect(entries.map((entry) => entry.dataset.step)).toEqual([
      'requested',
      'reviewed',
      'dismissed',
      'reviewed',
      'reviewed',
      'approved',
      'executing',
      'completed',
    ]);
    // People by name, the email on hover and after the name for screen readers (decision 047).
    expect(entries[0]).toHaveTextContent('Requested by Sam Rivera (sam@example.com)2025-11-20 10:05:00 UTC');
    expect(within(entries[0] as HTMLElement).getByText('Sam Rivera')).toHaveAttribute('title', 'sam@example.com');
    expect(entries[4]).toHaveTextContent('Approved by Dana Whitfield (dana@example.com) (2 of 2)');
    expect(entries[4]).toHaveTextContent('“go”');
    expect(entries[7]).toHaveTextContent(`Completed2025-11-20 10:09:01 UTCcommit ${fakeSha(9).slice(0, 7)}`);
  });

  it('reads every page of the request\'s events by cursor, so the oldest are on the timeline', async () => {
    const notes = Array.from({ length: 1_100 }, (_, i) =>
      event(10 + i, 'rollback.note-added', 'sam@example.com', new Date(Date.UTC(2025, 10, 20, 11) + i * 1_000).toISOString(), { text: `note ${i}` }),
    );
    const audit = [
      event(1, 'rollback.requested', 'sam@example.com', '2025-11-20T10:05:00Z', { state: 'pending' }),
      event(2, 'rollback.reviewed', 'dana@example.com', '2025-11-20T10:06:00Z', { decision: 'approve', approvals: 1, requiredApprovals: 1, state: 'approved' }),
      event(3, 'rollback.executed', 'dana@example.com', '2025-11-20T10:06:01Z', { commitSha: fakeSha(9) }),
      ...notes,
    ];
    const { auditCalls } = serve(makeRequest({ requestedBy: 'sam@example.com', state: 'completed', commitSha: fakeSha(9) }), dana, audit);
    await openPage();
    const timeline = screen.getByTestId('timeline');
    await waitFor(() => expect(within(timeline).getAllByRole('listitem').map((entry) => entry.dataset.step)).toEqual(['requested', 'reviewed', 'approved', 'executing', 'completed']));
    expect(within(timeline).getAllByRole('listitem')[0]).toHaveTextContent('Requested by Sam Rivera (sam@example.com)2025-11-20 10:05:00 UTC');
    expect(auditCalls).toEqual([
      { requestId: 'rbk-1', limit: '500' },
      { requestId: 'rbk-1', cursor: 'c500', limit: '500' },
      { requestId: 'rbk-1', cursor: 'c1000', limit: '500' },
    ]);
    expect(screen.queryByText(/oldest events were not read/)).not.toBeInTheDocument();
  });

  it('stops after 50 pages and says the oldest events were not read', async () => {
    const calls: (string | null)[] = [];
    serve(makeRequest({ requestedBy: 'sam@example.com', state: 'completed', commitSha: fakeSha(9) }), dana);
    // A server that never reaches the end: one note per page, always another cursor.
    server.use(
      http.get('*/api/audit', ({ request }) => {
        const params = new URL(request.url).searchParams;
        calls.push(params.get('cursor'));
        const n = calls.length;
        return HttpResponse.json({
          events: [event(100_000 - n, 'rollback.note-added', 'sam@example.com', '2025-11-20T11:00:00Z', { text: `note ${n}` })],
          nextCursor: `c${n}`,
        });
      }),
    );
    await openPage();
    expect(await screen.findByText('This request\'s audit trail is very long: its oldest events were not read.')).toBeInTheDocument();
    expect(calls).toHaveLength(50);
    expect(calls.slice(0, 3)).toEqual([null, 'c1', 'c2']);
    // Without its first event the timeline is the request's own record.
    expect(within(screen.getByTestId('timeline')).getAllByRole('listitem')[0]).toHaveTextContent('Requested');
  });

  it('links to the audit trail of the request, filtered by its id', async () => {
    const { auditCalls } = serve(makeRequest({ requestedBy: 'sam@example.com' }), dana, [
      event(1, 'rollback.requested', 'sam@example.com', '2025-11-20T10:05:00Z', { state: 'pending' }),
    ]);
    const user = userEvent.setup();
    await openPage();
    const link = within(screen.getByRole('region', { name: 'Timeline' })).getByRole('link', { name: 'Audit trail of this request' });
    expect(link).toHaveAttribute('href', '/audit?requestId=rbk-1');
    await user.click(link);
    expect(await screen.findByRole('heading', { level: 1, name: 'Audit trail' })).toBeInTheDocument();
    expect(within(await screen.findByTestId('request-filter')).getByRole('link', { name: 'rbk-1' })).toHaveAttribute('href', '/rollbacks/rbk-1');
    // The audit page asks the server for this request's events only.
    await waitFor(() => expect(auditCalls.at(-1)).toEqual({ requestId: 'rbk-1', limit: '100' }));
    expect(await screen.findByText(/^1 event/)).toBeInTheDocument();
  });

  it('flags break-glass in the timeline and says a pending request waits', async () => {
    serve(makeRequest({ requestedBy: 'sam@example.com' }), dana, [
      event(1, 'rollback.requested', 'sam@example.com', '2025-11-20T10:05:00Z', { state: 'pending' }, true),
    ]);
    await openPage();
    const timeline = screen.getByTestId('timeline');
    await waitFor(() => expect(within(timeline).getByText('Break-glass')).toBeInTheDocument());
    expect(within(timeline).getAllByRole('listitem').at(-1)).toHaveTextContent('Waiting for 1 more approvalnow');
  });

  it('shows the verification of a completed rollback', async () => {
    const { state } = serve(makeRequest({ state: 'completed', commitSha: fakeSha(9) }), dana);
    state.verification = {
      commitOnBranch: true,
      drift: true,
      services: [
        { name: 'payments', health: 'progressing', sync: 'out-of-sync' },
        { name: 'checkout', health: 'healthy', sync: 'synced' },
      ],
      rollout: {
        state: 'syncing',
        source: 'simulated',
        liveRevision: fakeSha(9),
        health: 'progressing',
        sync: 'synced',
        observedAt: '2025-11-20T10:21:00Z',
        operation: null,
        reason: null,
        committedAt: '2025-11-20T10:20:00Z',
        confirmBy: '2025-11-20T10:21:00Z',
      },
    };
    await openPage();
    const verification = within(screen.getByTestId('verification'));
    expect(verification.getByTestId('verification-commit')).toHaveTextContent(`Commit ${fakeSha(9).slice(0, 7)} is on the branch.`);
    expect(verification.getByTestId('verification-drift')).toHaveTextContent('Drift: the rolled-back files changed since the rollback.');
    expect(verification.getByRole('link', { name: 'See what changed since' })).toHaveAttribute(
      'href',
      `/targets/acme/production/compare?from=${fakeSha(9)}&to=head`,
    );
    const [payments, checkout] = verification.getAllByTestId('verification-service');
    expect(payments).toHaveTextContent('paymentsProgressingsimulatedOut of syncsimulated');
    expect(checkout).toHaveTextContent('checkoutHealthysimulatedSyncedsimulated');
    expect(verification.getByTestId('rollout')).toHaveAttribute('data-state', 'syncing');
    expect(verification.getByRole('status')).toHaveTextContent(`The simulated cluster is applying ${fakeSha(9).slice(0, 7)}: health progressing, sync synced`);
    expect(verification.getByText('Syncing')).toHaveAttribute('aria-current', 'step');
    expect(verification.getByText(/still applying/)).toBeInTheDocument();
  });

  it('lists notes and adds one', async () => {
    const { state, notes } = serve(
      makeRequest({ state: 'completed', commitSha: fakeSha(9), notes: [{ by: 'sam@example.com', text: 'error rate back to 0.1%', at: '2025-11-20T10:20:00Z' }] }),
      sam,
    );
    const user = userEvent.setup();
    await openPage();
    expect(screen.getByTestId('note')).toHaveTextContent('error rate back to 0.1%');
    await user.click(screen.getByRole('button', { name: 'Add note' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Write the note first.');
    expect(notes).toEqual([]);

    await user.type(screen.getByLabelText('Add a note'), 'postmortem: INC-4211');
    state.request = { ...state.request, notes: [...state.request.notes, { by: 'sam@example.com', text: 'postmortem: INC-4211', at: '2025-11-20T10:30:00Z' }] };
    await user.click(screen.getByRole('button', { name: 'Add note' }));
    await waitFor(() => expect(screen.getAllByTestId('note')).toHaveLength(2));
    expect(notes).toEqual([{ text: 'postmortem: INC-4211' }]);
    expect(screen.getByLabelText('Add a note')).toHaveValue('');
  });

  it('shows the server message when a note is refused', async () => {
    serve(makeRequest(), sam);
    server.use(
      http.post('*/api/rollbacks/rbk-1/notes', () => HttpResponse.json({ error: { code: 'BAD_REQUEST', message: 'note text is required' } }, { status: 400 })),
    );
    const user = userEvent.setup();
    await openPage();
    await user.type(screen.getByLabelText('Add a note'), '\u200B x');
    await user.click(screen.getByRole('button', { name: 'Add note' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('note text is required');
  });
});
