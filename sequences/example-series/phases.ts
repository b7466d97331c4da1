import type { PhaseContext } from '#station/engine/sdk.ts';

/** A whole series measured at once: rows of [time s, voltage V]. */
export function power_up_ramp(ctx: PhaseContext): void {
  const points: number[][] = [];
  for (let i = 0; i <= 40; i++) {
    const t = i * 0.005;
    points.push([t, 12 * (1 - Math.exp(-t / 0.03))]);
  }
  ctx.measure('ramp', points);
  // The raw trace goes with the record, for a look later.
  ctx.attach('ramp.csv', ['time_s,voltage_v', ...points.map(([t, v]) => `${t},${v!.toFixed(4)}`)].join('\n'));
}

/** A series collected point by point; recorded and validated when the phase ends. */
export async function iv_curve(ctx: PhaseContext): Promise<void> {
  const iv = ctx.series('iv');
  for (let v = 0; v <= 5; v += 0.5) {
    iv.add(v, 4 + v * v * 3);
    await ctx.sleep(1);
  }
}
