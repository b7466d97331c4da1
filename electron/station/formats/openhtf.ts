import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Attachment, Dimension, LogEntry, LogLevel, Measurement, MeasurementValue, PhaseRecord, RunRecord, Validator } from '#contract/records.ts';
import { MeasurementSchema, PhaseRecordSchema, ProcedureFileEntrySchema, RunRecordSchema } from '#contract/records.ts';
import { StationFault, formatZodError } from '#contract/errors.ts';
import type { AttachmentReader } from '#station/store/attachments.ts';
import { EmbeddedBytes, decodeBase64, sha1Of, sha256Of, type ImportedBytes } from './attachment-bytes.ts';

/**
 * OpenHTF's JSON test record (the output of its OutputToJSON callback), written in
 * the structure of real records (../shared/reference/openhtf) and read back, so
 * records from an OpenHTF line join Passline's history. OpenHTF has no schema:
 * the reader is structural and tolerant of older records (fewer keys).
 * Mapping and what does not survive: docs/formats.md.
 */

export const OPENHTF_MEDIA_TYPE = 'application/json';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const LEVEL_NUMBER: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40 };

/** UN/CEFACT codes OpenHTF uses for the common units; others keep their text. */
const UNITS: Record<string, { name: string; code: string }> = {
  V: { name: 'volt', code: 'VLT' },
  mV: { name: 'millivolt', code: '2Z' },
  A: { name: 'ampere', code: 'AMP' },
  mA: { name: 'milliampere', code: '4K' },
  W: { name: 'watt', code: 'WTT' },
  Ω: { name: 'ohm', code: 'OHM' },
  ohm: { name: 'ohm', code: 'OHM' },
  Hz: { name: 'hertz', code: 'HTZ' },
  kHz: { name: 'kilohertz', code: 'KHZ' },
  MHz: { name: 'megahertz', code: 'MHZ' },
  s: { name: 'second [unit of time]', code: 'SEC' },
  ms: { name: 'millisecond', code: 'C26' },
  '°C': { name: 'degree Celsius', code: 'CEL' },
  '%': { name: 'percent', code: 'P1' },
  dB: { name: 'decibel', code: '2N' },
};

const unitsOf = (u: string): Obj => ({ name: UNITS[u]?.name ?? u, code: UNITS[u]?.code ?? u, suffix: u });

