import type { LineKind, MarkGroup, RefBand, RefLine, Shape, XMarker } from './chart-model.ts';
import { BAND_FILL, LINE_STYLE, MARKER_COLOUR, TONE } from './theme.ts';

/** One entry of a chart's legend: a drawn sample (line with its dash, shape, band) and words. */
export type LegendEntry = { label: string } & (
  | { kind: 'line'; colour: string; dash: readonly number[]; width: number }
  | { kind: 'shape'; shape: Shape; colour: string }
  | { kind: 'band'; colour: string }
  /** A solid block: the colour of a bar. */
  | { kind: 'swatch'; colour: string }
);

const LINE_WORDS: Record<LineKind, string> = {
  limit: 'Limit',
  marginal: 'Marginal bound',
  control: 'Control limit (UCL / LCL)',
  centre: 'Centre line (mean)',
};

/**
 * The legend for a chart's reference lines, bands, markers and marked points: one entry per
 * kind of line (the chart labels each line itself), per band, and per group of marks with how
 * many there are ("Failing point · 3").
 */
export function overlayLegend(o: {
  lines?: readonly RefLine[];
  bands?: readonly RefBand[];
  markers?: readonly XMarker[];
  groups?: readonly MarkGroup[];
  markerLabel?: string;
}): LegendEntry[] {
  const out: LegendEntry[] = [];
  const kinds = new Set((o.lines ?? []).map((l) => l.kind));
  for (const kind of ['limit', 'marginal', 'centre', 'control'] as const) {
    if (!kinds.has(kind)) continue;
    const st = LINE_STYLE[kind];
    const n = (o.lines ?? []).filter((l) => l.kind === kind).length;
    out.push({ kind: 'line', colour: st.colour, dash: st.dash, width: st.width, label: kind === 'limit' && n > 1 ? 'Limits' : LINE_WORDS[kind] });
  }
  for (const label of new Set((o.bands ?? []).map((b) => b.label))) out.push({ kind: 'band', colour: BAND_FILL, label });
  if ((o.markers ?? []).length > 0) out.push({ kind: 'line', colour: MARKER_COLOUR, dash: [6, 3], width: 2, label: o.markerLabel ?? 'Limit change' });
  for (const g of o.groups ?? []) {
    if (g.marks.length === 0) continue;
    out.push({ kind: 'shape', shape: g.shape, colour: TONE[g.tone], label: `${g.label} · ${g.marks.length.toLocaleString('en-US')}` });
  }
  return out;
}
