import type { RollForwardHint } from '#core/rollback-hint-schemas.ts';
import type { ServiceVersionChange } from '#core/version-schemas.ts';
import { VersionChangeText } from '#src/components/service-version.tsx';

/**
 * Reasons to consider rolling forward instead (decision 032). A note, never a blocker: the incident
 * commander decides, and the request records what they were shown.
 */
export function RollForwardHints({ hints, recorded = false }: { hints: readonly RollForwardHint[]; recorded?: boolean }) {
  if (hints.length === 0) return null;
  return (
    <section className="roll-forward-hints" aria-labelledby="roll-forward-hints" data-testid="roll-forward-hints">
      <h3 id="roll-forward-hints">{recorded ? 'Roll-forward hints shown to the requester' : 'Consider rolling forward instead'}</h3>
      <ul>
        {hints.map((hint, index) => (
          <li key={`${hint.kind}-${index}`} data-kind={hint.kind}>
            {hint.message}
          </li>
        ))}
      </ul>
      {!recorded && <p className="muted">These do not block the rollback; they are recorded with the request.</p>}
    </section>
  );
}

/** Each affected service's version now → after the rollback, in the preview's impact summary. */
export function PlannedVersions({ versions }: { versions: readonly ServiceVersionChange[] }) {
  if (versions.length === 0) return null;
  return (
    <p className="planned-versions" data-testid="planned-versions">
      Versions:{' '}
      {versions.map((change, index) => (
        <span key={change.service}>
          {index > 0 && ', '}
          <VersionChangeText change={change} />
        </span>
      ))}
    </p>
  );
}
