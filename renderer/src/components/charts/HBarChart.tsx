import type { ReactNode } from 'react';
import { ChartFrame } from './ChartFrame.tsx';
import type { LegendEntry } from './legend.ts';

/** One bar: its name, its length (value of `max`), the value and a note in words. */
export interface HBar {
  key: string;
  label: string;
  value: number;
  /** The value as shown at the bar's end ("12", "96.4 %"). */
  display: string;
  /** A second line in words ("40 % of failures · 65 % so far"). */
  note?: string | undefined;
  /** A bar that opens something (the runs behind it): a link, reachable by Tab. */
  href?: string | undefined;
  /** What the link opens, for a screen reader ("12 runs that failed rail_3v3.v_3v3"). */
  linkLabel?: string | undefined;
  tone?: 'fail' | 'pass' | 'warn' | 'neutral' | undefined;
  /** A mark on the track, in the value's scale (a yield target). */
  tick?: number | undefined;
}

interface Props {
  title: string;
  caption?: ReactNode;
  level?: 2 | 3 | 4;
  bars: readonly HBar[];
  /** The value of a full track (100 for percentages); default the largest bar. */
  max?: number;
  /** A line with this text before bar `at` ("80 % of the failures are above this line"). */
  divider?: { at: number; label: string } | undefined;
  legend?: readonly LegendEntry[];
  table: () => ReactNode;
}

/**
 * Horizontal bars in the page's own type: long names (phase.measurement, failure codes) read
 * in full, each bar is a row of text a screen reader reads as it is, and a bar that opens
 * something is a link. For a few dozen categories; series of numbers go to uPlot.
 */
export function HBarChart({ title, caption, level = 3, bars, max, divider, legend = [], table }: Props) {
  const top = max ?? Math.max(1e-9, ...bars.map((b) => b.value));
  return (
    <ChartFrame title={title} caption={caption} legend={legend} table={table} level={level} className="hbar-chart">
      <ol className="hbars" aria-label={title}>
        {bars.map((b, i) => {
          const body = (
            <>
              <span className="hbar-label mono">{b.label}</span>
              <span className="hbar-track" aria-hidden="true">
                <span className={`hbar-fill hbar-fill--${b.tone ?? 'neutral'}`} style={{ width: `${Math.max(0.5, Math.min(100, (100 * b.value) / top))}%` }} />
                {b.tick !== undefined ? <span className="hbar-tick" style={{ left: `${Math.min(100, (100 * b.tick) / top)}%` }} /> : null}
              </span>
              <span className="hbar-value num">{b.display}</span>
              {b.note ? <span className="hbar-note">{b.note}</span> : null}
            </>
          );
          return (
            <li key={b.key} className={divider && i === divider.at ? 'hbar-row hbar-row--divided' : 'hbar-row'}>
              {divider && i === divider.at ? <span className="hbar-divider">{divider.label}</span> : null}
              {b.href ? (
                <a className="hbar" href={b.href} aria-label={b.linkLabel}>
                  {body}
                </a>
              ) : (
                <div className="hbar">{body}</div>
              )}
            </li>
          );
        })}
      </ol>
    </ChartFrame>
  );
}
