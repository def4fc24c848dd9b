import { useEffect, useId, useRef, useState } from 'react';
import type { AuditEvent } from '#core/schemas.ts';
import type { AuditFilter } from '#core/ports.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { auditEventsToCsv, auditEventsToJson, downloadText, exportFileName } from '#src/features/audit/model/audit-export.ts';
import { fetchAllAuditEvents } from '#src/features/audit/api/audit-query-options.ts';

type Scope = 'loaded' | 'all';
type Format = 'csv' | 'json';

interface AuditExportProps {
  filters: AuditFilter;
  loaded: AuditEvent[];
  /** Whether more events match than are loaded. */
  complete: boolean;
}

/** Export as CSV or JSON: the events loaded so far, or every matching event (read page by page). */
export function AuditExport({ filters, loaded, complete }: AuditExportProps) {
  const backend = useBackend();
  const id = useId();
  const [scope, setScope] = useState<Scope>('loaded');
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const save = (events: readonly AuditEvent[], format: Format) => {
    const name = exportFileName({ ...filters }, format, new Date());
    if (format === 'csv') downloadText(auditEventsToCsv(events), name, 'text/csv;charset=utf-8');
    else downloadText(auditEventsToJson(events), name, 'application/json');
  };

  const run = async (format: Format) => {
    setError(null);
    if (scope === 'loaded' || complete) {
      save(loaded, format);
      return;
    }
    const controller = new AbortController();
    abort.current = controller;
    setProgress(0);
    try {
      save(await fetchAllAuditEvents(backend, filters, { signal: controller.signal, onProgress: setProgress }), format);
    } catch (caught) {
      if (!controller.signal.aborted) setError(caught);
    } finally {
      if (abort.current === controller) abort.current = null;
      setProgress(null);
    }
  };

  const busy = progress !== null;
  return (
    <div className="audit-export" role="group" aria-labelledby={`${id}-label`}>
      <span id={`${id}-label`} className="audit-export__label">
        Export
      </span>
      <label className="visually-hidden" htmlFor={`${id}-scope`}>
        Events to export
      </label>
      <select id={`${id}-scope`} value={scope} onChange={(event) => setScope(event.target.value as Scope)} disabled={busy}>
        <option value="loaded">
          the {loaded.length} loaded event{loaded.length === 1 ? '' : 's'}
        </option>
        <option value="all">{complete ? `all ${loaded.length} matching events` : 'all matching events'}</option>
      </select>
      <button type="button" className="button button--small" disabled={busy} onClick={() => void run('csv')}>
        CSV
      </button>
      <button type="button" className="button button--small" disabled={busy} onClick={() => void run('json')}>
        JSON
      </button>
      {busy && (
        <>
          <span role="status" className="muted">
            Reading events… {progress}
          </span>
          <button type="button" className="button button--small button--quiet" onClick={() => abort.current?.abort()}>
            Cancel
          </button>
        </>
      )}
      {error !== null && <ErrorState title="The export failed" error={error} />}
    </div>
  );
}
