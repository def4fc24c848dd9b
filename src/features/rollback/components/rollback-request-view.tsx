import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { formatFieldPath } from '#core/field-path.ts';
import type { RollbackDetail, RollbackRequest, Target } from '#core/schemas.ts';
import { isNotFound } from '#src/api/api-error.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { RelativeTime } from '#src/components/relative-time.tsx';
import { RevealedText } from '#src/components/revealed-text.tsx';
import type { Reviewer } from '#core/review-rules.ts';
import { paths } from '#src/lib/paths.ts';
import { shortSha } from '#src/lib/sha.ts';
import { rollbackDetailQueryOptions } from '#src/features/rollback/api/rollback-query-options.ts';
import { NotesPanel } from './notes-panel.tsx';
import { RequestStatePanel } from './request-state-panel.tsx';
import { RequestTimeline } from './request-timeline.tsx';
import { NotificationsPanel } from './notifications-panel.tsx';
import { ReviewPanel } from './review-panel.tsx';
import { RollbackDiff } from './rollback-diff.tsx';
import { VerificationPanel } from './verification-panel.tsx';
import { RollForwardHints } from './roll-forward-hints.tsx';
import { IncidentText } from './incident-text.tsx';
import { StalePlanBanner, SupersedesLinks, WithdrawControl } from './request-lifecycle.tsx';
import '#src/features/rollback/rollback.css';
import { Person } from '#src/components/person.tsx';
import { requestTitle } from '#core/request-title.ts';

interface RollbackRequestViewProps {
  id: string;
  /** Who is looking (from `/api/me`): decides the review and note actions offered. */
  viewer?: Reviewer | undefined;
  /** The targets (for the request's self-approval policy). */
  targets?: Target[] | undefined;
  /** Called once when the request is seen completed: the app refreshes the target and its history. */
  onCompleted?: (request: RollbackRequest) => void;
  /** After this page changed the request (a review, a note): the app refreshes queues and the audit trail. */
  onChanged?: (request: RollbackRequest) => void;
  /** The person just submitted this request: its heading takes focus once it shows (the form is gone). */
  focusHeading?: boolean;
}

const STATE_LABEL: Record<RollbackRequest['state'], string> = {
  pending: 'Pending approval',
  approved: 'Approved',
  rejected: 'Rejected',
  executing: 'Executing',
  completed: 'Completed',
  failed: 'Failed',
  withdrawn: 'Withdrawn',
  superseded: 'Superseded',
  closed: 'Closed: nothing to do',
};

const MODE_LABEL = { full: 'Full', service: 'Service', field: 'Field' } as const;

