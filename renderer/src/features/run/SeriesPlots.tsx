import { useMemo } from 'react';
import type { Measurement } from '#contract/records.ts';
import { describeValidator } from '#contract/format.ts';
import type { MarkGroup, XYSeries } from '../../components/charts/chart-model.ts';
import { axisTitle } from '../../components/charts/chart-model.ts';
import { isPlottable, sweepOf, type SweepPlot } from '../../components/charts/measurement-series.ts';
import { PagedTable } from '../../components/charts/PagedTable.tsx';
import { XYChart } from '../../components/charts/XYChart.tsx';
import { MeasurementBadge } from '../../components/Badge.tsx';
import { formatNumber } from '../../components/format.ts';
import { overlayHref } from '../../router.ts';
import { canSee } from '#contract/access.ts';
import { useSession } from '../../api/session-context.tsx';
import './series-plots.css';

interface Props {
  phase: string;
  measurements: readonly Measurement[];
  /** The run's procedure and part number: "overlay the last 50 like this" asks for these. */
  procedureId: string;
  partNumber: string | undefined;
}

/**
 * A chart for every multi-dimensional measurement of a phase (a sweep, a ramp, a soak's samples):
 * the points against their first axis with units, the every-point limits as lines, the points
 * outside them crossed and counted, the aggregate checks under it, and a table of the points.
 */
export function SeriesPlots({ phase, measurements, procedureId, partNumber }: Props) {
  const plottable = measurements.filter(isPlottable);
  if (plottable.length === 0) return null;
  return (
    <div className="series-plots">
      {plottable.map((m, i) => (
        <SeriesPlot key={`${m.name}-${i}`} phase={phase} m={m} procedureId={procedureId} partNumber={partNumber} />
      ))}
    </div>
  );
}

function SeriesPlot({ phase, m, procedureId, partNumber }: { phase: string; m: Measurement; procedureId: string; partNumber: string | undefined }) {
  const sweep = useMemo(() => sweepOf(m), [m]);
  const series = useMemo<XYSeries[]>(
    () => (sweep ? sweep.curves.map((c) => ({ label: c.label, x: c.x, y: c.y, style: sweep.points <= 80 ? 'both' : 'line' })) : []),
    [sweep],
  );
  const groups = useMemo<MarkGroup[]>(
    () => (sweep && sweep.failing.length ? [{ label: 'Point outside the limits', shape: 'cross', tone: 'fail', marks: sweep.failing }] : []),
    [sweep],
  );
  if (!sweep) return null;
  const failingAt = new Set(sweep.failing.map((f) => `${f.series}:${f.index}`));
  const limits = describeValidator(m.validator, m.units);
  const summary = `${m.name}: ${sweep.points} points of ${axisTitle(sweep.y)} against ${axisTitle(sweep.x)}${
    limits ? `; limits ${limits}` : ''
  }; ${sweep.failing.length ? `${sweep.failing.length} outside the limits` : 'every point inside its limits'}.`;

  return (
    <XYChart
      title={`${m.name}: ${sweep.y.label} against ${sweep.x.label}`}
      level={4}
      x={sweep.x}
      y={sweep.y}
      series={series}
      lines={sweep.lines}
      groups={groups}
      summary={summary}
      height={320}
      caption={<SweepFacts m={m} sweep={sweep} procedureId={procedureId} partNumber={partNumber} phase={phase} />}
      table={() => <PointsTable m={m} sweep={sweep} failingAt={failingAt} />}
    />
  );
}

function SweepFacts({
  m,
  sweep,
  procedureId,
  partNumber,
  phase,
}: {
  m: Measurement;
  sweep: SweepPlot;
  procedureId: string;
  partNumber: string | undefined;
  phase: string;
}) {
  const role = useSession().state?.session.role ?? null;
  const u = sweep.y.units ? ` ${sweep.y.units}` : '';
  return (
    <>
      <ul className="chart-facts">
        <li>
          <MeasurementBadge outcome={m.outcome} marginal={m.marginal} undeclared={m.undeclared} />
        </li>
        <li>
          {sweep.points.toLocaleString('en-US')} point{sweep.points === 1 ? '' : 's'}
          {sweep.curves.length > 1 ? ` in ${sweep.curves.length} curves` : ''}
        </li>
        {sweep.lines.length ? (
          <li>{sweep.failing.length ? <strong className="fail-text">{sweep.failing.length} outside the limits</strong> : 'every point inside the limits'}</li>
        ) : null}
        {sweep.aggregates
          // What is checked, and the range of the values; the rest is in the measurement's row above.
          .filter((a) => a.limits || a.name === 'min' || a.name === 'max')
          .map((a) => (
            <li key={a.name} className={a.inside ? undefined : 'fail-text'}>
              {a.name} {formatNumber(a.value)}
              {a.name === 'count' ? '' : u}
              {a.limits ? (
                <span className="muted">
                  {' '}
                  (limits {describeValidator({ kind: 'range', ...a.limits }, a.name === 'count' ? undefined : sweep.y.units)}
                  {a.inside ? ', inside' : ', outside'})
                </span>
              ) : null}
            </li>
          ))}
      </ul>
      {m.reason && m.outcome !== 'PASS' ? <p className="series-reason">{m.reason}</p> : null}
      {canSee(role, 'overlay') ? (
        <a className="series-overlay-link" href={overlayHref({ procedureId, partNumber, measurement: `${phase}.${m.name}`, last: 50 })}>
          Overlay with the last 50 runs{partNumber ? ` of ${partNumber}` : ''}
        </a>
      ) : null}
    </>
  );
}

/** A point of the table: curve `s`, its point `i`, row `row` of the recorded value. */
interface PointRow {
  s: number;
  i: number;
  row: number;
}

function PointsTable({ m, sweep, failingAt }: { m: Measurement; sweep: SweepPlot; failingAt: ReadonlySet<string> }) {
  const rows = useMemo(() => sweep.curves.flatMap((c, s) => c.x.map((_, i): PointRow => ({ s, i, row: c.rows[i]! }))).sort((a, b) => a.row - b.row), [sweep]);
  const xh = axisTitle(sweep.x);
  const yh = axisTitle(sweep.y);
  return (
    <PagedTable
      label={`Points of ${m.name}`}
      rows={rows}
      rowKey={(r) => String(r.row)}
      columns={[
        { key: 'n', header: 'Point', numeric: true, cell: (r) => r.row + 1 },
        { key: 'x', header: xh, numeric: true, cell: (r) => formatNumber(sweep.curves[r.s]!.x[r.i]!) },
        ...(sweep.curves.length > 1 ? [{ key: 'curve', header: 'Curve', cell: (r: PointRow) => sweep.curves[r.s]!.label }] : []),
        { key: 'y', header: yh, numeric: true, cell: (r) => formatNumber(sweep.curves[r.s]!.y[r.i]!) },
        {
          key: 'verdict',
          header: 'Limits',
          cell: (r) => (sweep.lines.length === 0 ? '—' : failingAt.has(`${r.s}:${r.i}`) ? <span className="tag tag--fail">outside</span> : 'inside'),
        },
      ]}
    />
  );
}
