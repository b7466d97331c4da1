import { useMemo, type ReactNode } from 'react';
import uPlot from 'uplot';
import type { AxisSpec, RefBand, RefLine } from './chart-model.ts';
import { rangeWith, refValues } from './chart-model.ts';
import { ChartFrame } from './ChartFrame.tsx';
import { binValues, type Bins } from './histogram.ts';
import { overlayLegend, type LegendEntry } from './legend.ts';
import { overlaysPlugin } from './overlays.ts';
import { readoutPlugin } from './readout.ts';
import { UPlotCanvas, axisOf, tickValues, type ChartOptions } from './UPlotCanvas.tsx';
import { DataTable } from '../DataTable.tsx';

/** A normal curve over the bars (mean and sigma of a fit), scaled to the bars' counts. */
export interface FitCurve {
  label: string;
  mean: number;
  sigma: number;
  dashed?: boolean;
}

interface Props {
  title: string;
  caption?: ReactNode;
  level?: 2 | 3 | 4;
  /** The values, on the x axis. */
  x: AxisSpec;
  values: ArrayLike<number>;
  /** Limits and marginal bounds: lines on the x axis (`axis: 'x'`). */
  lines?: readonly RefLine[];
  bands?: readonly RefBand[];
  fits?: readonly FitCurve[];
  height?: number;
  summary: string;
  /** Precomputed bins (else the kit's own). */
  bins?: Bins;
}

const NONE: readonly never[] = [];
const BAR = '#7f9bd8';
const BAR_OUT = '#b3261e';
const FIT_COLOURS = ['#0d1321', '#6b4c00'];

/** Counts of values in equal bins, limits as vertical lines, bins outside the limits hatched and named. */
export function HistogramChart({ title, caption, level, x, values, lines = NONE, bands = NONE, fits = NONE, height = 320, summary, bins: given }: Props) {
  const bins = useMemo(() => given ?? binValues(values), [given, values]);
  const outside = useMemo(
    () =>
      bins.edges.map((e) => {
        const mid = e + bins.width / 2;
        return lines.some((l) => l.kind === 'limit' && (l.side === 'lower' ? mid < l.value : l.side === 'upper' ? mid > l.value : false));
      }),
    [bins, lines],
  );
  const data = useMemo(
    () =>
      [
        bins.edges.map((e) => e + bins.width / 2),
        bins.counts.map((c, i) => (outside[i] ? null : c)),
        bins.counts.map((c, i) => (outside[i] ? c : null)),
      ] as uPlot.AlignedData,
    [bins, outside],
  );
  const n = bins.counts.reduce((a, b) => a + b, 0);

  const options = useMemo<ChartOptions>(() => {
    const lo = bins.edges[0] ?? 0;
    const hi = (bins.edges.at(-1) ?? 0) + bins.width;
    const xr = rangeWith([lo, hi], refValues('x', lines, bands));
    const bars = uPlot.paths.bars!({ size: [1, Infinity], gap: 1, align: 0 });
    const fitPlugin: uPlot.Plugin = {
      hooks: {
        draw: [
          (u) => {
            const { ctx, bbox } = u;
            ctx.save();
            ctx.beginPath();
            ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
            ctx.clip();
            fits.forEach((f, k) => {
              if (!(f.sigma > 0)) return;
              const min = u.scales['x']!.min!;
              const max = u.scales['x']!.max!;
              ctx.beginPath();
              for (let i = 0; i <= 200; i++) {
                const v = min + ((max - min) * i) / 200;
                const pdf = Math.exp(-0.5 * ((v - f.mean) / f.sigma) ** 2) / (f.sigma * Math.sqrt(2 * Math.PI));
                const px = u.valToPos(v, 'x', true);
                const py = u.valToPos(pdf * n * bins.width, 'y', true);
                if (i === 0) ctx.moveTo(px, py);
                else ctx.lineTo(px, py);
              }
              ctx.strokeStyle = FIT_COLOURS[k % FIT_COLOURS.length]!;
              ctx.lineWidth = 2 * uPlot.pxRatio;
              ctx.setLineDash(f.dashed ? [6 * uPlot.pxRatio, 4 * uPlot.pxRatio] : []);
              ctx.stroke();
            });
            ctx.restore();
          },
        ],
      },
    };
    const describe = (s: number, row: number): string[] | null => {
      const c = bins.counts[row];
      const e = bins.edges[row];
      if (c === undefined || e === undefined) return null;
      return [
        `${fmt(e)} to ${fmt(e + bins.width)}${x.units ? ` ${x.units}` : ''}`,
        `${c.toLocaleString('en-US')} value${c === 1 ? '' : 's'} (${n ? ((100 * c) / n).toFixed(1) : '0'} %)`,
        ...(s === 2 ? ['outside the limits'] : []),
      ];
    };
    return {
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: { x: { time: false, range: () => xr }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.08] } },
      axes: [axisOf(x, 'x', { values: tickValues }), axisOf({ label: 'count' }, 'y', { values: tickValues })],
      series: [
        {},
        { label: 'count', fill: BAR, stroke: '#3d5fa8', width: 1, paths: bars, points: { show: false } },
        { label: 'count outside the limits', fill: 'rgba(179,38,30,0.55)', stroke: BAR_OUT, width: 1, paths: bars, points: { show: false } },
      ],
      plugins: [overlaysPlugin({ lines, bands }), fitPlugin, readoutPlugin(describe)],
    };
  }, [bins, lines, bands, fits, n, x]);

  const legend = useMemo<LegendEntry[]>(
    () => [
      { kind: 'swatch', colour: BAR, label: 'Values in a bin' },
      ...(outside.some(Boolean) ? [{ kind: 'swatch' as const, colour: 'rgba(179,38,30,0.55)', label: 'Bin outside the limits' }] : []),
      ...fits.map((f, k): LegendEntry => ({
        kind: 'line',
        colour: FIT_COLOURS[k % FIT_COLOURS.length]!,
        dash: f.dashed ? [6, 4] : [],
        width: 2,
        label: f.label,
      })),
      ...overlayLegend({ lines, bands }),
    ],
    [outside, fits, lines, bands],
  );

  const table = () => (
    <DataTable
      label={`${title}: bins`}
      rows={bins.edges.map((_, i) => i)}
      rowKey={(i) => String(i)}
      columns={[
        { key: 'from', header: `From${x.units ? ` (${x.units})` : ''}`, numeric: true, cell: (i) => fmt(bins.edges[i]!) },
        { key: 'to', header: `To${x.units ? ` (${x.units})` : ''}`, numeric: true, cell: (i) => fmt(bins.edges[i]! + bins.width) },
        { key: 'count', header: 'Count', numeric: true, cell: (i) => bins.counts[i]!.toLocaleString('en-US') },
        { key: 'share', header: 'Share', numeric: true, cell: (i) => `${n ? ((100 * bins.counts[i]!) / n).toFixed(1) : '0'} %` },
        { key: 'limits', header: 'Limits', cell: (i) => (outside[i] ? <span className="tag tag--fail">outside</span> : 'inside') },
      ]}
    />
  );

  return (
    <ChartFrame title={title} caption={caption} legend={legend} table={table} level={level ?? 3}>
      <UPlotCanvas options={options} data={data} height={height} summary={summary} />
    </ChartFrame>
  );
}

const fmt = (v: number): string => String(Number.parseFloat(v.toPrecision(6)));
