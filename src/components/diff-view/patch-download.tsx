import { formatSize } from './diff-limits.ts';

/** `tenants/acme/…/values.yaml` → `tenants_acme_…_values.yaml.patch`: no path, no hidden file, no odd characters. */
export function patchFileName(path: string): string {
  const base = path
    .split(/[\\/]+/)
    .filter(Boolean)
    .join('_')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(-120);
  return `${base || 'diff'}.patch`;
}

// Long enough for the browser to start reading the Blob, short enough not to hold large patches.
const REVOKE_AFTER_MS = 60_000;

export function downloadPatch(path: string, patch: string) {
  const url = URL.createObjectURL(new Blob([patch], { type: 'text/x-diff' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = patchFileName(path);
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}

export function PatchDownload({ path, patch }: { path: string; patch: string }) {
  return (
    <button type="button" className="button button--small" onClick={() => downloadPatch(path, patch)}>
      Download patch ({formatSize(patch.length)})
    </button>
  );
}
