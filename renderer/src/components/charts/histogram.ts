/**
 * Histogram bins: equal widths rounded to 1, 2 or 5 × 10^k (so bin edges read as plain
 * numbers), about Scott's width (3.49 σ n^-1/3), between 5 and 60 bins.
 */
export interface Bins {
  /** Left edge of each bin; the last bin ends at `edges[i] + width`. */
  edges: number[];
  counts: number[];
  width: number;
  /** Values that were not finite, left out. */
  skipped: number;
}

export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

export function binValues(values: ArrayLike<number>, maxBins = 60): Bins {
  let n = 0;
  let sum = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const skipped = values.length - n;
  if (n === 0) return { edges: [], counts: [], width: 1, skipped };
  if (lo === hi) {
    const width = niceStep(Math.abs(lo) * 0.01 || 1);
    return { edges: [lo - width / 2], counts: [n], width, skipped };
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) ss += (v - mean) ** 2;
  }
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const span = hi - lo;
  const scott = sd > 0 ? 3.49 * sd * n ** (-1 / 3) : span / 10;
  let width = niceStep(Math.min(Math.max(scott, span / maxBins), span / 5));
  // Rounding up to a nice step can leave more than maxBins across the span; step once more.
  while (Math.floor(hi / width) - Math.floor(lo / width) + 1 > maxBins) width = niceStep(width * 1.5);
  const start = Math.floor(lo / width) * width;
  const count = Math.floor((hi - start) / width) + 1;
  const counts = new Array<number>(count).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    counts[Math.min(count - 1, Math.floor((v - start) / width))]!++;
  }
  // Edges from the index, not by adding width up: no drift of 0.1 + 0.2 over 60 bins.
  const edges = counts.map((_, i) => Number.parseFloat((start + i * width).toPrecision(12)));
  return { edges, counts, width, skipped };
}
