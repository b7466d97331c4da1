import type { MeasurementSpec, PhaseSpec, ProcedureFile, Retry } from '#contract/procedure.ts';
import type { Validator } from '#contract/records.ts';
import { defaultText, type LocalizedText } from '#contract/localized-text.ts';
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
  /** In the procedure's language (records, exports); `titles` has every language procedure.yaml gives. */
  title?: string;
  titles?: Record<string, string>;
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
    timeoutMs: spec.soak ? Math.max(spec.timeoutMs, soakOf(spec)!.durationS * 1000 + 60_000) : spec.timeoutMs,
    retry: spec.retry ?? { count: 0, delayMs: 0, on: ['fail', 'error', 'timeout'] as Retry['on'] },
    onFailure: spec.onFailure ?? (file.stopOnFailure || spec.group === 'setup' ? ('stop' as const) : ('continue' as const)),
    ...(spec.runIf !== undefined ? { runIf: spec.runIf } : {}),
    ...(spec.failureCode !== undefined ? { failureCode: spec.failureCode } : {}),
    ...(spec.soak !== undefined ? { soak: soakOf(spec)! } : {}),
    specIndex,
  });
  // `--param burn_in.durationS=3600` sets one soak's length for this run (numbers only).
  const soakOf = (spec: PhaseSpec): PhaseSpec['soak'] => {
    if (!spec.soak) return undefined;
    const soak = { ...spec.soak };
    for (const key of SOAK_KEYS) {
      const v = overrides[`${spec.name}.${key}`];
      if (typeof v === 'number' && v > 0) soak[key] = v;
    }
    return soak;
  };
  const language = file.language ?? 'en';
  /** title (the procedure's language) and titles (every language given), as a phase carries them. */
  const titled = (t: LocalizedText | undefined, suffix = ''): { title?: string; titles?: Record<string, string> } => {
    if (t === undefined) return {};
    if (typeof t === 'string') return { title: `${t}${suffix}` };
    return { title: `${defaultText(t, language)}${suffix}`, titles: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, `${v}${suffix}`])) };
  };
  file.phases.forEach((spec, specIndex) => {
    if (!spec.enabled) return;
    if (!spec.instances) {
      out.push({
        ...base(spec, specIndex),
        name: spec.name,
        ...titled(spec.title),
        params: override(spec.name, spec.params),
        measurements: plannedMeasurements(spec.measurements, custom),
      });
      return;
    }
    for (const inst of spec.instances) {
      const named = spec.nameParams ? Object.fromEntries(Object.entries(inst.params).filter(([k]) => spec.nameParams!.includes(k))) : inst.params;
      const name = instanceName(spec.name, named);
      const replaced = new Map(inst.measurements.map((m) => [m.name, m]));
      const title = inst.title !== undefined ? titled(inst.title) : titled(spec.title, ` (${Object.values(inst.params).join(', ')})`);
      out.push({
        ...base(spec, specIndex),
        name,
        ...title,
        params: override(spec.name, override(name, { ...spec.params, ...inst.params })),
        measurements: plannedMeasurements(
          spec.measurements.map((m) => replaced.get(m.name) ?? m),
          custom,
        ),
      });
    }
  });
  const order = { setup: 0, main: 1, teardown: 2 } as const;
  return out
    .map((p, i) => ({ p, i }))
    .sort((a, b) => order[a.p.group] - order[b.p.group] || a.i - b.i)
    .map(({ p }) => p);
}

/** The parts of a soak that `--param phase.key=…` may set. */
const SOAK_KEYS = ['durationS', 'everyS'] as const;

/**
 * What is wrong with `--param` overrides for this procedure, one line per key: a key
 * that names no parameter or phase would otherwise be ignored and the run pass as if
 * it had been applied. Empty when every key lands somewhere.
 */
export function paramProblems(file: ProcedureFile, overrides: Readonly<Record<string, string | number | boolean>>): string[] {
  const plan = planPhases({ ...file, phases: file.phases.map((p) => ({ ...p, enabled: true })) });
  const byPhase = new Map<string, Set<string>>();
  for (const p of plan) {
    const keys = new Set(Object.keys(p.params));
    if (p.soak) for (const k of SOAK_KEYS) keys.add(k);
    byPhase.set(p.name, keys);
    // A family's overrides may also name the family (spec) rather than one instance.
    const spec = file.phases[p.specIndex]!;
    if (spec.name !== p.name) byPhase.set(spec.name, new Set([...(byPhase.get(spec.name) ?? []), ...keys]));
  }
  const bare = new Set([...byPhase.values()].flatMap((k) => [...k].filter((x) => !(SOAK_KEYS as readonly string[]).includes(x))));
  const known = [...bare].sort().join(', ') || 'none';
  const qualified = [...byPhase].flatMap(([phase, keys]) => [...keys].map((k) => `${phase}.${k}`)).sort();
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    const dot = key.indexOf('.');
    if (dot < 0) {
      if (!bare.has(key))
        problems.push(`--param ${key}: no phase has a parameter "${key}" (parameters: ${known}; or phase.key: ${qualified.join(', ') || 'none'})`);
      continue;
    }
    const phase = key.slice(0, dot);
    const name = key.slice(dot + 1);
    const keys = byPhase.get(phase);
    if (!keys) problems.push(`--param ${key}: no phase "${phase}" in this procedure (phases: ${[...byPhase.keys()].join(', ')})`);
    else if (!keys.has(name)) problems.push(`--param ${key}: phase "${phase}" has no parameter "${name}" (it has: ${[...keys].sort().join(', ') || 'none'})`);
    else if (
      (SOAK_KEYS as readonly string[]).includes(name) &&
      !Object.hasOwn(file.phases.find((p) => p.name === phase)?.params ?? {}, name) &&
      !(typeof value === 'number' && value > 0)
    )
      problems.push(`--param ${key}: a soak's ${name} is a number of seconds above 0`);
  }
  return problems;
}
