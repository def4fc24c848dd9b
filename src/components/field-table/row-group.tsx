import { useState, type ReactNode } from 'react';
import './field-table.css';

/** Rows of a group shown before "Show all": a release touches a handful of fields per service. */
export const GROUP_ROWS_SHOWN = 8;
/** Groups open at first; the others start collapsed, with their counts (a 110-row table stays short). */
export const GROUPS_OPEN = 3;

interface RowGroupProps<T> {
  /** The service (or "Shared files"…) the rows belong to. */
  label: string;
  items: readonly T[];
  renderRow: (item: T, index: number) => ReactNode;
  /** Columns of the table, for the header and "show all" rows. */
  columns: number;
  initiallyOpen: boolean;
  noun?: [one: string, many: string];
  limit?: number;
}

/**
 * One collapsible `<tbody>` of a table grouped by service (decision 043): a header button with the
 * group's count (aria-expanded), the first `limit` rows, and "Show all N" for the rest.
 */
export function RowGroup<T>({ label, items, renderRow, columns, initiallyOpen, noun = ['field', 'fields'], limit = GROUP_ROWS_SHOWN }: RowGroupProps<T>) {
  const [open, setOpen] = useState(initiallyOpen);
  const [all, setAll] = useState(false);
  const shown = all ? items : items.slice(0, limit);
  const count = `${items.length.toLocaleString('en')} ${items.length === 1 ? noun[0] : noun[1]}`;
  return (
    <tbody className="row-group" data-testid="row-group" data-group={label}>
      <tr className="row-group__header">
        <th colSpan={columns} scope="colgroup">
          <button type="button" className="row-group__toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
            <span className="row-group__chevron" aria-hidden="true">
              {open ? '▾' : '▸'}
            </span>
            <span className="row-group__label">{label}</span> <span className="row-group__count">{count}</span>
          </button>
        </th>
      </tr>
      {open && shown.map(renderRow)}
      {open && items.length > shown.length && (
        <tr className="row-group__more">
          <td colSpan={columns}>
            <button type="button" className="button button--small" onClick={() => setAll(true)}>
              Show all {count} of {label}
            </button>{' '}
            <span className="muted">
              ({shown.length} of {items.length.toLocaleString('en')} shown)
            </span>
          </td>
        </tr>
      )}
    </tbody>
  );
}
