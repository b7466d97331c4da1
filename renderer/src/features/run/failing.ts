import type { Measurement, PhaseRecord } from '#contract/records.ts';

/**
 * Failing (and unset) measurements across a run's phases. The contract has the
 * same function, but it lives beside zod schemas the renderer imports as types only.
 */
export function failingMeasurementsOf(phases: readonly PhaseRecord[]): { phase: string; measurement: Measurement }[] {
  const out: { phase: string; measurement: Measurement }[] = [];
  for (const p of phases) {
    for (const m of p.measurements) if (m.outcome === 'FAIL' || m.outcome === 'UNSET') out.push({ phase: p.name, measurement: m });
  }
  return out;
}
