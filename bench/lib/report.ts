/** One JSON line per figure: {"figure", "value", "unit", "target", ...details}. */
export function report(figure: string, value: number, unit: string, target: number | null, details: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ figure, value: Math.round(value * 1000) / 1000, unit, target, ...details }));
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const median = (xs: readonly number[]): number => percentile([...xs].sort((a, b) => a - b), 50);
