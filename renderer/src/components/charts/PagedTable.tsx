import { useState } from 'react';
import { DataTable, type Column } from '../DataTable.tsx';

interface Props<T> {
  label: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey(row: T): string;
  pageSize?: number;
  muted?(row: T): boolean;
}

/**
 * A chart's table view, a page at a time: a control chart's 100,000 points as a DOM table
 * would take seconds, a page of 50 takes nothing. Previous / Next are buttons, so the keyboard
 * walks the whole series.
 */
export function PagedTable<T>({ label, columns, rows, rowKey, pageSize = 50, muted }: Props<T>) {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const p = Math.min(page, pages - 1);
  const first = p * pageSize;
  const shown = rows.slice(first, first + pageSize);
  return (
    <div className="paged-table">
      <DataTable label={label} columns={columns} rows={shown} rowKey={rowKey} {...(muted ? { muted } : {})} />
      {pages > 1 ? (
        <div className="paged-table-nav" role="group" aria-label={`Pages of ${label}`}>
          <button type="button" className="button button--secondary" disabled={p === 0} onClick={() => setPage(p - 1)}>
            Previous {pageSize}
          </button>
          <span className="list-meta" aria-live="polite">
            Rows {(first + 1).toLocaleString('en-US')}–{(first + shown.length).toLocaleString('en-US')} of {rows.length.toLocaleString('en-US')}
          </span>
          <button type="button" className="button button--secondary" disabled={p >= pages - 1} onClick={() => setPage(p + 1)}>
            Next {pageSize}
          </button>
        </div>
      ) : null}
    </div>
  );
}
