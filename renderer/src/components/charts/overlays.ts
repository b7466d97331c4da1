import uPlot from 'uplot';
import type { MarkGroup, RefBand, RefLine, Shape, XMarker } from './chart-model.ts';
import { BAND_FILL, FONT, INK, LABEL_PX, LINE_STYLE, MARKER_COLOUR, TONE } from './theme.ts';

/**
 * What the kit draws over uPlot's own series: bands under the data, then reference lines,
 * x markers and marked points over it, each with a text label so no meaning rests on colour.
 * Marks name uPlot's own data: `series` is the index in `data` (1 = the first y column).
 */
export interface Overlays {
  lines?: readonly RefLine[];
  bands?: readonly RefBand[];
  markers?: readonly XMarker[];
  groups?: readonly MarkGroup[];
}

/** Above this many marks in view, points get their shape but no tag text (it would be a smear). */
const MAX_TAGGED = 120;

export function overlaysPlugin(overlays: Overlays): uPlot.Plugin {
  return {
    hooks: {
      drawAxes: [(u) => drawBands(u, overlays.bands ?? [])],
      draw: [
        (u) => {
          drawLines(u, overlays.lines ?? []);
          drawMarkers(u, overlays.markers ?? []);
          drawMarks(u, overlays.groups ?? []);
        },
      ],
    },
  };
}

const px = (n: number): number => n * uPlot.pxRatio;

function clipToPlot(u: uPlot, f: (ctx: CanvasRenderingContext2D) => void): void {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  f(ctx);
  ctx.restore();
}

/** Canvas x or y of a value on the chart's x or y scale. */
function pos(u: uPlot, axis: 'x' | 'y', v: number): number {
  return u.valToPos(v, axis === 'x' ? 'x' : yScale(u), true);
}

/** The y scale of the first y series (the kit's charts have one). */
function yScale(u: uPlot): string {
  return u.series[1]?.scale ?? 'y';
}

function drawBands(u: uPlot, bands: readonly RefBand[]): void {
  if (bands.length === 0) return;
  const { bbox } = u;
  clipToPlot(u, (ctx) => {
    ctx.fillStyle = BAND_FILL;
    for (const b of bands) {
      const a = pos(u, b.axis, b.from);
      const c = pos(u, b.axis, b.to);
      const other = b.axis === 'y' ? 'x' : 'y';
      const s = b.start !== undefined ? pos(u, other, b.start) : null;
      const e = b.end !== undefined ? pos(u, other, b.end) : null;
      if (b.axis === 'y') {
        const x0 = s ?? bbox.left;
        const x1 = e ?? bbox.left + bbox.width;
        ctx.fillRect(x0, Math.min(a, c), x1 - x0, Math.abs(c - a));
      } else {
        const y0 = e ?? bbox.top;
        const y1 = s ?? bbox.top + bbox.height;
        ctx.fillRect(Math.min(a, c), Math.min(y0, y1), Math.abs(c - a), Math.abs(y1 - y0));
      }
    }
  });
}

/** Text with a white halo, readable over lines and points. */
function haloText(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, colour: string): void {
  ctx.lineWidth = px(4);
  ctx.strokeStyle = 'rgba(255,255,255,0.92)';
  ctx.lineJoin = 'round';
  ctx.strokeText(text, x, y);
  ctx.fillStyle = colour;
  ctx.fillText(text, x, y);
}

