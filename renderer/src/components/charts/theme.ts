import type { LineKind, MarkGroup, Shape } from './chart-model.ts';

/**
 * Canvas colours and type. A canvas cannot read CSS custom properties, so these repeat the
 * tokens of styles.css (--text, --muted, --fail, --pass, --blue); keep the two in step.
 */
export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif";
export const INK = '#0d1321';
export const MUTED = '#4a5568';
export const GRID = '#e3e8ee';

/** Sizes in CSS pixels: axis values at 15 px, axis titles at 17 px bold, like the tables beside them. */
export const TICK_PX = 15;
export const TITLE_PX = 17;
export const LABEL_PX = 14;

export const TONE: Record<MarkGroup['tone'], string> = { fail: '#b3261e', warn: '#9a5b00', info: '#1a4fd6' };

/** Each kind of line differs by dash as well as colour, and carries its name as text on the chart. */
export const LINE_STYLE: Record<LineKind, { colour: string; width: number; dash: number[] }> = {
  limit: { colour: '#b3261e', width: 2, dash: [10, 5] },
  marginal: { colour: '#9a5b00', width: 1.5, dash: [3, 3] },
  control: { colour: '#1a4fd6', width: 2, dash: [2, 4] },
  centre: { colour: '#137333', width: 2, dash: [] },
};

export const BAND_FILL = 'rgba(242, 169, 0, 0.16)';
export const MARKER_COLOUR = '#4a5568';

/** Point shapes as SVG paths in a 12 × 12 box, for the legend (the canvas draws the same shapes). */
export const SHAPE_PATH: Record<Shape, string> = {
  circle: 'M6 1.5a4.5 4.5 0 1 1 0 9a4.5 4.5 0 1 1 0-9z',
  cross: 'M2 2L10 10M10 2L2 10',
  triangle: 'M6 1.5L10.5 10H1.5z',
  square: 'M2 2H10V10H2z',
  diamond: 'M6 1L11 6L6 11L1 6z',
};