export function RollbackRequestView({ id, viewer, targets, onCompleted, onChanged, focusHeading }: RollbackRequestViewProps) {
  const backend = useBackend();
  const detail = useQuery(rollbackDetailQueryOptions(backend, id));
  const request = detail.data?.request;

  const headingRef = useRef<HTMLHeadingElement>(null);
  const shown = request !== undefined;
  useEffect(() => {
    if (focusHeading && shown) headingRef.current?.focus();
  }, [focusHeading, shown]);

  const reported = useRef(false);
  useEffect(() => {
    if (request?.state === 'completed' && !reported.current) {
      reported.current = true;
      onCompleted?.(request);
    }
  }, [request, onCompleted]);

  if (detail.isPending) {
    return (
      <p className="loading" role="status" aria-busy="true">
        Loading rollback {id}…
      </p>
    );
  }
  if (detail.isError) {
    return (
      <div className="page rollback-page">
        <h1>Rollback {id}</h1>
        <ErrorState
          title={isNotFound(detail.error) ? `There is no rollback request ${id}` : `Could not load rollback ${id}`}
          error={detail.error}
          onRetry={isNotFound(detail.error) ? undefined : () => void detail.refetch()}
        />
      </div>
    );
  }

  const { request: loaded, diff, verification } = detail.data;
  const name = `${loaded.tenant}/${loaded.environment}`;
  const target = targets?.find((t) => t.tenant === loaded.tenant && t.environment === loaded.environment);
  return (
    <div className="page rollback-page">
      <title>{`Rollback ${loaded.id} · ${name} · Rewind`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={paths.overview()}>Targets</Link> <span aria-hidden="true">›</span>{' '}
        <Link to={paths.target(loaded.tenant, loaded.environment)}>{name}</Link> <span aria-hidden="true">›</span>{' '}
        <span aria-current="page">Rollback {loaded.id}</span>
      </nav>
      <div className="request-title">
        <h1 ref={headingRef} tabIndex={-1}>
          {requestTitle(loaded)}
        </h1>
        <span className={`badge request-state request-state--${loaded.state}`} data-testid="request-state">
          {STATE_LABEL[loaded.state]}
        </span>
      </div>
      {detail.data.planChange && <StalePlanBanner request={loaded} change={detail.data.planChange} viewer={viewer} onChanged={onChanged} />}
      <RequestStatePanel request={loaded}>
        <WithdrawControl request={loaded} viewer={viewer} onChanged={onChanged} />
      </RequestStatePanel>
      {loaded.state === 'completed' && verification && <VerificationPanel request={loaded} verification={verification} />}
      <section className="panel request-section" aria-labelledby="request-facts">
        <h2 id="request-facts">Request</h2>
        <RequestFacts request={loaded} planChange={detail.data.planChange} />
        <h3>Justification</h3>
        {/* User text: inert text, line breaks kept, hidden characters (bidi overrides, zero-width) shown as tokens. */}
        <RevealedText className="justification" data-testid="justification" text={loaded.justification} />
        <RollForwardHints hints={loaded.hints ?? []} recorded />
      </section>
      <section className="panel request-section" aria-labelledby="request-diff">
        <h2 id="request-diff">{loaded.state === 'completed' ? 'What the rollback changed' : 'What the rollback will change'}</h2>
        {diff.diffError ? (
          <p className="wizard-warning" data-testid="diff-error">
            No diff to show: {diff.diffError}
          </p>
        ) : (
          <RollbackDiff diff={diff} />
        )}
      </section>
      <ReviewPanel request={loaded} reviewer={viewer} target={target} onReviewed={onChanged} planStale={detail.data.planChange !== undefined} />
      <RequestTimeline request={loaded} />
      <NotificationsPanel requestId={loaded.id} />
      <NotesPanel request={loaded} viewer={viewer} target={target} onNoted={onChanged} />
    </div>
  );
}

function RequestFacts({ request, planChange }: { request: RollbackRequest; planChange: RollbackDetail['planChange'] }) {
  return (
    <dl className="facts">
      <dt>Request</dt>
      <dd>
        <code>{request.id}</code>
      </dd>
      <dt>Scope</dt>
      <dd>
        {MODE_LABEL[request.mode]}
        {request.service ? ` · ${request.service}` : ''}
      </dd>
      {request.fields && request.fields.length > 0 && (
        <>
          <dt>Fields</dt>
          <dd>
            <ul className="plain-list">
              {request.fields.map((field) => (
                <li key={`${field.file}\u0000${JSON.stringify(field.path)}`}>
                  <code>{formatFieldPath(field.path)}</code> <span className="muted">in {field.file}</span>
                </li>
              ))}
            </ul>
          </dd>
        </>
      )}
      <dt>Restores revision</dt>
      <dd>
        <code className="sha" title={request.targetSha}>
          {shortSha(request.targetSha)}
        </code>
      </dd>
      <dt>Planned on</dt>
      <dd>
        <code className="sha" title={request.baseSha}>
          {shortSha(request.baseSha)}
        </code>
        {planChange && (
          <>
            {' '}
            (the current head is <code className="sha">{shortSha(planChange.baseSha)}</code>: the plan changed)
          </>
        )}
      </dd>
      <SupersedesLinks request={request} />
      {request.incident && (
        <>
          <dt>Incident</dt>
          <dd data-testid="request-incident">
            <IncidentText incident={request.incident} />
          </dd>
        </>
      )}
      <dt>Post-incident report</dt>
      <dd>
        <Link to={paths.incidentReport(request.incident ? { incident: request.incident.id ?? request.incident.url ?? '' } : { request: request.id })}>
          {request.incident ? 'Report of this incident' : 'Report of this request'}
        </Link>
      </dd>
      <dt>Requested by</dt>
      <dd>
        <Person email={request.requestedBy} />, <RelativeTime iso={request.createdAt} />
      </dd>
      <dt>Affected services</dt>
      <dd>{request.affectedServices.length > 0 ? request.affectedServices.join(', ') : 'none (target configuration only)'}</dd>
      {request.breakGlass && (
        <>
          <dt>Break-glass</dt>
          <dd>Approval skipped under a break-glass session (flagged in the audit trail)</dd>
        </>
      )}
    </dl>
  );
}