const ms = (iso: string): number => Date.parse(iso);
/** A number as Python's repr writes it (OpenHTF's validator texts come from Python): 1e-05, not 0.00001. */
function pyNum(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : n < 0 ? '-inf' : 'nan';
  const a = Math.abs(n);
  if (n === 0 || (a >= 1e-4 && a < 1e16)) return String(n);
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  return `${mantissa}e${exp.startsWith('-') ? '-' : '+'}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
}
const pyValue = (v: string | number | boolean): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : typeof v === 'number' ? pyNum(v) : v);

/** The validator's text as OpenHTF's validators print themselves (validators.py). */
export function validatorText(v: Validator): string {
  switch (v.kind) {
    case 'range': {
      if (v.lower !== undefined && v.upper !== undefined && v.lower === v.upper && v.lowerInclusive !== false && v.upperInclusive !== false)
        return `x == ${pyNum(v.lower)}`;
      let s = '';
      if (v.lower !== undefined) s += `${pyNum(v.lower)} ${v.lowerInclusive !== false ? '<=' : '<'} `;
      if (v.marginalLower !== undefined) s += `Marginal:${pyNum(v.marginalLower)} <= `;
      s += 'x';
      if (v.marginalUpper !== undefined) s += ` <= Marginal:${pyNum(v.marginalUpper)}`;
      if (v.upper !== undefined) s += ` ${v.upperInclusive !== false ? '<=' : '<'} ${pyNum(v.upper)}`;
      return s;
    }
    case 'equals': {
      const t = v.tolerance;
      if (t?.percent !== undefined && typeof v.value === 'number') return `'x' is within ${pyNum(t.percent)}% of ${pyNum(v.value)}.`;
      if (t && typeof v.value === 'number') {
        const band = Math.max(t.abs ?? 0, ((t.ppm ?? 0) / 1e6) * Math.abs(v.value));
        return `${pyNum(v.value - band)} <= x <= ${pyNum(v.value + band)}`;
      }
      if (typeof v.value === 'string') return `'x' is equal to '${v.value}'${v.caseSensitive === false ? ' (any case)' : ''}`;
      return `x == ${pyValue(v.value)}`;
    }
    case 'regex':
      return `'x' matches /${v.pattern}/${v.flags ?? ''}`;
    case 'one-of':
      return `'x' is in [${v.values.map((x) => (typeof x === 'string' ? `'${x}'` : pyValue(x))).join(', ')}]${v.caseSensitive === false ? ' (any case)' : ''}`;
    case 'custom':
      return v.description || v.name;
    case 'series':
      return seriesTexts(v).join('; ');
  }
}

/**
 * A series validator as OpenHTF-style texts, one per limit: the limits on every point as
 * OpenHTF's DimensionPivot prints them ("All values pass: 18 <= x <= 22"), each limit on an
 * aggregate as "<aggregate> of values: <range>". Read back by parseValidatorTexts.
 */
export function seriesTexts(v: Extract<Validator, { kind: 'series' }>): string[] {
  const out: string[] = [];
  if (v.each) out.push(`All values pass: ${validatorText({ kind: 'range', ...v.each })}`);
  for (const [agg, lim] of Object.entries(v.aggregates)) out.push(`${agg} of values: ${validatorText({ kind: 'range', ...lim })}`);
  return out;
}

const NUM = String.raw`(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|-?inf|nan)`;
const RANGE = new RegExp(String.raw`^(?:${NUM} (<=|<) )?(?:Marginal:${NUM} <= )?x(?: <= Marginal:${NUM})?(?: (<=|<) ${NUM})?$`);
const num = (s: string): number => (s === 'inf' ? Infinity : s === '-inf' ? -Infinity : s === 'nan' ? NaN : Number(s));

/** Parses OpenHTF validator text back; text it does not know becomes a custom validator. */
export function parseValidatorText(text: string): Validator {
  const t = text.trim();
  let m = /^x == (.+)$/.exec(t);
  if (m) {
    const raw = m[1]!;
    if (raw === 'True' || raw === 'False') return { kind: 'equals', value: raw === 'True', caseSensitive: true };
    if (new RegExp(`^${NUM}$`).test(raw)) {
      const n = num(raw);
      return { kind: 'range', lower: n, upper: n };
    }
    return { kind: 'equals', value: raw, caseSensitive: true };
  }
  m = RANGE.exec(t);
  if (m && (m[1] !== undefined || m[6] !== undefined)) {
    const v: Validator = { kind: 'range' };
    if (m[2] === '<') v.lowerInclusive = false;
    if (m[5] === '<') v.upperInclusive = false;
    if (m[1] !== undefined) v.lower = num(m[1]);
    if (m[3] !== undefined) v.marginalLower = num(m[3]);
    if (m[4] !== undefined) v.marginalUpper = num(m[4]);
    if (m[6] !== undefined) v.upper = num(m[6]);
    return v;
  }
  m = /^'x' matches \/(.*)\/([dgimsuvy]*)$/s.exec(t);
  if (m) return { kind: 'regex', pattern: m[1]!, ...(m[2] ? { flags: m[2] } : {}) };
  m = /^'x' is equal to '(.*)'( \(any case\))?$/s.exec(t);
  if (m) return { kind: 'equals', value: m[1]!, caseSensitive: m[2] === undefined };
  m = new RegExp(`^'x' is within ${NUM}% of ${NUM}\\.?$`).exec(t);
  if (m) return { kind: 'equals', value: num(m[2]!), caseSensitive: true, tolerance: { percent: num(m[1]!) } };
  m = /^'x' is in \[(.*)\]( \(any case\))?$/s.exec(t);
  if (m) {
    const values = oneOfValues(m[1]!);
    if (values) return { kind: 'one-of', values, caseSensitive: m[2] === undefined };
  }
  const series = parseSeriesTexts([t]);
  if (series) return series;
  return { kind: 'custom', name: 'openhtf', description: t };
}

/** The items of a one-of text: 'quoted' strings, numbers, True/False; null if it is not such a list. */
function oneOfValues(list: string): (string | number | boolean)[] | null {
  const values: (string | number | boolean)[] = [];
  const item = new RegExp(`\\s*(?:'((?:[^']|'(?!\\s*(?:,|$)))*)'|(True|False)|${NUM})\\s*(?:,|$)`, 'y');
  let at = 0;
  while (at < list.length) {
    item.lastIndex = at;
    const m = item.exec(list);
    if (!m) return null;
    values.push(m[1] !== undefined ? m[1] : m[2] !== undefined ? m[2] === 'True' : num(m[3]!));
    at = item.lastIndex;
  }
  return values.length ? values : null;
}

const AGGREGATES = new Set(['min', 'max', 'mean', 'std', 'count']);

/** Texts that seriesTexts wrote, back to one series validator; null if any text is something else. */
function parseSeriesTexts(texts: readonly string[]): Validator | null {
  const v: Extract<Validator, { kind: 'series' }> = { kind: 'series', aggregates: {} };
  for (const text of texts) {
    const m = /^(?:All values pass|(\w+) of values): (.+)$/.exec(text.trim());
    const lim = m ? parseValidatorText(m[2]!) : null;
    if (!m || lim?.kind !== 'range' || lim.marginalLower !== undefined || lim.marginalUpper !== undefined) return null;
    const { kind: _kind, ...limits } = lim;
    if (m[1] === undefined) v.each = limits;
    else if (AGGREGATES.has(m[1])) v.aggregates[m[1] as keyof typeof v.aggregates] = limits;
    else return null;
  }
  return texts.length ? v : null;
}

/** A measurement's validator texts (OpenHTF keeps a list) as one Passline validator. */
export function parseValidatorTexts(texts: readonly string[]): Validator | undefined {
  if (texts.length === 0) return undefined;
  if (texts.length === 1) return parseValidatorText(texts[0]!);
  return parseSeriesTexts(texts) ?? { kind: 'custom', name: 'openhtf', description: texts.join('; ') };
}

function phaseResult(p: PhaseRecord): unknown {
  switch (p.outcome) {
    // OpenHTF writes CONTINUE for a phase that ran to its end; failed measurements make it FAIL.
    case 'PASS':
    case 'FAIL':
      return { phase_result: 'CONTINUE' };
    case 'SKIP':
      return { phase_result: 'SKIP' };
    default:
      if (p.error?.kind === 'timeout') return { phase_result: null };
      return {
        phase_result: {
          exc_type: p.error ? `passline.${p.error.kind}` : 'passline.error',
          exc_val: p.error?.message ?? p.outcome,
          exc_tb: p.error?.stack ?? '',
        },
      };
  }
}

function measurementOut(m: Measurement): Obj {
  const out: Obj = { name: m.name, outcome: m.outcome === 'SKIP' ? 'SKIPPED' : m.outcome };
  if (m.validator) out.validators = m.validator.kind === 'series' ? seriesTexts(m.validator) : [validatorText(m.validator)];
  const v = m.value;
  if (Array.isArray(v)) {
    // OpenHTF rows are [coordinate, ..., value] with the value's units on the measurement.
    const dims = m.dimensions ?? [];
    out.dimensions = dims.slice(0, -1).map((d) => ({ ...unitsOf(d.units ?? ''), description: d.name, name: d.name }));
    const u = dims.at(-1)?.units ?? m.units;
    if (u) out.units = unitsOf(u);
  } else if (m.units) out.units = unitsOf(m.units);
  if (v !== null) out.measured_value = typeof v === 'number' && !Number.isFinite(v) ? pyNum(v) : v;
  if (m.docstring !== undefined) out.docstring = m.docstring;
  return out;
}

/**
 * What a Passline phase has that OpenHTF's record has no place for (its group, parameters,
 * failure codes, an ABORTED outcome, the error's kind, a measurement's reason), kept under
 * `metadata.passline.phases` in phase order, so a record written here reads back whole.
 */
interface PhaseExtras {
  group?: PhaseRecord['group'];
  params?: PhaseRecord['params'];
  failure_code?: string;
  outcome?: 'ABORTED';
  error?: PhaseRecord['error'];
  /** custom: the name of a validator written in code (OpenHTF keeps only its text). */
  measurements?: Record<
    string,
    { failure_code?: string; reason?: string; marginal?: boolean; custom?: string; aggregates?: Measurement['aggregates']; value_axis?: string }
  >;
  /** Every attachment in order (OpenHTF keys them by name and has no sha256); `left_out` says why its bytes are not in the record. */
  attachments?: AttachmentExtra[];
}

interface AttachmentExtra {
  name: string;
  media_type: string;
  size: number;
  sha256: string;
  /** Its key in the phase's `attachments` when not its name (a second file of the same name in a phase). */
  key?: string;
  left_out?: string;
}

/** "ramp.csv" a second time in a phase: "ramp_2.csv". */
function numbered(name: string, k: number): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}_${k}${name.slice(dot)}` : `${name}_${k}`;
}

