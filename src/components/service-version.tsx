import { versionProvenance } from '#core/version-display.ts';
import type { ServiceVersionChange, VersionInfo } from '#core/version-schemas.ts';

/**
 * A version as Rewind read it: the file and field it came from on hover, or "version unknown" and why.
 * The reason is also in the text for screen readers, since a title is not announced reliably.
 */
export function VersionText({ version }: { version: VersionInfo }) {
  if (version.known) {
    return (
      <span className="version" title={versionProvenance(version)}>
        {version.version}
      </span>
    );
  }
  return (
    <span className="version version--unknown" title={versionProvenance(version)}>
      version unknown<span className="visually-hidden"> ({version.reason})</span>
    </span>
  );
}

/** "payments v2.13.14 → v2.14.0"; one version when a revision left it as it was. */
export function VersionChangeText({ change, withService = true }: { change: ServiceVersionChange; withService?: boolean }) {
  const same = change.from.known && change.to.known && change.from.version === change.to.version;
  return (
    <span className="version-change" data-testid="version-change">
      {withService && <span className="version-change__service">{change.service} </span>}
      {!same && (
        <>
          <VersionText version={change.from} /> →{' '}
        </>
      )}
      <VersionText version={change.to} />
    </span>
  );
}
