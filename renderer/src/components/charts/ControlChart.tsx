import { useId, useMemo, useState, type ReactNode } from 'react';
import type uPlot from 'uplot';
import type { AxisSpec, MarkGroup } from './chart-model.ts';
import { extent, rangeWith, refValues } from './chart-model.ts';
import { ChartFrame } from './ChartFrame.tsx';
import { individualsLines, movingRangeLines, movingRanges, versionMarkers, violationGroups, type ControlSegment, type Violation } from './control-model.ts';
import { overlayLegend, type LegendEntry } from './legend.ts';
import { overlaysPlugin } from './overlays.ts';
import { PagedTable } from './PagedTable.tsx';
import { readoutPlugin } from './readout.ts';
import { UPlotCanvas, axisOf, tickValues, type ChartOptions } from './UPlotCanvas.tsx';

interface Props {
  title: string;
  caption?: ReactNode;
  level?: 2 | 3 | 4;
  /** The measured value's axis. */
  y: AxisSpec;
  /** Values in run order. */
  values: readonly number[] | Float64Array;
  /** x of each value (default 1, 2, …: the run order). */
  x?: readonly number[] | Float64Array;
  xAxis?: AxisSpec;
  segments: readonly ControlSegment[];
  violations: readonly Violation[];
  /** What each rule says, for the legend and the readout ("nine in a row on one side of the centre"). */
  ruleNames: Readonly<Record<number, string>>;
  /** A point's name in the readout and the table (its run: time, socket, outcome). */
  pointLabel?: (i: number) => string;
  /** The page a point's table row links to (its run). */
  pointHref?: (i: number) => string;
  height?: number;
}

const LINE = '#1a4fd6';
const RUN_ORDER: AxisSpec = { label: 'run, in order' };
const RUN_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000];

/**
 * An individuals chart over a moving-range chart, sharing x and the cursor: centre line and
 * control limits per limit version, specification limits, version markers, and the points
 * that break a run rule marked with a shape per rule and tagged with the rules' numbers.
 */
export function ControlChart(props: Props) {
  const { title, caption, level, y, values, segments, violations, ruleNames, pointLabel, pointHref, height = 320 } = props;
  const xAxis = props.xAxis ?? RUN_ORDER;
  const syncKey = useId();
  const x = useMemo(() => props.x ?? Float64Array.from({ length: values.length }, (_, i) => i + 1), [props.x, values.length]);
  const mr = useMemo(() => movingRanges(values, segments), [values, segments]);
  const rulesAt = useMemo(() => new Map(violations.map((v) => [v.index, v.rules])), [violations]);
  const groups = useMemo(() => violationGroups(violations, ruleNames), [violations, ruleNames]);
  const iLines = useMemo(() => individualsLines(segments, x, y.units), [segments, x, y.units]);
  const mrLines = useMemo(() => movingRangeLines(segments, x), [segments, x]);
  const markers = useMemo(() => versionMarkers(segments, x), [segments, x]);

  const describe = useMemo(() => {
    const fmtY = (v: number): string => `${fmt(v)}${y.units ? ` ${y.units}` : ''}`;
    return (kind: 'I' | 'MR') =>
      (_s: number, i: number): string[] | null => {
        const v = kind === 'I' ? values[i] : mr[i];
        if (v === undefined || v === null) return null;
        return [
          pointLabel ? pointLabel(i) : `${xAxis.label} ${fmt(x[i]!)}`,
          kind === 'I' ? fmtY(v) : `moving range ${fmtY(v)}`,
          ...(rulesAt.get(i) ?? []).map((r) => `Rule ${r}: ${ruleNames[r] ?? ''}`),
        ];
      };
  }, [values, mr, x, xAxis.label, y.units, rulesAt, ruleNames, pointLabel]);

  const iOptions = useMemo<ChartOptions>(() => {
    const marks: MarkGroup[] = groups.map((g) => ({ ...g, marks: g.marks.map((m) => ({ ...m, series: 1 })) }));
    return chartOptions({
      x: xAxis,
      y,
      label: y.label,
      syncKey,
      lines: iLines,
      extent: extent(values),
      plugins: [overlaysPlugin({ lines: iLines, markers, groups: marks }), readoutPlugin(describe('I'))],
      showX: false,
      points: values.length,
    });
  }, [groups, iLines, markers, syncKey, xAxis, y, describe, values]);

  const mrOptions = useMemo<ChartOptions>(
    () =>
      chartOptions({
        x: xAxis,
        y: { label: 'MR', units: y.units },
        label: 'moving range',
        syncKey,
        lines: mrLines,
        extent: extent(mr.filter((v): v is number => v !== null)),
        // The version markers again, without their text (the chart above names them).
        plugins: [overlaysPlugin({ lines: mrLines, markers: markers.map((m) => ({ ...m, label: '' })) }), readoutPlugin(describe('MR'))],
        showX: true,
        points: values.length,
      }),
    [mrLines, markers, syncKey, xAxis, y, describe, values.length, mr],
  );

  const iData = useMemo(() => [x, values] as unknown as uPlot.AlignedData, [x, values]);
  const mrData = useMemo(() => [x, mr] as unknown as uPlot.AlignedData, [x, mr]);

  const legend = useMemo<LegendEntry[]>(
    () => [{ kind: 'line', colour: LINE, dash: [], width: 2, label: 'Value' }, ...overlayLegend({ lines: iLines, markers, groups })],
    [iLines, markers, groups],
  );
  const n = values.length;
  const broken = violations.length;
  const summary = `${title}: ${n.toLocaleString('en-US')} values in run order with their moving ranges; ${broken.toLocaleString('en-US')} point${broken === 1 ? '' : 's'} break a run rule.`;

  return (
    <ChartFrame
      title={title}
      caption={caption}
      legend={legend}
      level={level ?? 3}
      className="control-chart"
      table={() => <ControlTable {...{ title, values, mr, x, xAxis, y, segments, rulesAt, ruleNames, pointLabel, pointHref }} />}
    >
      <UPlotCanvas options={iOptions} data={iData} height={height} summary={summary} />
      <UPlotCanvas options={mrOptions} data={mrData} height={Math.round(height * 0.6)} summary={`${title}: moving ranges.`} />
    </ChartFrame>
  );
}

