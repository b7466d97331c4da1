/** One JSON line per figure: {"figure", "value", "unit", "target", ...details}. */
export function report(figure: string, value: number, unit: string, target: number | null, details: Record<string, unknown> = {}): void {
  if (!wanted(figure)) return;
  console.log(JSON.stringify({ figure, value: Math.round(value * 1000) / 1000, unit, target, ...details }));
}

/** Whether `npm run bench -- <prefix>` asked for this figure (all are, when a file is run by itself). */
export function wanted(figure: string): boolean {
  const only = process.env['PASSLINE_BENCH_ONLY'];
  return !only || only.split(',').includes(figure);
}

/** The figures a bench file reports: the names in its `report('…'` calls. */
export function figuresIn(source: string): string[] {
  return [...source.matchAll(/\breport\(\s*'([a-z0-9_.]+)'/g)].map((m) => m[1]!);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const median = (xs: readonly number[]): number =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

/** What a figure reports beside its value (the median): the best sample and the spread (max - min), rounded. */
export function spreadOf(xs: readonly number[], digits = 1): { best: number; spread: number; samples: number } {
  const f = 10 ** digits;
  return { best: Math.round(Math.min(...xs) * f) / f, spread: Math.round((Math.max(...xs) - Math.min(...xs)) * f) / f, samples: xs.length };
}