/** A phase's attachments as OpenHTF writes them inline ({mimetype, sha1, data}), and the list for metadata.passline. */
function attachmentsOut(p: PhaseRecord, files: EmbeddedBytes): { inline: Obj; extras: AttachmentExtra[] } {
  const inline: Obj = {};
  const extras: AttachmentExtra[] = [];
  const keys = new Set<string>();
  for (const a of p.attachments ?? []) {
    let key = a.name;
    for (let k = 2; keys.has(key); k++) key = numbered(a.name, k);
    keys.add(key);
    const x: AttachmentExtra = { name: a.name, media_type: a.mediaType, size: a.size, sha256: a.sha256 };
    if (key !== a.name) x.key = key;
    const bytes = files.read(a);
    if (bytes) inline[key] = { mimetype: a.mediaType, sha1: sha1Of(bytes), data: bytes.toString('base64') };
    else x.left_out = files.leftOut.get(a.sha256) ?? 'not included in this export';
    extras.push(x);
  }
  return { inline, extras };
}

function phaseExtras(p: PhaseRecord, keys: readonly string[], attachments: AttachmentExtra[]): PhaseExtras {
  const x: PhaseExtras = {};
  if (p.group !== 'main') x.group = p.group;
  if (p.params) x.params = p.params;
  if (p.failureCode !== undefined) x.failure_code = p.failureCode;
  if (p.outcome === 'ABORTED') x.outcome = 'ABORTED';
  if (p.error) x.error = p.error;
  p.measurements.forEach((m, i) => {
    const mx = {
      ...(m.failureCode !== undefined ? { failure_code: m.failureCode } : {}),
      ...(m.reason !== undefined ? { reason: m.reason } : {}),
      ...(m.marginal !== undefined ? { marginal: m.marginal } : {}),
      ...(m.validator?.kind === 'custom' ? { custom: m.validator.name } : {}),
      ...(m.aggregates ? { aggregates: m.aggregates } : {}),
      // OpenHTF names the coordinate axes only; the value axis takes the measurement's name.
      ...(m.dimensions?.length && m.dimensions.at(-1)!.name !== m.name ? { value_axis: m.dimensions.at(-1)!.name } : {}),
    };
    if (Object.keys(mx).length) (x.measurements ??= {})[keys[i]!] = mx;
  });
  if (attachments.length) x.attachments = attachments;
  return x;
}