function chartOptions(o: {
  x: AxisSpec;
  y: AxisSpec;
  label: string;
  syncKey: string;
  lines: ReturnType<typeof individualsLines>;
  /** The y data's extent: the scale shows it and every line, whatever uPlot's own scan finds. */
  extent: [number, number] | null;
  plugins: uPlot.Plugin[];
  showX: boolean;
  points: number;
}): ChartOptions {
  return {
    legend: { show: false },
    cursor: { sync: { key: o.syncKey }, drag: { x: true, y: false }, points: { size: 8 } },
    scales: {
      x: { time: false },
      y: { range: () => rangeWith(o.extent, refValues('y', o.lines)) },
    },
    axes: [
      // Run order counts whole runs: ticks at 1, 2, 5, 10, … never 2.5.
      axisOf(o.x, 'x', { values: tickValues, incrs: RUN_STEPS, ...(o.showX ? {} : { label: '', labelSize: 0 }) }),
      // Both charts' plot areas start at the same x: one y axis width for the pair.
      axisOf(o.y, 'y', { values: tickValues, size: 86 }),
    ],
    // A dense line (several points per pixel) as a 1-pixel hairline: software raster draws it
    // several times faster than a wider stroke, and at that density it looks the same.
    series: [{}, { label: o.label, stroke: LINE, width: o.points > 2000 ? 1 : 1.5, points: { show: o.points <= 200, size: 5 } }],
    plugins: o.plugins,
  };
}

interface TableProps {
  title: string;
  values: ArrayLike<number>;
  mr: readonly (number | null)[];
  x: ArrayLike<number>;
  xAxis: AxisSpec;
  y: AxisSpec;
  segments: readonly ControlSegment[];
  rulesAt: ReadonlyMap<number, readonly number[]>;
  ruleNames: Readonly<Record<number, string>>;
  pointLabel: ((i: number) => string) | undefined;
  pointHref: ((i: number) => string) | undefined;
}

function ControlTable({ title, values, mr, x, xAxis, y, segments, rulesAt, ruleNames, pointLabel, pointHref }: TableProps) {
  const [onlyBroken, setOnlyBroken] = useState(rulesAt.size > 0);
  const id = useId();
  const rows = useMemo(
    () => (onlyBroken ? [...rulesAt.keys()].sort((a, b) => a - b) : Array.from({ length: values.length }, (_, i) => i)),
    [onlyBroken, rulesAt, values.length],
  );
  const segmentOf = (i: number): string => segments.find((s) => i >= s.from && i <= s.to)?.label ?? '';
  const u = y.units ? ` (${y.units})` : '';
  return (
    <>
      <label className="chart-table-filter" htmlFor={`${id}-only`}>
        <input id={`${id}-only`} type="checkbox" checked={onlyBroken} onChange={(e) => setOnlyBroken(e.target.checked)} />
        Only points that break a rule ({rulesAt.size.toLocaleString('en-US')})
      </label>
      <PagedTable
        label={`${title}: values`}
        rows={rows}
        rowKey={(i) => String(i)}
        columns={[
          { key: 'x', header: xAxis.label, numeric: true, cell: (i) => fmt(x[i]!) },
          ...(pointLabel
            ? [
                {
                  key: 'point',
                  header: 'Run',
                  cell: (i: number) => (pointHref ? <a href={pointHref(i)}>{pointLabel(i)}</a> : pointLabel(i)),
                },
              ]
            : []),
          { key: 'value', header: `${y.label}${u}`, numeric: true, cell: (i) => fmt(values[i]!) },
          { key: 'mr', header: `Moving range${u}`, numeric: true, cell: (i) => (mr[i] === null || mr[i] === undefined ? '—' : fmt(mr[i])) },
          ...(segments.length > 1 ? [{ key: 'version', header: 'Limits', cell: (i: number) => segmentOf(i) }] : []),
          {
            key: 'rules',
            header: 'Rules broken',
            cell: (i) => {
              const r = rulesAt.get(i);
              return r && r.length ? r.map((n) => `Rule ${n}: ${ruleNames[n] ?? ''}`).join('; ') : '—';
            },
          },
        ]}
      />
    </>
  );
}

const fmt = (v: number): string => String(Number.parseFloat(v.toPrecision(6)));
