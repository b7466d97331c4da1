import type { MeasurementSpec, PhaseSpec, ProcedureFile, Retry } from '#contract/procedure.ts';
import type { Validator } from '#contract/records.ts';
import { specToValidator, type CustomValidator } from './validators.ts';

/** A declared measurement with its validator built once at load, not on every measure(). */
export interface PlannedMeasurement {
  spec: MeasurementSpec;
  validator: Validator | undefined;
  axes: number | undefined;
}

/** One phase as it will run: parameterised phases are expanded into one entry per instance. */
export interface PlannedPhase {
  /** Unique in the run: `rail_voltage[rail=3V3]` for an instance. */
  name: string;
  /** The exported function in phases.ts. */
  fn: string;
  title?: string;
  group: 'setup' | 'main' | 'teardown';
  timeoutMs: number;
  params: Record<string, string | number | boolean>;
  measurements: Map<string, PlannedMeasurement>;
  retry: Retry;
  onFailure: 'continue' | 'stop';
  runIf?: string;
  failureCode?: string;
  soak?: { durationS: number; everyS: number };
  /** Index in procedure.phases, for messages that name the file's line. */
  specIndex: number;
}

export function instanceName(base: string, params: Record<string, string | number | boolean>): string {
  return `${base}[${Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',')}]`;
}

function plannedMeasurements(specs: readonly MeasurementSpec[], custom: Readonly<Record<string, CustomValidator>>): Map<string, PlannedMeasurement> {
  const out = new Map<string, PlannedMeasurement>();
  for (const spec of specs) out.set(spec.name, { spec, validator: specToValidator(spec, custom), axes: spec.dimensions?.length });
  return out;
}

/**
 * The run's plan: enabled phases only, setup → main → teardown, instances expanded.
 * `overrides` are `--param` values: `key=v` for every phase with that param, `phase.key=v` for one.
 */
export function planPhases(
  file: ProcedureFile,
  custom: Readonly<Record<string, CustomValidator>> = {},
  overrides: Readonly<Record<string, string | number | boolean>> = {},
): PlannedPhase[] {
  const out: PlannedPhase[] = [];
  const override = (phase: string, params: Record<string, string | number | boolean>) => {
    const p = { ...params };
    for (const [k, v] of Object.entries(overrides)) {
      const dot = k.indexOf('.');
      if (dot > 0) {
        if (k.slice(0, dot) === phase) p[k.slice(dot + 1)] = v;
      } else if (k in p) p[k] = v;
    }
    return p;
  };
  const base = (spec: PhaseSpec, specIndex: number) => ({
    fn: spec.name,
    group: spec.group,
    // A soak's own duration bounds it; its timeout only guards against a hung tick.
    timeoutMs: spec.soak ? Math.max(spec.timeoutMs, spec.soak.durationS * 1000 + 60_000) : spec.timeoutMs,
    retry: spec.retry ?? { count: 0, delayMs: 0, on: ['fail', 'error', 'timeout'] as Retry['on'] },
    onFailure: spec.onFailure ?? (file.stopOnFailure || spec.group === 'setup' ? ('stop' as const) : ('continue' as const)),
    ...(spec.runIf !== undefined ? { runIf: spec.runIf } : {}),
    ...(spec.failureCode !== undefined ? { failureCode: spec.failureCode } : {}),
    ...(spec.soak !== undefined ? { soak: spec.soak } : {}),
    specIndex,
  });
  file.phases.forEach((spec, specIndex) => {
    if (!spec.enabled) return;
    if (!spec.instances) {
      out.push({
        ...base(spec, specIndex),
        name: spec.name,
        ...(spec.title !== undefined ? { title: spec.title } : {}),
        params: override(spec.name, spec.params),
        measurements: plannedMeasurements(spec.measurements, custom),
      });
      return;
    }
    for (const inst of spec.instances) {
      const named = spec.nameParams ? Object.fromEntries(Object.entries(inst.params).filter(([k]) => spec.nameParams!.includes(k))) : inst.params;
      const name = instanceName(spec.name, named);
      const replaced = new Map(inst.measurements.map((m) => [m.name, m]));
      const title = inst.title ?? (spec.title !== undefined ? `${spec.title} (${Object.values(inst.params).join(', ')})` : undefined);
      out.push({
        ...base(spec, specIndex),
        name,
        ...(title !== undefined ? { title } : {}),
        params: override(spec.name, override(name, { ...spec.params, ...inst.params })),
        measurements: plannedMeasurements(
          spec.measurements.map((m) => replaced.get(m.name) ?? m),
          custom,
        ),
      });
    }
  });
  const order = { setup: 0, main: 1, teardown: 2 } as const;
  return out.map((p, i) => ({ p, i })).sort((a, b) => order[a.p.group] - order[b.p.group] || a.i - b.i).map(({ p }) => p);
}