function drawLines(u: uPlot, lines: readonly RefLine[]): void {
  if (lines.length === 0) return;
  const { bbox } = u;
  const labels: { text: string; x: number; y: number; colour: string; axis: 'x' | 'y' }[] = [];
  clipToPlot(u, (ctx) => {
    for (const l of lines) {
      const st = LINE_STYLE[l.kind];
      const p = pos(u, l.axis, l.value);
      const other = l.axis === 'y' ? 'x' : 'y';
      ctx.strokeStyle = st.colour;
      ctx.lineWidth = px(st.width);
      ctx.setLineDash(st.dash.map(px));
      ctx.beginPath();
      if (l.axis === 'y') {
        const x0 = l.from !== undefined ? Math.max(bbox.left, pos(u, other, l.from)) : bbox.left;
        const x1 = l.to !== undefined ? Math.min(bbox.left + bbox.width, pos(u, other, l.to)) : bbox.left + bbox.width;
        if (x1 <= x0 || p < bbox.top - 1 || p > bbox.top + bbox.height + 1) continue;
        ctx.moveTo(x0, p);
        ctx.lineTo(x1, p);
        labels.push({ text: l.label, x: x1 - px(6), y: p, colour: st.colour, axis: 'y' });
      } else {
        if (p < bbox.left - 1 || p > bbox.left + bbox.width + 1) continue;
        ctx.moveTo(p, bbox.top);
        ctx.lineTo(p, bbox.top + bbox.height);
        labels.push({ text: l.label, x: p, y: bbox.top + px(4), colour: st.colour, axis: 'x' });
      }
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.font = `700 ${px(LABEL_PX)}px ${FONT}`;
    const lineH = px(LABEL_PX + 3);
    // Labels of lines close together are pushed apart so each stays readable.
    const ys = labels.filter((l) => l.axis === 'y').sort((a, b) => a.y - b.y);
    let prev = -Infinity;
    for (const l of ys) {
      let y = l.y - px(4);
      if (y - prev < lineH) y = prev + lineH;
      prev = y;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      haloText(ctx, l.text, l.x, Math.max(bbox.top + lineH, y), l.colour);
    }
    const xs = labels.filter((l) => l.axis === 'x').sort((a, b) => a.x - b.x);
    let row = 0;
    let lastRight = -Infinity;
    for (const l of xs) {
      const w = ctx.measureText(l.text).width;
      // Past the middle, a label sits left of its line, so it stays inside the plot.
      const left = l.x > bbox.left + bbox.width / 2;
      const x0 = left ? l.x - px(4) - w : l.x + px(4);
      row = x0 < lastRight + px(6) ? row + 1 : 0;
      lastRight = x0 + w;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      haloText(ctx, l.text, x0, l.y + row * lineH, l.colour);
    }
  });
}

function drawMarkers(u: uPlot, markers: readonly XMarker[]): void {
  if (markers.length === 0) return;
  const { bbox } = u;
  clipToPlot(u, (ctx) => {
    ctx.strokeStyle = MARKER_COLOUR;
    ctx.lineWidth = px(2);
    ctx.setLineDash([px(6), px(3)]);
    ctx.font = `700 ${px(LABEL_PX)}px ${FONT}`;
    ctx.textBaseline = 'top';
    let lastRight = -Infinity;
    let row = 0;
    for (const m of [...markers].sort((a, b) => a.x - b.x)) {
      const x = u.valToPos(m.x, 'x', true);
      if (x < bbox.left || x > bbox.left + bbox.width) continue;
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
      if (!m.label) continue;
      const w = ctx.measureText(m.label).width;
      const left = x + w + px(8) > bbox.left + bbox.width;
      const x0 = left ? x - px(4) - w : x + px(4);
      row = x0 < lastRight + px(6) ? row + 1 : 0;
      lastRight = x0 + w;
      ctx.setLineDash([]);
      ctx.textAlign = 'left';
      haloText(ctx, m.label, x0, bbox.top + px(4) + row * px(LABEL_PX + 3), INK);
      ctx.setLineDash([px(6), px(3)]);
    }
    ctx.setLineDash([]);
  });
}

/** A shape centred on (x, y), r its half size, in canvas pixels. */
export function shapePath(ctx: CanvasRenderingContext2D | Path2D, shape: Shape, x: number, y: number, r: number): void {
  switch (shape) {
    case 'circle':
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      break;
    case 'cross':
      ctx.moveTo(x - r, y - r);
      ctx.lineTo(x + r, y + r);
      ctx.moveTo(x + r, y - r);
      ctx.lineTo(x - r, y + r);
      break;
    case 'triangle':
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y + r * 0.8);
      ctx.lineTo(x - r, y + r * 0.8);
      ctx.closePath();
      break;
    case 'square':
      ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
      break;
    case 'diamond':
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y);
      ctx.lineTo(x, y + r);
      ctx.lineTo(x - r, y);
      ctx.closePath();
      break;
  }
}

function drawMarks(u: uPlot, groups: readonly MarkGroup[]): void {
  if (groups.length === 0) return;
  const xs = u.data[0];
  const xMin = u.scales['x']?.min ?? -Infinity;
  const xMax = u.scales['x']?.max ?? Infinity;
  clipToPlot(u, (ctx) => {
    const visible = groups.map((g) =>
      g.marks.filter((m) => {
        const x = xs[m.index];
        return x !== undefined && x >= xMin && x <= xMax && u.series[m.series]?.show !== false;
      }),
    );
    const tagged = visible.reduce((n, v) => n + v.length, 0) <= MAX_TAGGED;
    ctx.font = `700 ${px(LABEL_PX - 1)}px ${FONT}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    const r = px(5.5);
    groups.forEach((g, gi) => {
      const colour = TONE[g.tone];
      const path = new Path2D();
      const points: [number, number, string | undefined][] = [];
      // Thousands of marks on a 100k-point chart fall on the same few pixels: one shape per
      // 2-pixel cell looks the same and strokes a fraction of the path (most of the paint).
      const cells = new Set<number>();
      const cell = px(2);
      for (const m of visible[gi]!) {
        const yv = u.data[m.series]?.[m.index];
        if (yv === null || yv === undefined) continue;
        const x = u.valToPos(xs[m.index]!, 'x', true);
        const y = u.valToPos(yv, u.series[m.series]?.scale ?? 'y', true);
        const key = Math.round(x / cell) * 65536 + Math.round(y / cell);
        if (cells.has(key)) continue;
        cells.add(key);
        shapePath(path, g.shape, x, y, r);
        points.push([x, y, m.tag]);
      }
      // A white underlay first, so a mark shows on top of a dense line.
      ctx.lineWidth = px(5);
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.stroke(path);
      ctx.lineWidth = px(2.2);
      ctx.strokeStyle = colour;
      ctx.stroke(path);
      if (tagged) {
        for (const [x, y, tag] of points) {
          if (!tag) continue;
          // Above the point, or below it when the top of the plot would cut it.
          const above = y - r - px(LABEL_PX + 2) >= u.bbox.top;
          ctx.textBaseline = above ? 'bottom' : 'top';
          haloText(ctx, tag, x, above ? y - r - px(2) : y + r + px(2), colour);
        }
      }
    });
  });
}
