import { useId, useState, type ReactNode } from 'react';
import type { LegendEntry } from './legend.ts';
import { SHAPE_PATH } from './theme.ts';
import './charts.css';

interface Props {
  title: string;
  /** A line under the title: what is plotted, how many points, the verdict in words. */
  caption?: ReactNode;
  legend: readonly LegendEntry[];
  /** The same data as the chart, as a table: rendered only when asked for (a 100k-point table is not free). */
  table: () => ReactNode;
  /** Open with the table shown. */
  tableOpen?: boolean;
  /** Heading level of the title in its page. */
  level?: 2 | 3 | 4;
  children: ReactNode;
  className?: string;
}

/**
 * The frame every chart sits in: its title, a legend in words and samples, the picture, and
 * a Table button (keyboard reachable, aria-expanded) that shows the same data as a table
 * under it. The picture is an image to a screen reader; the table is how its numbers are read.
 */
export function ChartFrame({ title, caption, legend, table, tableOpen = false, level = 3, children, className }: Props) {
  const id = useId();
  const [open, setOpen] = useState(tableOpen);
  const H = `h${level}` as const;
  return (
    <figure className={`chart${className ? ` ${className}` : ''}`} aria-labelledby={`${id}-title`}>
      <div className="chart-head">
        <div className="chart-head-text">
          <H id={`${id}-title`} className="chart-title">
            {title}
          </H>
          {caption ? <div className="chart-caption">{caption}</div> : null}
        </div>
        <button
          type="button"
          className="button button--secondary chart-table-toggle"
          aria-expanded={open}
          aria-controls={`${id}-table`}
          onClick={() => setOpen((o) => !o)}
        >
          {open ? 'Hide table' : 'Show as table'}
        </button>
      </div>
      {legend.length > 0 ? <Legend entries={legend} /> : null}
      <div className="chart-body">{children}</div>
      <div id={`${id}-table`} className="chart-table" hidden={!open}>
        {open ? table() : null}
      </div>
    </figure>
  );
}

export function Legend({ entries }: { entries: readonly LegendEntry[] }) {
  return (
    <ul className="chart-legend" aria-label="Legend">
      {entries.map((e, i) => (
        <li key={`${e.label}-${i}`}>
          <LegendSample entry={e} />
          <span>{e.label}</span>
        </li>
      ))}
    </ul>
  );
}

export function LegendSample({ entry: e }: { entry: LegendEntry }) {
  if (e.kind === 'line') {
    return (
      <svg className="chart-legend-sample" width="32" height="12" viewBox="0 0 32 12" aria-hidden="true">
        <line x1="1" y1="6" x2="31" y2="6" stroke={e.colour} strokeWidth={Math.max(2, e.width)} strokeDasharray={e.dash.join(' ') || undefined} />
      </svg>
    );
  }
  if (e.kind === 'swatch') {
    return (
      <svg className="chart-legend-sample" width="22" height="14" viewBox="0 0 22 14" aria-hidden="true">
        <rect x="1" y="1" width="20" height="12" rx="2" fill={e.colour} />
      </svg>
    );
  }
  if (e.kind === 'band') {
    return (
      <svg className="chart-legend-sample" width="32" height="12" viewBox="0 0 32 12" aria-hidden="true">
        <rect x="1" y="1" width="30" height="10" fill={e.colour} stroke="#9a5b00" strokeWidth="1" strokeDasharray="3 3" />
      </svg>
    );
  }
  return (
    <svg className="chart-legend-sample" width="16" height="16" viewBox="0 0 12 12" aria-hidden="true">
      <path d={SHAPE_PATH[e.shape]} fill="none" stroke={e.colour} strokeWidth="2" />
    </svg>
  );
}
