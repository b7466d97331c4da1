import type { LogLevel, Measurement, PhaseRecord, RunRecord, Validator } from '#contract/records.ts';
import { validatorText } from './openhtf.ts';

/**
 * TofuPilot's create-run request (API v2, `POST /v2/runs`), field by field as in
 * ../shared/reference/FORMATS.md section 3.1. TofuPilot needs its own procedure id
 * (a UUID of a procedure that exists there): the target maps ours to theirs.
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
    case 'equals':
      if (v.tolerance && typeof v.value === 'number') return [spec('==', v.value, validatorText(v))];
      return [spec('==', v.value, `x == ${String(v.value)}`)];
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

function measurementOut(m: Measurement): Obj {
  const out: Obj = { name: m.name, outcome: m.outcome === 'SKIP' ? 'UNSET' : m.outcome, measured_value: m.value };
  if (Array.isArray(m.value) && m.dimensions?.length) {
    const units = m.dimensions.map((d) => d.units ?? '');
    if (units.some((u) => u !== '')) out.units = units;
  } else if (m.units !== undefined) out.units = m.units;
  const specs = validatorSpecs(m.validator);
  if (specs) out.validators = specs;
  if (m.aggregates) {
    const limits = m.validator?.kind === 'series' ? m.validator.aggregates : {};
    out.aggregations = Object.entries(m.aggregates).map(([agg, value]) => {
      const a: Obj = { type: AGGREGATION[agg] ?? agg, value };
      const lim = limits[agg as keyof typeof limits];
      const s = lim ? validatorSpecs({ kind: 'range', ...lim }) : null;
      if (s) a.validators = s;
      return a;
    });
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
  };
  if (p.error) out.docstring = `${p.error.kind}: ${p.error.message}`;
  return out;
}

/** "file.ts:12" → [file, 12]; TofuPilot requires both. */
function source(s: string | undefined): [string, number] {
  const m = /^(.*?):(\d+)(?::\d+)?$/.exec(s ?? '');
  return m && m[1] ? [m[1], Number(m[2])] : [s || 'passline', 0];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function toTofuPilotRun(rec: RunRecord, procedureId: string): Obj {
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
  if (rec.unit.partNumber !== undefined) out.part_number = rec.unit.partNumber;
  if (rec.unit.revision !== undefined) out.revision_number = rec.unit.revision;
  if (rec.unit.batch !== undefined) out.batch_number = rec.unit.batch;
  // operated_by must be the e-mail of a TofuPilot user; a badge number is not.
  if (rec.operatorId !== undefined && EMAIL.test(rec.operatorId)) out.operated_by = rec.operatorId;
  return out;
}
