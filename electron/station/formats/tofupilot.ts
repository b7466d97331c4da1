import type { Limits, LogLevel, Measurement, PhaseRecord, RunRecord, Validator } from '#contract/records.ts';
import { validatorText } from './openhtf.ts';

/**
 * TofuPilot's create-run request (API v2, `POST /v2/runs`), field by field as in their
 * Python client's request models (RunCreateRequest and what it holds; restated in
 * test/helpers/tofupilot-models.ts, which the tests hold every field to). TofuPilot needs
 * its own procedure id (a UUID of a procedure that exists there): the target maps ours to
 * theirs.
 */

type Obj = Record<string, unknown>;

const LEVEL: Record<LogLevel, string> = { debug: 'DEBUG', info: 'INFO', warning: 'WARNING', error: 'ERROR' };

const AGGREGATION: Record<string, string> = { min: 'min', max: 'max', mean: 'avg', std: 'std', count: 'count' };

function spec(operator: string, expected: unknown, expression: string, decisive = true): Obj {
  return decisive ? { operator, expected_value: expected, expression } : { operator, expected_value: expected, expression, is_decisive: false };
}

/** TofuPilot ValidatorSpec list; null when a validator has no operator form (custom code). */
export function validatorSpecs(v: Validator | undefined): Obj[] | null {
  if (!v) return null;
  switch (v.kind) {
    case 'range': {
      const out: Obj[] = [];
      if (v.lower !== undefined) out.push(spec(v.lowerInclusive !== false ? '>=' : '>', v.lower, `x ${v.lowerInclusive !== false ? '>=' : '>'} ${v.lower}`));
      if (v.upper !== undefined) out.push(spec(v.upperInclusive !== false ? '<=' : '<', v.upper, `x ${v.upperInclusive !== false ? '<=' : '<'} ${v.upper}`));
      // Marginal bands warn, they do not decide.
      if (v.marginalLower !== undefined) out.push(spec('>=', v.marginalLower, `x >= ${v.marginalLower} (marginal)`, false));
      if (v.marginalUpper !== undefined) out.push(spec('<=', v.marginalUpper, `x <= ${v.marginalUpper} (marginal)`, false));
      return out.length ? out : null;
    }
    case 'equals': {
      const t = v.tolerance;
      if (t && typeof v.value === 'number') {
        // A tolerance is a band around the nominal: TofuPilot's `==` would call any other value a mismatch.
        const band = Math.max(t.abs ?? 0, ((t.percent ?? 0) / 100) * Math.abs(v.value), ((t.ppm ?? 0) / 1e6) * Math.abs(v.value));
        const text = validatorText(v);
        return [spec('>=', v.value - band, text), spec('<=', v.value + band, text)];
      }
      return [spec('==', v.value, `x == ${String(v.value)}`)];
    }
    case 'regex':
      return [spec('matches', v.pattern, `x matches /${v.pattern}/`)];
    case 'one-of': {
      const strings = v.values.filter((x): x is string => typeof x === 'string');
      const numbers = v.values.filter((x): x is number => typeof x === 'number');
      const expected = strings.length === v.values.length ? strings : numbers.length === v.values.length ? numbers : v.values.map(String);
      return [spec('in', expected, `x in [${v.values.map(String).join(', ')}]`)];
    }
    case 'series':
      return v.each ? validatorSpecs({ kind: 'range', ...v.each }) : null;
    case 'custom':
      return null;
  }
}

const inLimits = (x: number, l: Limits): boolean =>
  (l.lower === undefined || (l.lowerInclusive !== false ? x >= l.lower : x > l.lower)) &&
  (l.upper === undefined || (l.upperInclusive !== false ? x <= l.upper : x < l.upper));

/** The series' aggregations of its value axis, each with its limits and whether it met them. */
function aggregationsOut(m: Measurement): Obj[] | undefined {
  if (!m.aggregates) return undefined;
  const limits = m.validator?.kind === 'series' ? m.validator.aggregates : {};
  return Object.entries(m.aggregates).map(([agg, value]) => {
    const a: Obj = { type: AGGREGATION[agg] ?? agg, value };
    const lim = limits[agg as keyof typeof limits];
    const s = lim ? validatorSpecs({ kind: 'range', ...lim }) : null;
    if (lim && s) {
      a.validators = s;
      a.outcome = inLimits(value, lim) ? 'PASS' : 'FAIL';
    }
    return a;
  });
}

/**
 * A series as TofuPilot's structured multi-dimensional form: the first axis as `x_axis`,
 * every other column as one `y_axis` entry (the value axis last, with the series' limits on
 * each point and its aggregations). A one-column series gets the sample index as x.
 */