/**
 * `metadata.passline`: the phases' extras (when any phase has some) and the files the
 * procedure hash covers, as `procedure_files: [{ name, sha256 }]`; undefined when neither.
 */
function passlineExtras(extras: PhaseExtras[], files: RunRecord['procedure']['files']): Obj | undefined {
  const out: Obj = {};
  if (extras.some((x) => Object.keys(x).length)) out.phases = extras;
  if (files) out.procedure_files = files.map((f) => ({ name: f.name, sha256: f.sha256 }));
  return Object.keys(out).length ? out : undefined;
}

/** The file list metadata.passline kept, whole or not at all (a list missing an entry would name the wrong version). */
function procedureFilesIn(passline: unknown): RunRecord['procedure']['files'] {
  if (!isObj(passline) || !Array.isArray(passline.procedure_files)) return undefined;
  const parsed = z.array(ProcedureFileEntrySchema).safeParse(passline.procedure_files);
  return parsed.success ? parsed.data : undefined;
}

/** Outcome details that carry a failure code begin so; they are not the run's reason. */
const FAILURE_CODE_PREFIX = 'failure code of ';

/**
 * One run as an OpenHTF test record (keys in the order OpenHTF writes them). Attachments
 * are inline as OpenHTF's OutputToJSON writes them by default: `{mimetype, sha1, data}`
 * with the bytes in base64, read from `files` (each checked against its sha256). Without
 * `files`, or for a file the station cannot give whole, the bytes are left out and
 * `metadata.passline.phases[i].attachments` says so, naming the file.
 */
export function toOpenHtf(rec: RunRecord, files?: AttachmentReader | EmbeddedBytes): Obj {
  const bytes = files instanceof EmbeddedBytes ? files : new EmbeddedBytes(files);
  const endMs = rec.endedAt ? ms(rec.endedAt) : null;
  const metadata: Obj = {
    test_name: rec.procedure.name,
    procedure_id: rec.procedure.id,
    procedure_name: rec.procedure.name,
    procedure_version: rec.procedure.version,
    procedure_hash: rec.procedure.hash,
    run_id: rec.id,
    socket: rec.socket,
    app_version: rec.appVersion,
  };
  if (rec.unit.partNumber !== undefined) metadata.part_number = rec.unit.partNumber;
  if (rec.unit.revision !== undefined) metadata.revision = rec.unit.revision;
  if (rec.unit.batch !== undefined) metadata.batch_number = rec.unit.batch;
  if (rec.operatorId !== undefined) metadata.operator_id = rec.operatorId;
  metadata.config = { station_id: rec.stationId };

  if (rec.procedure.description !== undefined) metadata.test_description = rec.procedure.description;
  metadata.test_version = rec.procedure.version;

  const logRecords: Obj[] = [];
  const extras: PhaseExtras[] = [];
  // Failure codes where OpenHTF keeps them: the test's outcome details, after its reason.
  const failureCodes: Obj[] = [];
  const phases = rec.phases.map((p, i) => {
    const measurements: Obj = {};
    const keys: string[] = [];
    for (const m of p.measurements) {
      let key = m.name;
      for (let k = 2; key in measurements; k++) key = `${m.name}_${k}`;
      measurements[key] = measurementOut(m);
      keys.push(key);
      if (m.failureCode !== undefined && m.outcome === 'FAIL')
        failureCodes.push({ code: m.failureCode, description: `${FAILURE_CODE_PREFIX}${p.name} · ${m.name}${m.reason ? `: ${m.reason}` : ''}` });
    }
    if (p.failureCode !== undefined) failureCodes.push({ code: p.failureCode, description: `${FAILURE_CODE_PREFIX}${p.name}` });
    const attached = attachmentsOut(p, bytes);
    extras.push(phaseExtras(p, keys, attached.extras));
    for (const l of p.logs) {
      const loc = /^(.*?):(\d+)(?::\d+)?$/.exec(l.source ?? '');
      logRecords.push({
        level: LEVEL_NUMBER[l.level],
        logger_name: `passline.phase.${p.name}`,
        source: loc ? loc[1] : (l.source ?? ''),
        lineno: loc ? Number(loc[2]) : 0,
        timestamp_millis: ms(l.ts),
        message: l.message,
      });
    }
    const marginal = p.measurements.some((m) => m.marginal === true);
    return {
      measurements,
      options: {
        name: p.name,
        timeout_s: null,
        run_if: null,
        requires_state: false,
        force_repeat: false,
        repeat_on_timeout: false,
        repeat_limit: null,
        run_under_pdb: false,
        phase_name_case: 'KEEP',
        stop_on_measurement_fail: false,
      },
      diagnosers: [],
      subtest_name: p.subtest ?? null,
      start_time_millis: ms(p.startedAt),
      end_time_millis: ms(p.endedAt),
      attachments: attached.inline,
      diagnosis_results: [],
      failure_diagnosis_results: [],
      result: phaseResult(p),
      outcome: p.outcome === 'ABORTED' ? 'ERROR' : p.outcome,
      marginal,
      descriptor_id: i,
      name: p.name,
      codeinfo: { name: p.name, docstring: null, sourcecode: '' },
    };
  });
  logRecords.sort((a, b) => Number(a.timestamp_millis) - Number(b.timestamp_millis));
  const passline = passlineExtras(extras, rec.procedure.files);
  return {
    dut_id: rec.unit.serialNumber,
    start_time_millis: ms(rec.startedAt),
    end_time_millis: endMs,
    outcome: rec.outcome === 'RUNNING' ? null : rec.outcome,
    outcome_details: [...(rec.outcomeReason ? [{ code: rec.outcome, description: rec.outcomeReason }] : []), ...failureCodes],
    marginal: phases.some((p) => p.marginal),
    metadata: passline ? { ...metadata, passline } : metadata,
    phases,
    subtests: [],
    branches: [],
    diagnosers: [],
    diagnoses: [],
    log_records: logRecords,
    station_id: rec.stationId,
    code_info: { name: '', docstring: null, sourcecode: '' },
  };
}

