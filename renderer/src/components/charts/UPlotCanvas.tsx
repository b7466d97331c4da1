import { useLayoutEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { AxisSpec } from './chart-model.ts';
import { axisTitle } from './chart-model.ts';
import { FONT, GRID, INK, MUTED, TICK_PX, TITLE_PX } from './theme.ts';

/** Options without the size: the wrapper gives the width it measures and the height it is told. */
export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

interface Props {
  options: ChartOptions;
  data: uPlot.AlignedData;
  height: number;
  /** What the picture shows, in one sentence, for a screen reader (the table beside it has the numbers). */
  summary: string;
}

/**
 * One uPlot instance in a div: created in a layout effect (so the first frame the page paints
 * has the chart), drawn again at the div's width when it changes, destroyed with the component.
 * New options or data make a new instance: charts here are drawn once per page, not streamed.
 */
export function UPlotCanvas({ options, data, height, summary }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const width = Math.max(200, Math.floor(el.clientWidth) || 800);
    const u = new uPlot({ ...options, width, height }, data, el);
    let frame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const w = Math.max(200, Math.floor(el.clientWidth));
        if (w !== u.width) u.setSize({ width: w, height });
      });
    });
    ro.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      ro.disconnect();
      u.destroy();
    };
  }, [options, data, height]);
  return <div ref={ref} className="chart-canvas" role="img" aria-label={summary} />;
}

/**
 * An axis in large type with its title and units. The space for tick values is measured from
 * the longest one (uPlot's fixed default cuts 15 px numbers such as "-0.0025").
 */
export function axisOf(spec: AxisSpec, side: 'x' | 'y', extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return {
    label: axisTitle(spec),
    labelFont: `700 ${TITLE_PX}px ${FONT}`,
    labelSize: TITLE_PX + 10,
    font: `${TICK_PX}px ${FONT}`,
    stroke: INK,
    grid: { stroke: GRID, width: 1 },
    ticks: { stroke: MUTED, width: 1, size: 6 },
    gap: 6,
    ...(side === 'y' ? { size: measuredSize, space: 40 } : { size: TICK_PX + 22, space: 70 }),
    ...extra,
  };
}

function measuredSize(u: uPlot, values: string[] | null, axisIdx: number, cycle: number): number {
  const axis = u.axes[axisIdx]!;
  // uPlot asks again after laying out; the first answer stands, or the axes would jump.
  const cached = (axis as { _size?: number })._size;
  if (cycle > 1 && cached !== undefined) return cached;
  let longest = '';
  for (const v of values ?? []) if (v && v.length > longest.length) longest = v;
  u.ctx.font = `${TICK_PX * uPlot.pxRatio}px ${FONT}`;
  const w = longest ? u.ctx.measureText(longest).width / uPlot.pxRatio : 0;
  return Math.ceil(w + 6 + 6 + 4);
}

/** Tick values as numbers people read: at most 6 significant digits, no "1.2000000001". */
export function tickValues(_u: uPlot, splits: number[]): string[] {
  return splits.map((v) => (v === null || v === undefined ? '' : String(Number.parseFloat(v.toPrecision(6)))));
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * Time ticks (epoch seconds) in 24-hour local time, as the rest of the station writes times:
 * "14:00" within two days (the date with the first tick of each day), "2026-03-02" beyond.
 */
export function timeTickValues(u: uPlot, splits: number[]): string[] {
  const span = (u.scales['x']?.max ?? 0) - (u.scales['x']?.min ?? 0);
  let lastDay = '';
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const day = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
    if (span > 2 * 86_400) return day;
    const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
    const first = day !== lastDay;
    lastDay = day;
    return first ? `${time}\n${day}` : time;
  });
}