function axesOut(m: Measurement & { value: number[][] }, out: Obj): void {
  const dims = m.dimensions ?? [];
  const width = m.value[0]?.length ?? dims.length;
  const axis = (data: number[], d: { name: string; units?: string | undefined } | undefined): Obj => {
    const a: Obj = { data };
    if (d?.units) a.units = d.units;
    if (d?.name) a.description = d.name;
    return a;
  };
  const column = (j: number) => m.value.map((row) => row[j]!);
  const oneColumn = width <= 1;
  out.x_axis = oneColumn ? { data: m.value.map((_, i) => i), description: 'sample' } : axis(column(0), dims[0]);
  const ys: Obj[] = [];
  for (let j = oneColumn ? 0 : 1; j < Math.max(width, 1); j++) {
    const y = axis(m.value.length ? column(j) : [], dims[j] ?? (j === width - 1 ? { name: m.name, units: m.units } : undefined));
    if (j === Math.max(width, 1) - 1) {
      const each = m.validator?.kind === 'series' && m.validator.each ? validatorSpecs({ kind: 'range', ...m.validator.each }) : null;
      if (each) y.validators = each;
      const aggs = aggregationsOut(m);
      if (aggs) y.aggregations = aggs;
    }
    ys.push(y);
  }
  out.y_axis = ys;
}

function measurementOut(m: Measurement): Obj {
  const out: Obj = { name: m.name, outcome: m.outcome === 'SKIP' ? 'UNSET' : m.outcome };
  if (Array.isArray(m.value)) axesOut(m as Measurement & { value: number[][] }, out);
  else {
    out.measured_value = m.value;
    if (m.units !== undefined) out.units = m.units;
    const specs = validatorSpecs(m.validator);
    if (specs) out.validators = specs;
    const aggs = aggregationsOut(m);
    if (aggs) out.aggregations = aggs;
  }
  const doc = [m.validator?.kind === 'custom' ? `validator ${m.validator.name}: ${m.validator.description}` : '', m.reason ?? ''].filter(Boolean).join('; ');
  if (doc) out.docstring = doc;
  return out;
}

function phaseOut(p: PhaseRecord): Obj {
  const out: Obj = {
    name: p.name,
    outcome: p.outcome === 'ABORTED' ? 'ERROR' : p.outcome,
    started_at: p.startedAt,
    ended_at: p.endedAt,
    measurements: p.measurements.map(measurementOut),
    // TofuPilot keeps every attempt under one name, told apart by this zero-based index.
    retry_count: p.attempt - 1,
  };
  const doc = [
    p.error ? `${p.error.kind}: ${p.error.message}` : '',
    p.failureCode ? `failure code ${p.failureCode}` : '',
    p.group !== 'main' ? `${p.group} phase` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  if (doc) out.docstring = doc;
  return out;
}

/** "file.ts:12" → [file, 12]; TofuPilot requires both. */
function source(s: string | undefined): [string, number] {
  const m = /^(.*?):(\d+)(?::\d+)?$/.exec(s ?? '');
  return m && m[1] ? [m[1], Number(m[2])] : [s || 'passline', 0];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * `partNumber` stands in when the run has none (the target's setting): TofuPilot requires one
 * unless its settings can read it from the serial number.
 */
export function toTofuPilotRun(rec: RunRecord, procedureId: string, partNumber?: string): Obj {
  const out: Obj = {
    procedure_id: procedureId,
    procedure_version: rec.procedure.version,
    serial_number: rec.unit.serialNumber,
    outcome: rec.outcome === 'RUNNING' ? 'ERROR' : rec.outcome,
    started_at: rec.startedAt,
    ended_at: rec.endedAt ?? rec.startedAt,
    docstring: `Passline run ${rec.id} · station ${rec.stationId} socket ${rec.socket + 1} · ${rec.procedure.name} (${rec.procedure.hash.slice(0, 12)})${rec.outcomeReason ? ` · ${rec.outcomeReason}` : ''}`,
    phases: rec.phases.map(phaseOut),
    logs: rec.phases.flatMap((p) =>
      p.logs.map((l) => {
        const [file, line] = source(l.source);
        return {
          level: LEVEL[l.level],
          timestamp: l.ts,
          message: l.message.length > 10_000 ? l.message.slice(0, 10_000) : l.message,
          source_file: file,
          line_number: line,
        };
      }),
    ),
  };
  const pn = rec.unit.partNumber ?? partNumber;
  if (pn !== undefined) out.part_number = pn;
  if (rec.unit.revision !== undefined) out.revision_number = rec.unit.revision;
  if (rec.unit.batch !== undefined) out.batch_number = rec.unit.batch;
  // operated_by must be the e-mail of a TofuPilot user; a badge number is not.
  if (rec.operatorId !== undefined && EMAIL.test(rec.operatorId)) out.operated_by = rec.operatorId;
  return out;
}