export function toOpenHtfJson(rec: RunRecord, files?: AttachmentReader | EmbeddedBytes): string {
  return JSON.stringify(toOpenHtf(rec, files), null, 2) + '\n';
}

// ---- reading ---------------------------------------------------------------------------------

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const iso = (millis: number): string => new Date(millis).toISOString();

function levelOf(n: unknown): LogLevel {
  const v = typeof n === 'number' ? n : 20;
  return v <= 10 ? 'debug' : v <= 20 ? 'info' : v <= 30 ? 'warning' : 'error';
}

/** A stable id for a record without one, so importing the same file twice finds it stored. */
function contentId(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  // UUID layout, version 8 (custom), RFC 4122 variant.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function valueOf(raw: unknown, dims: Dimension[] | undefined): MeasurementValue {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'number' || typeof raw === 'string' || typeof raw === 'boolean') return raw;
  if (Array.isArray(raw)) {
    if (raw.every((row) => Array.isArray(row) && row.every((x) => typeof x === 'number'))) return raw as number[][];
    if (dims === undefined && raw.every((x) => typeof x === 'number')) return (raw as number[]).map((x) => [x]);
  }
  // Anything else (a dict, a list of text) keeps its JSON text.
  return JSON.stringify(raw);
}

function measurementIn(name: string, m: Obj): Measurement {
  const units = isObj(m.units) ? (str(m.units.suffix) ?? str(m.units.name)) : str(m.units);
  const rawDims = Array.isArray(m.dimensions) ? m.dimensions.filter(isObj) : undefined;
  let dimensions: Dimension[] | undefined;
  if (rawDims && rawDims.length > 0) {
    dimensions = rawDims.map((d) => {
      const u = str(d.suffix);
      return { name: str(d.name) ?? str(d.description) ?? 'axis', ...(u ? { units: u } : {}) };
    });
    dimensions.push({ name: str(m.name) ?? name, ...(units ? { units } : {}) });
  }
  const outcome = String(m.outcome);
  const out: Measurement = {
    name: str(m.name) ?? name,
    value: valueOf(m.measured_value, dimensions),
    outcome: outcome === 'PASS' || outcome === 'FAIL' ? outcome : outcome === 'SKIPPED' ? 'SKIP' : 'UNSET',
  };
  if (units !== undefined && !dimensions) out.units = units;
  if (dimensions) out.dimensions = dimensions;
  const doc = str(m.docstring);
  if (doc !== undefined) out.docstring = doc;
  const texts = Array.isArray(m.validators) ? m.validators.filter((x): x is string => typeof x === 'string') : [];
  const validator = parseValidatorTexts(texts);
  if (validator) out.validator = validator;
  return out;
}

