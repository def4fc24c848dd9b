/**
 * How versions read in the UI, and which one a loaded history implies: browser-safe, with no YAML
 * parsing (core/revision-versions.ts reads versions on the server), so the SPA's first bundle stays small.
 */
import type { Revision } from './schemas.ts';
import type { VersionInfo } from './version-schemas.ts';

/** "v2.13.14", or "version unknown"; the reason belongs on hover. */
export function versionLabel(version: VersionInfo): string {
  return version.known ? version.version : 'version unknown';
}

/** Where a version came from, or why there is none: the hover text next to every version shown. */
export function versionProvenance(version: VersionInfo): string {
  return version.known ? `read from ${version.field} in ${version.file}` : `version unknown: ${version.reason}`;
}

/**
 * A service's version at `revisions[index]`, from a contiguous newest-first history whose rows carry
 * `versions`: the newest row at or below `index` that changed the service says what it deploys. Null
 * when none of those rows changed it (its version is older than the history given).
 */
export function versionInHistory(revisions: readonly Revision[], index: number, service: string): VersionInfo | null {
  for (let i = index; i < revisions.length; i++) {
    const change = revisions[i]!.versions?.find((v) => v.service === service);
    if (change) return change.to;
  }
  return null;
}

export function notInLoadedHistory(service: string): VersionInfo {
  return { known: false, reason: `${service} did not change in the revisions loaded; load older revisions to see it` };
}
