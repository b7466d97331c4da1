import { Fragment, type ReactNode } from 'react';
import './DataTable.css';

export interface Column<T> {
  /** Stable key of the column (also its class: `data-table-col--<key>`). */
  key: string;
  header: string;
  cell(row: T): ReactNode;
  /** Right-aligned numbers and times. */
  numeric?: boolean;
}

interface Props<T> {
  /** The table's accessible name. */
  label: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey(row: T): string;
  /** The first column names the row (a `th scope="row"`), so a reader hears it with each cell. */
  rowHeader?: boolean;
  /** A row under a row, across every column (an audit entry's diff, a person's PIN form); null for none. */
  detail?(row: T): ReactNode | null;
  /** Dims a row (a disabled person, a revoked token). */
  muted?(row: T): boolean;
}

/** The kit's table: typed columns, a header row, an optional detail row under each row. */
export function DataTable<T>({ label, columns, rows, rowKey, rowHeader = true, detail, muted }: Props<T>) {
  return (
    <div className="data-table-wrap">
      <table className="data-table" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={cellClass(c)}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const key = rowKey(row);
            const extra = detail?.(row) ?? null;
            return (
              <Fragment key={key}>
                <tr className={`${muted?.(row) ? 'data-table-row--muted' : ''}${extra ? ' data-table-row--open' : ''}`.trim() || undefined}>
                  {columns.map((c, i) =>
                    i === 0 && rowHeader ? (
                      <th key={c.key} scope="row" className={cellClass(c)}>
                        {c.cell(row)}
                      </th>
                    ) : (
                      <td key={c.key} className={cellClass(c)}>
                        {c.cell(row)}
                      </td>
                    ),
                  )}
                </tr>
                {extra ? (
                  <tr className="data-table-detail">
                    <td colSpan={columns.length}>{extra}</td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const cellClass = <T,>(c: Column<T>): string => `data-table-col--${c.key}${c.numeric ? ' data-table-num' : ''}`;
