import { Link } from 'react-router';
import type { RollbackRequest, Verification } from '#core/schemas.ts';
import { HealthBadge, SyncBadge } from '#src/components/status-badges.tsx';
import { paths } from '#src/lib/paths.ts';
import { shortSha } from '#src/lib/sha.ts';
import { RolloutStatus } from './rollout-status.tsx';

/** After a completed rollback: is the commit still there, did the services converge, did anything drift. */
export function VerificationPanel({ request, verification }: { request: RollbackRequest; verification: Verification }) {
  const commit = request.commitSha ? shortSha(request.commitSha) : 'the rollback commit';
  const source = verification.rollout.source;
  return (
    <section className="panel request-section" aria-labelledby="request-verification" data-testid="verification">
      <h2 id="request-verification">After the rollback</h2>
      {request.commitSha && <RolloutStatus rollout={verification.rollout} commitSha={request.commitSha} />}
      <ul className="checks">
        <li className={verification.commitOnBranch ? 'check check--ok' : 'check check--bad'} data-testid="verification-commit">
          <span className="check__icon" aria-hidden="true">
            {verification.commitOnBranch ? '✓' : '✗'}
          </span>
          {verification.commitOnBranch ? (
            <>
              Commit <code className="sha">{commit}</code> is on the branch.
            </>
          ) : (
            <>
              Commit <code className="sha">{commit}</code> is <strong>not on the branch</strong> any more (the branch was reset or rewritten).
            </>
          )}
        </li>
        <li className={verification.drift ? 'check check--warn' : 'check check--ok'} data-testid="verification-drift">
          <span className="check__icon" aria-hidden="true">
            {verification.drift ? '⚠' : '✓'}
          </span>
          {verification.drift ? (
            <>
              <strong>Drift:</strong> the rolled-back files changed since the rollback.{' '}
              {request.commitSha && verification.commitOnBranch && (
                <Link to={paths.compare(request.tenant, request.environment, request.commitSha, 'head')}>See what changed since</Link>
              )}
            </>
          ) : (
            'No drift: the rolled-back files are as the rollback left them.'
          )}
        </li>
      </ul>
      {verification.services.length > 0 && (
        <table className="data-table verification-table stack-on-phone">
          <caption className="visually-hidden">Affected services now</caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Health</th>
              <th scope="col">Sync</th>
            </tr>
          </thead>
          <tbody>
            {verification.services.map((service) => (
              <tr key={service.name} data-testid="verification-service">
                <th scope="row">{service.name}</th>
                <td data-label="Health">
                  <HealthBadge health={service.health} source={source} reason={service.reason} />
                </td>
                <td data-label="Sync">
                  <SyncBadge sync={service.sync} source={source} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(verification.rollout.state === 'committed' || verification.rollout.state === 'syncing') && (
        <p className="muted">The cluster is still applying the rollback; this refreshes by itself.</p>
      )}
    </section>
  );
}
