import { useMemo, type ReactNode } from 'react';
import type uPlot from 'uplot';
import type { AxisSpec, MarkGroup, RefBand, RefLine, XMarker, XYSeries } from './chart-model.ts';
import { extent, rangeWith, refValues, seriesColour } from './chart-model.ts';
import { alignSeries } from './align.ts';
import { ChartFrame } from './ChartFrame.tsx';
import { overlayLegend, type LegendEntry } from './legend.ts';
import { overlaysPlugin } from './overlays.ts';
import { readoutPlugin } from './readout.ts';
import { formatDateTime } from '../format.ts';
import { UPlotCanvas, axisOf, tickValues, timeTickValues, type ChartOptions } from './UPlotCanvas.tsx';

export interface XYChartProps {
  title: string;
  caption?: ReactNode;
  level?: 2 | 3 | 4;
  x: AxisSpec;
  y: AxisSpec;
  series: readonly XYSeries[];
  lines?: readonly RefLine[];
  bands?: readonly RefBand[];
  markers?: readonly XMarker[];
  /** Marked points; a mark's `series` and `index` are the curve's and its own point's. */
  groups?: readonly MarkGroup[];
  /** Legend entries for the curves; by default one per curve when there are at most 8, else none. */
  seriesLegend?: readonly LegendEntry[];
  height?: number;
  /** x is a time (epoch seconds): date and time ticks. */
  xTime?: boolean;
  summary: string;
  table: () => ReactNode;
  tableOpen?: boolean;
  /** Lines of the readout for curve `series`'s point `index`; default: the curve, x and y. */
  describe?: (series: number, index: number) => string[];
}

/** Lines and points of one or more curves, with limit lines, bands, x markers and marked points. */
export function XYChart(props: XYChartProps) {
  const {
    title,
    caption,
    level,
    x,
    y,
    series,
    lines = NONE,
    bands = NONE,
    markers = NONE,
    groups = NONE,
    height = 360,
    xTime = false,
    summary,
    table,
    tableOpen,
    describe,
  } = props;
  const aligned = useMemo(() => alignSeries(series), [series]);
  const data = useMemo(() => [aligned.x, ...aligned.ys] as uPlot.AlignedData, [aligned]);

  const options = useMemo<ChartOptions>(() => {
    const xData = extent(aligned.x);
    // One instant on a time axis: an hour each side (10 % of the epoch would be years).
    const xFull =
      xTime && xData && xData[0] === xData[1]
        ? ([xData[0] - 3600, xData[1] + 3600] as [number, number])
        : rangeWith(xData, [...refValues('x', lines, bands), ...markers.map((m) => m.x)]);
    // Marks name a curve's own points; uPlot's data is the joined table (series 0 is x).
    const joined: MarkGroup[] = groups.map((g) => ({
      ...g,
      marks: g.marks.map((m) => ({ ...m, series: m.series + 1, index: aligned.at(m.series, m.index) })),
    }));
    const many = series.length > 8;
    const describeRow = (s: number, row: number): string[] | null => {
      const i = aligned.pointAt(s - 1, row);
      if (i < 0) return null;
      if (describe) return describe(s - 1, i);
      const c = series[s - 1]!;
      const xText = xTime ? formatDateTime(new Date(c.x[i]! * 1000).toISOString()) : `${fmt(c.x[i]!)}${x.units ? ` ${x.units}` : ''}`;
      return [c.label || title, `${x.label} ${xText}`, `${y.label} ${fmt(c.y[i]!)}${y.units ? ` ${y.units}` : ''}`];
    };
    return {
      legend: { show: false },
      // With many curves a dot on each at the cursor is a smear: the readout names the nearest.
      cursor: { drag: { x: true, y: false }, points: { size: 8, show: !many }, focus: { prox: 24 } },
      focus: { alpha: many ? 0.25 : 0.5 },
      scales: {
        x: {
          time: xTime,
          // The full view shows every limit and marker; a zoom shows what was selected.
          range: (_u, min, max) => (xData && min <= xData[0] && max >= xData[1] ? xFull : [min, max]),
        },
        y: { range: (_u, min, max) => rangeWith([min, max], refValues('y', lines, bands)) },
      },
      axes: [axisOf(x, 'x', xTime ? { values: timeTickValues, size: 52 } : { values: tickValues }), axisOf(y, 'y', { values: tickValues })],
      series: [
        { label: x.label },
        ...series.map((s, i): uPlot.Series => {
          const colour = s.colour ?? seriesColour(i);
          const pointsOnly = s.style === 'points';
          return {
            label: s.label || `curve ${i + 1}`,
            stroke: colour,
            width: s.width ?? (s.faint ? 1 : 2),
            ...(s.dashed ? { dash: [8, 4] } : {}),
            ...(s.faint ? { alpha: 0.7 } : {}),
            spanGaps: true,
            ...(pointsOnly ? { paths: () => null } : {}),
            points: pointsOnly
              ? { show: true, size: 7, space: 0, stroke: colour, fill: colour }
              : s.style === 'both'
                ? { show: true, size: 6, stroke: colour, fill: '#fff', width: 1.5 }
                : { show: false },
          };
        }),
      ],
      plugins: [overlaysPlugin({ lines, bands, markers, groups: joined }), readoutPlugin(describeRow)],
    };
  }, [aligned, series, lines, bands, markers, groups, x, y, title, describe, xTime]);

  const legend = useMemo(
    () => [
      ...(props.seriesLegend ??
        (series.length <= 8 && series.some((s) => s.label)
          ? series.map((s, i): LegendEntry => ({ kind: 'line', colour: s.colour ?? seriesColour(i), dash: s.dashed ? [8, 4] : [], width: 2, label: s.label }))
          : [])),
      ...overlayLegend({ lines, bands, markers, groups }),
    ],
    [props.seriesLegend, series, lines, bands, markers, groups],
  );

  return (
    <ChartFrame title={title} caption={caption} legend={legend} table={table} tableOpen={tableOpen ?? false} level={level ?? 3}>
      <UPlotCanvas options={options} data={data} height={height} summary={summary} />
    </ChartFrame>
  );
}

/** One empty list for every absent prop, so a re-render does not rebuild the chart. */
const NONE: readonly never[] = [];

const fmt = (n: number): string => String(Number.parseFloat(n.toPrecision(6)));