/**
 * The phase's outcome as written, or, in records from before mid-2017 that have none,
 * derived as OpenHTF derives it (test_record.PhaseOutcome): a phase that ran on
 * (CONTINUE) passes unless a measurement failed (or stayed unset, where the test did not
 * allow that); FAIL_AND_CONTINUE fails; SKIP and REPEAT skip; STOP, an exception and a
 * timeout are errors.
 */
function phaseOutcomeOf(p: Obj, measurements: readonly Measurement[], allowUnset: boolean): PhaseRecord['outcome'] {
  const written = String(p.outcome);
  if (written === 'PASS' || written === 'FAIL' || written === 'SKIP' || written === 'ERROR') return written;
  const r = isObj(p.result) ? p.result.phase_result : undefined;
  if (r === 'CONTINUE') return measurements.some((m) => m.outcome === 'FAIL' || (m.outcome === 'UNSET' && !allowUnset)) ? 'FAIL' : 'PASS';
  if (r === 'FAIL_AND_CONTINUE') return 'FAIL';
  if (r === 'SKIP' || r === 'REPEAT') return 'SKIP';
  return 'ERROR';
}

function phaseErrorOf(result: unknown, outcome: string): PhaseRecord['error'] {
  if (outcome !== 'ERROR') return undefined;
  const r = isObj(result) ? result.phase_result : undefined;
  if (r === null) return { kind: 'timeout', message: 'phase timed out' };
  if (isObj(r)) {
    const stack = str(r.exc_tb);
    return { kind: 'exception', message: `${str(r.exc_type) ?? 'Exception'}: ${str(r.exc_val) ?? ''}`.trim(), ...(stack ? { stack } : {}) };
  }
  if (r === 'STOP') return { kind: 'exception', message: 'the phase stopped the test (PhaseResult.STOP)' };
  return { kind: 'exception', message: typeof r === 'string' ? `OpenHTF phase result ${r}` : 'phase ended in error' };
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * A phase's attachments. The inline bytes are decoded and checked: against the record's
 * sha1 (OpenHTF's) and, for a record Passline wrote, the sha256 it lists; bytes that do not
 * match are refused, named in `files.warnings`. An attachment Passline listed keeps its
 * place in the record even when its bytes are not in the file (exported without them): the
 * run had it. One from OpenHTF without bytes (written with inline_attachments=False) or with
 * refused bytes has no sha256 to list: its phase log says what it was and why it is not kept.
 */
function attachmentsIn(phase: string, raw: unknown, listedRaw: unknown, ts: string, logs: LogEntry[], files: ImportedBytes | undefined): Attachment[] {
  const inline = isObj(raw) ? raw : {};
  const out: Attachment[] = [];
  const warn = (message: string): void => void files?.warnings.push(`phase ${phase}: ${message}`);
  /** The entry's bytes, or why they are refused. */
  const decoded = (entry: Obj): Buffer | string => {
    if (typeof entry.data !== 'string') return 'its data is not text';
    const bytes = decodeBase64(entry.data);
    if (!bytes) return 'its data is not base64';
    const sha1 = str(entry.sha1);
    if (sha1 !== undefined && sha1.toLowerCase() !== sha1Of(bytes))
      return `its bytes do not match the record's sha1 (${sha1}; the bytes give ${sha1Of(bytes)})`;
    return bytes;
  };
  const keep = (bytes: Buffer): string => {
    const sha256 = sha256Of(bytes);
    files?.bytes.set(sha256, bytes);
    return sha256;
  };
  const used = new Set<string>();
  for (const x of Array.isArray(listedRaw) ? listedRaw.filter(isObj) : []) {
    const name = str(x.name);
    const sha256 = typeof x.sha256 === 'string' && SHA256.test(x.sha256) ? x.sha256 : undefined;
    if (name === undefined || sha256 === undefined) continue;
    const key = str(x.key) ?? name;
    used.add(key);
    const entry = isObj(inline[key]) ? inline[key] : undefined;
    out.push({ name, mediaType: str(x.media_type) ?? (entry ? str(entry.mimetype) : undefined) ?? 'application/octet-stream', size: int(x.size) ?? 0, sha256 });
    // Not in the file: the import says so when this station does not have the bytes either.
    if (!entry || entry.data === undefined) {
      const why = str(x.left_out);
      if (why !== undefined) files?.leftOut.set(sha256, why);
      continue;
    }
    const bytes = decoded(entry);
    if (typeof bytes === 'string') {
      files?.refused.add(sha256);
      warn(`attachment "${key}" refused: ${bytes}`);
    } else if (sha256Of(bytes) !== sha256) {
      files?.refused.add(sha256);
      warn(`attachment "${key}" refused: its bytes do not match the sha256 Passline listed (${sha256}; the bytes give ${sha256Of(bytes)})`);
    } else keep(bytes);
  }
  for (const [key, entry] of Object.entries(inline)) {
    if (used.has(key) || !isObj(entry)) continue;
    const bytes = decoded(entry);
    if (typeof bytes === 'string') {
      const what = `${str(entry.mimetype) ?? 'unknown type'}${str(entry.sha1) ? `, sha1 ${str(entry.sha1)}` : ''}`;
      const message =
        entry.data === undefined
          ? `attachment "${key}" (${what}) is in the OpenHTF record without its bytes (written with inline_attachments=False): not kept`
          : `attachment "${key}" (${what}) refused: ${bytes}`;
      logs.push({ level: 'warning', ts, message });
      warn(message);
      continue;
    }
    out.push({ name: key, mediaType: str(entry.mimetype) ?? 'application/octet-stream', size: bytes.byteLength, sha256: keep(bytes) });
  }
  return out;
}

/** What metadata.passline kept for a phase (see PhaseExtras), put back; anything malformed is left out. */
function applyExtras(phase: PhaseRecord, keys: readonly string[], raw: unknown): void {
  if (!isObj(raw)) return;
  if (raw.group === 'setup' || raw.group === 'teardown') phase.group = raw.group;
  if (isObj(raw.params) && Object.values(raw.params).every((v) => ['string', 'number', 'boolean'].includes(typeof v)))
    phase.params = raw.params as NonNullable<PhaseRecord['params']>;
  const code = str(raw.failure_code);
  if (code !== undefined) phase.failureCode = code;
  if (raw.outcome === 'ABORTED' && phase.outcome === 'ERROR') phase.outcome = 'ABORTED';
  const err = PhaseRecordSchema.shape.error.safeParse(raw.error);
  if (err.success && err.data) phase.error = err.data;
  if (!isObj(raw.measurements)) return;
  phase.measurements.forEach((m, i) => {
    const x = (raw.measurements as Obj)[keys[i]!];
    if (!isObj(x)) return;
    const c = str(x.failure_code);
    if (c !== undefined) m.failureCode = c;
    const r = str(x.reason);
    if (r !== undefined) m.reason = r;
    if (typeof x.marginal === 'boolean') m.marginal = x.marginal;
    const aggs = MeasurementSchema.shape.aggregates.safeParse(x.aggregates);
    if (aggs.success && aggs.data) m.aggregates = aggs.data;
    const axis = str(x.value_axis);
    if (axis !== undefined && m.dimensions?.length) m.dimensions[m.dimensions.length - 1] = { ...m.dimensions.at(-1)!, name: axis };
    const custom = str(x.custom);
    if (custom !== undefined && m.validator?.kind === 'custom') m.validator = { ...m.validator, name: custom };
  });
}

/**
 * An OpenHTF record as a Passline run. The test's log records go to the phase whose
 * time span holds them (before the first phase: the first; after the last: the last).
 */
export function fromOpenHtf(record: unknown, sourceText: string = JSON.stringify(record), files?: ImportedBytes): RunRecord {
  if (!isObj(record)) throw new StationFault('invalid-input', 'OpenHTF import: the file is not a JSON object');
  if (!Array.isArray(record.phases))
    throw new StationFault('invalid-input', 'OpenHTF import: "phases" is missing or not a list: this is not an OpenHTF test record');
  const start = int(record.start_time_millis);
  if (start === undefined) throw new StationFault('invalid-input', 'OpenHTF import: "start_time_millis" is missing or not a number');
  const meta = isObj(record.metadata) ? record.metadata : {};
  const config = isObj(meta.config) ? meta.config : {};

  const outcomeRaw = String(record.outcome);
  const passline = isObj(meta.passline) && Array.isArray(meta.passline.phases) ? meta.passline.phases : [];
  const seen = new Map<string, number>();
  const phases: PhaseRecord[] = record.phases.filter(isObj).map((p, index) => {
    const name = str(p.name) ?? `phase_${index}`;
    const attempt = (seen.get(name) ?? 0) + 1;
    seen.set(name, attempt);
    const ps = int(p.start_time_millis) ?? start;
    const pe = int(p.end_time_millis) ?? ps;
    const measurements = isObj(p.measurements)
      ? Object.entries(p.measurements)
          .filter((e): e is [string, Obj] => isObj(e[1]))
          .map(([k, m]) => measurementIn(k, m))
      : [];
    const outcome = phaseOutcomeOf(p, measurements, config.allow_unset_measurements === true);
    const logs: LogEntry[] = [];
    const attachments = attachmentsIn(name, p.attachments, isObj(passline[index]) ? (passline[index] as Obj).attachments : undefined, iso(pe), logs, files);
    const error = phaseErrorOf(p.result, outcome);
    const phase: PhaseRecord = {
      index,
      name,
      group: 'main',
      attempt,
      outcome,
      startedAt: iso(ps),
      endedAt: iso(pe),
      durationMs: Math.max(0, pe - ps),
      measurements,
      logs,
    };
    if (error) phase.error = error;
    if (attachments.length) phase.attachments = attachments;
    const subtest = str(p.subtest_name);
    if (subtest !== undefined) phase.subtest = subtest;
    applyExtras(phase, isObj(p.measurements) ? Object.keys(p.measurements).filter((k) => isObj((p.measurements as Obj)[k])) : [], passline[index]);
    return phase;
  });

  // Test-level log records into the phase that was running.
  const spans = phases.map((p) => [Date.parse(p.startedAt), Date.parse(p.endedAt)] as const);
  for (const l of Array.isArray(record.log_records) ? record.log_records.filter(isObj) : []) {
    const t = int(l.timestamp_millis) ?? start;
    let at = spans.findIndex(([s, e]) => t >= s && t <= e);
    if (at < 0) at = spans.length === 0 ? -1 : t < spans[0]![0] ? 0 : spans.reduce((best, [s], i) => (s <= t ? i : best), 0);
    if (at < 0) continue;
    const file = str(l.source);
    const line = int(l.lineno);
    const entry: LogEntry = { level: levelOf(l.level), ts: iso(t), message: typeof l.message === 'string' ? l.message : String(l.message) };
    if (file) entry.source = line !== undefined ? `${file}:${line}` : file;
    phases[at]!.logs.push(entry);
  }
  for (const p of phases) p.logs.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));

  const end = int(record.end_time_millis) ?? phases.reduce((m, p) => Math.max(m, Date.parse(p.endedAt)), start);
  const details = Array.isArray(record.outcome_details)
    ? record.outcome_details
        .filter(isObj)
        .filter((d) => !str(d.description)?.startsWith(FAILURE_CODE_PREFIX))
        .map((d) => {
          // Passline writes its reason under the outcome as code; other codes (exception names) stay.
          const c = str(d.code);
          return [c === outcomeRaw ? undefined : c, str(d.description)].filter(Boolean).join(': ');
        })
    : [];
  let outcome: RunRecord['outcome'];
  let outcomeReason: string | undefined = details.length ? details.join('; ') : undefined;
  if (outcomeRaw === 'PASS' || outcomeRaw === 'FAIL' || outcomeRaw === 'ERROR' || outcomeRaw === 'ABORTED') outcome = outcomeRaw;
  else if (record.outcome === undefined || record.outcome === null)
    // No test outcome written: as OpenHTF finalises a test, from its phases.
    outcome = phases.some((p) => p.outcome === 'ERROR') ? 'ERROR' : phases.some((p) => p.outcome === 'FAIL') ? 'FAIL' : 'PASS';
  else if (outcomeRaw === 'TIMEOUT') {
    outcome = 'ERROR';
    outcomeReason = outcomeReason ? `timeout: ${outcomeReason}` : 'timeout';
  } else {
    outcome = 'ERROR';
    outcomeReason = `OpenHTF outcome ${outcomeRaw}`;
  }

  const serial = str(record.dut_id) ?? str(meta.serial_number) ?? 'UNKNOWN';
  const code = isObj(record.code_info) ? str(record.code_info.sourcecode) : undefined;
  const rec: RunRecord = {
    id: str(meta.run_id) ?? contentId(sourceText),
    stationId: str(record.station_id) ?? str(config.station_id) ?? 'openhtf',
    socket: int(meta.socket) ?? 0,
    appVersion: str(meta.app_version) ?? 'openhtf',
    procedure: {
      id: str(meta.procedure_id) ?? str(meta.test_name) ?? 'openhtf_test',
      name: str(meta.procedure_name) ?? str(meta.test_name) ?? 'OpenHTF test',
      version: str(meta.procedure_version) ?? str(meta.test_version) ?? '',
      hash:
        str(meta.procedure_hash) ??
        createHash('sha256')
          .update(code ?? '')
          .digest('hex'),
    },
    unit: { serialNumber: serial },
    startedAt: iso(start),
    endedAt: iso(end),
    durationMs: Math.max(0, end - start),
    outcome,
    phases,
  };
  const procedureFiles = procedureFilesIn(meta.passline);
  if (procedureFiles) rec.procedure.files = procedureFiles;
  const description = str(meta.test_description);
  if (description !== undefined) rec.procedure.description = description;
  const operator = str(meta.operator_id);
  if (operator) rec.operatorId = operator;
  const pn = str(meta.part_number);
  if (pn) rec.unit.partNumber = pn;
  const rev = str(meta.revision);
  if (rev) rec.unit.revision = rev;
  const batch = str(meta.batch_number);
  if (batch) rec.unit.batch = batch;
  if (outcomeReason) rec.outcomeReason = outcomeReason;
  const checked = RunRecordSchema.safeParse(rec);
  if (!checked.success) throw new StationFault('invalid-input', `OpenHTF import: the record does not map to a Passline run: ${formatZodError(checked.error)}`);
  return checked.data;
}

/** `files`, when given, receives the attachments' bytes (each checked) and what was refused. */
export function parseOpenHtf(text: string, files?: ImportedBytes): RunRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new StationFault('invalid-input', `OpenHTF import: the file is not JSON (${(e as Error).message})`);
  }
  return fromOpenHtf(parsed, text, files);
}
