import type { Attachment, Limits, LogLevel, Measurement, PhaseRecord, RunRecord, Validator } from '#contract/records.ts';
import { StationFault } from '#contract/errors.ts';

/**
 * OCP Test & Validation output, spec 2.0: one JSON object per line. Every line
 * validates against the official schemas (test/unit/formats-ocp.test.ts), and
 * the stream keeps what they cannot check (see ocp-check.ts): sequence numbers
 * from 0 without gaps, timestamps never going back, every step closed,
 * testRunEnd's status and result a valid pair. Mapping: docs/formats.md.
 */

export const OCP_MEDIA_TYPE = 'application/x-ndjson';

type Obj = Record<string, unknown>;

const SEVERITY: Record<LogLevel, string> = { debug: 'DEBUG', info: 'INFO', warning: 'WARNING', error: 'ERROR' };

const STEP_STATUS: Record<PhaseRecord['outcome'], string> = { PASS: 'COMPLETE', FAIL: 'COMPLETE', SKIP: 'SKIP', ERROR: 'ERROR', ABORTED: 'ERROR' };

/** testRunEnd for each run outcome; ABORTED is the spec's "external abort request". */
const RUN_END: Record<Exclude<RunRecord['outcome'], 'RUNNING'>, { status: string; result: string }> = {
  PASS: { status: 'COMPLETE', result: 'PASS' },
  FAIL: { status: 'COMPLETE', result: 'FAIL' },
  ERROR: { status: 'ERROR', result: 'NOT_APPLICABLE' },
  ABORTED: { status: 'SKIP', result: 'NOT_APPLICABLE' },
};

const CANONICAL_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** ISO 8601 in UTC with milliseconds (the schemas' date-time needs a zone). */
function canonical(ts: string): string {
  if (CANONICAL_TS.test(ts)) return ts;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? new Date(0).toISOString() : new Date(t).toISOString();
}

/** "file.ts:12" or "file.ts:12:5" → sourceLocation; anything else has none. */
function sourceLocation(source: string | undefined): { file: string; line: number } | undefined {
  if (!source) return undefined;
  const m = /^(.*?):(\d+)(?::\d+)?$/.exec(source);
  return m && m[1] ? { file: m[1], line: Number(m[2]) } : undefined;
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

interface Mapped {
  validators?: Obj[];
  /** What OCP validators cannot say, kept in the measurement's metadata. */
  extra?: Obj;
}

/** OCP validators are LESS/GREATER/EQUAL/REGEX with a scalar value (arrays fail the schema). */
function mapValidator(v: Validator | undefined, value: unknown): Mapped {
  if (!v) return {};
  switch (v.kind) {
    case 'range': {
      const out: Obj[] = [];
      if (v.lower !== undefined) out.push({ name: 'lower', type: v.lowerInclusive !== false ? 'GREATER_THAN_OR_EQUAL' : 'GREATER_THAN', value: v.lower });
      if (v.upper !== undefined) out.push({ name: 'upper', type: v.upperInclusive !== false ? 'LESS_THAN_OR_EQUAL' : 'LESS_THAN', value: v.upper });
      const extra: Obj = {};
      if (v.marginalLower !== undefined) extra.marginal_lower = v.marginalLower;
      if (v.marginalUpper !== undefined) extra.marginal_upper = v.marginalUpper;
      return out.length ? { validators: out, ...(v.marginalLower !== undefined || v.marginalUpper !== undefined ? { extra } : {}) } : {};
    }
    case 'equals': {
      const t = v.tolerance;
      if (t && typeof v.value === 'number' && (t.abs !== undefined || t.percent !== undefined || t.ppm !== undefined)) {
        const nominal = v.value;
        const band = Math.max(t.abs ?? 0, ((t.percent ?? 0) / 100) * Math.abs(nominal), ((t.ppm ?? 0) / 1e6) * Math.abs(nominal));
        return {
          validators: [
            { name: 'tolerance-lower', type: 'GREATER_THAN_OR_EQUAL', value: nominal - band },
            { name: 'tolerance-upper', type: 'LESS_THAN_OR_EQUAL', value: nominal + band },
          ],
          extra: { nominal, tolerance: t },
        };
      }
      if (typeof v.value === 'string' && !v.caseSensitive) {
        return { validators: [{ name: 'equals', type: 'REGEX_MATCH', value: `^${escapeRegex(v.value)}$`, metadata: { flags: 'i' } }] };
      }
      return { validators: [{ name: 'equals', type: 'EQUAL', value: v.value }] };
    }
    case 'regex':
      return { validators: [{ name: 'regex', type: 'REGEX_MATCH', value: v.pattern, ...(v.flags ? { metadata: { flags: v.flags } } : {}) }] };
    case 'one-of': {
      // IN_SET takes an array, which the schema refuses: strings become one anchored regex; others stay in metadata.
      if (typeof value === 'string' && v.values.every((x) => typeof x === 'string')) {
        return {
          validators: [
            {
              name: 'one-of',
              type: 'REGEX_MATCH',
              value: `^(?:${(v.values as string[]).map(escapeRegex).join('|')})$`,
              ...(v.caseSensitive ? {} : { metadata: { flags: 'i' } }),
            },
          ],
        };
      }
      return { extra: { one_of: v.values } };
    }
    case 'custom':
      return { extra: { validator: v.name, validator_description: v.description } };
    case 'series':
      return v.each ? mapValidator({ kind: 'range', ...v.each }, value) : {};
  }
}

/**
 * Where a `file` artifact points for an attachment; by default its content address. A
 * writer that could not put the file where it points says why (`leftOut`): the artifact
 * keeps the content address and carries the reason in `metadata.left_out`.
 */
export type AttachmentUri = (a: Attachment) => string | { leftOut: string };
const contentUri: AttachmentUri = (a) => `urn:sha256:${a.sha256}`;

/** One run as OCP TV 2.0 text, one line per artifact, each ending in a newline. */
export function toOcp(rec: RunRecord, uri: AttachmentUri = contentUri): string {
  return ocpChunks(rec, uri).join('');
}

const inLimits = (x: number, l: Limits): boolean =>
  (l.lower === undefined || (l.lowerInclusive !== false ? x >= l.lower : x > l.lower)) &&
  (l.upper === undefined || (l.upperInclusive !== false ? x <= l.upper : x < l.upper));

/** Lines per chunk of ocpChunks: about 25 kB, well under V8's large-object size. */
const CHUNK_LINES = 64;

/**
 * The same text in chunks of whole lines, for writing to a file or a socket. A big run
 * never becomes one big string: allocating one costs more than building its lines on the
 * station PC (fresh memory, faulted in page by page: 0.9 ms of the 2.2 ms a 1000-measurement
 * run took as one string). Lines are gathered as pieces and joined once per chunk, plain
 * measurements (most lines of a big run) without an object per line (bench: export.ocp_ms_per_1000).
 */
export function ocpChunks(rec: RunRecord, uri: AttachmentUri = contentUri): string[] {
  // A stream is written for a run that has ended: a finished-looking one for a unit still
  // under test would be a lie, and the live event stream is there for runs in progress.
  if (rec.outcome === 'RUNNING')
    throw new StationFault('invalid-input', `run ${rec.id} (${rec.unit.serialNumber}) is still running: its OCP output is written when it has ended`);
  const outcome = rec.outcome;
  const chunks: string[] = [];
  let parts: string[] = [];
  let lines = 0;
  const lineDone = (): void => {
    if (++lines % CHUNK_LINES !== 0) return;
    chunks.push(parts.join(''));
    parts = [];
  };
  let seq = 0;
  let last = canonical(rec.startedAt);
  let lastIn = '';
  const at = (ts: string): string => {
    // Consecutive lines mostly share a timestamp (a phase's measurements): skip the work then.
    if (ts === lastIn) return last;
    lastIn = ts;
    // Timestamps never go back: a log stamped a hair before its phase's start keeps the stream's order.
    const t = canonical(ts);
    if (t > last) last = t;
    return last;
  };
  /** Closes the line that `parts` has open: envelope fields and the newline. */
  const close = (ts: string): void => {
    parts.push(',"sequenceNumber":', String(seq++), ',"timestamp":"', at(ts), '"}\n');
    lineDone();
  };
  const emit = (body: string, ts: string): void => {
    parts.push('{', body);
    close(ts);
  };
  const run = (artifact: Obj, ts: string): void => emit(`"testRunArtifact":${JSON.stringify(artifact)}`, ts);

  emit('"schemaVersion":{"major":2,"minor":0}', rec.startedAt);

  const unit = rec.unit;
  const hardware: Obj = { hardwareInfoId: '0', name: unit.partNumber ?? 'unit', serialNumber: unit.serialNumber };
  if (unit.partNumber !== undefined) hardware.partNumber = unit.partNumber;
  if (unit.revision !== undefined) hardware.revision = unit.revision;
  const dutInfo: Obj = {
    dutInfoId: unit.serialNumber,
    hardwareInfos: [hardware],
    softwareInfos: [
      { softwareInfoId: '0', name: 'passline', version: rec.appVersion, softwareType: 'APPLICATION' },
      { softwareInfoId: '1', name: rec.procedure.id, version: rec.procedure.version, revision: rec.procedure.hash, softwareType: 'APPLICATION' },
    ],
  };
  if (unit.batch !== undefined) dutInfo.metadata = { batch: unit.batch };
  const metadata: Obj = {
    run_id: rec.id,
    station_id: rec.stationId,
    socket: rec.socket,
    procedure_name: rec.procedure.name,
    procedure_hash: rec.procedure.hash,
    app_version: rec.appVersion,
  };
  if (rec.operatorId !== undefined) metadata.operator_id = rec.operatorId;
  // Each parameterised phase's parameters, under the phase's name (attempts share them).
  const parameters: Obj = {};
  for (const p of rec.phases) if (p.params) parameters[p.name] = p.params;
  run({ testRunStart: { name: rec.procedure.id, version: rec.procedure.version, commandLine: '', parameters, dutInfo, metadata } }, rec.startedAt);

  let seriesCount = 0;
  rec.phases.forEach((p, stepIndex) => {
    const stepId = String(stepIndex);
    const head = `{"testStepArtifact":{"testStepId":"${stepId}",`;
    const step: Step = (artifact, value, ts) => {
      parts.push(head, '"', artifact, '":', JSON.stringify(value), '}');
      close(ts);
    };
    step.raw = (measurementJson, ts) => {
      parts.push(`${head}"measurement":${measurementJson}},"sequenceNumber":${seq++},"timestamp":"${at(ts)}"}\n`);
      lineDone();
    };
    step('testStepStart', { name: p.name }, p.startedAt);
    for (const l of p.logs) {
      const log: Obj = { severity: SEVERITY[l.level], message: l.message };
      const loc = sourceLocation(l.source);
      if (loc) log.sourceLocation = loc;
      step('log', log, l.ts);
    }
    for (const m of p.measurements) measurement(m, p, stepId, step, () => `${++seriesCount - 1}`);
    for (const a of p.attachments ?? []) {
      const where = uri(a);
      const metadata: Obj = { sha256: a.sha256, size: a.size };
      if (typeof where !== 'string') metadata.left_out = where.leftOut;
      step(
        'file',
        { displayName: a.name, uri: typeof where === 'string' ? where : contentUri(a), isSnapshot: false, contentType: a.mediaType, metadata },
        p.endedAt,
      );
    }
    if (p.error) {
      const error: Obj = { symptom: `phase-${p.error.kind}`, message: p.error.message };
      const loc = sourceLocation(p.error.source);
      if (loc) error.sourceLocation = loc;
      step('error', error, p.endedAt);
    }
    if (p.outcome === 'PASS' || p.outcome === 'FAIL') {
      step('diagnosis', { verdict: p.failureCode ?? `${p.name}-${p.outcome === 'PASS' ? 'pass' : 'fail'}`, type: p.outcome, hardwareInfoId: '0' }, p.endedAt);
    }
    step('testStepEnd', { status: STEP_STATUS[p.outcome] }, p.endedAt);
  });

  const endTs = rec.endedAt ?? last;
  if (outcome === 'ERROR') run({ error: { symptom: 'run-error', message: rec.outcomeReason ?? 'the run ended in error' } }, endTs);
  if (outcome === 'ABORTED') run({ log: { severity: 'WARNING', message: `run aborted: ${rec.outcomeReason ?? 'no reason given'}` } }, endTs);
  run({ testRunEnd: RUN_END[outcome] }, endTs);
  if (parts.length) chunks.push(parts.join(''));
  return chunks;
}

interface Step {
  (artifact: string, value: unknown, ts: string): void;
  /** A measurement line from its ready JSON. */
  raw: (measurementJson: string, ts: string) => void;
}

function measurement(m: Measurement, p: PhaseRecord, stepId: string, step: Step, nextSeriesId: () => string): void {
  const ts = p.endedAt;
  const v = m.value;
  // The hot path (most lines of a big run): a scalar with plain limits or none, assembled
  // directly as JSON in the order JSON.stringify would write it.
  if (typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' || typeof v === 'boolean') {
    const vj = plainValidatorsJson(m.validator);
    if (vj !== null && m.marginal !== true && m.reason === undefined && m.failureCode === undefined) {
      step.raw(
        `{"name":${JSON.stringify(m.name)},"value":${typeof v === 'number' ? String(v) : JSON.stringify(v)}${m.units !== undefined ? `,"unit":${JSON.stringify(m.units)}` : ''}${vj},"hardwareInfoId":"0","metadata":{"outcome":"${m.outcome}"}}`,
        ts,
      );
      if (m.outcome === 'FAIL') step('diagnosis', { verdict: `${m.name}-fail`, type: 'FAIL', hardwareInfoId: '0' }, ts);
      return;
    }
  }
  const { validators, extra } = mapValidator(m.validator, m.value);
  const meta: Obj = { outcome: m.outcome };
  if (m.marginal) meta.marginal = true;
  if (m.reason !== undefined) meta.reason = m.reason;
  if (m.failureCode !== undefined) meta.failure_code = m.failureCode;
  if (extra) Object.assign(meta, extra);
  if (Array.isArray(v)) {
    const id = `${stepId}.${nextSeriesId()}`;
    const dims = m.dimensions ?? [];
    const unit = dims.at(-1)?.units ?? m.units;
    if (dims.length) meta.dimensions = dims;
    const start: Obj = { name: m.name, measurementSeriesId: id };
    if (unit !== undefined) start.unit = unit;
    if (validators) start.validators = validators;
    start.hardwareInfoId = '0';
    start.metadata = meta;
    step('measurementSeriesStart', start, ts);
    for (let i = 0; i < v.length; i++) {
      const row = v[i]!;
      const el: Obj = { index: i, value: row.at(-1) ?? 0, timestamp: ts, measurementSeriesId: id };
      if (row.length > 1) {
        // The other columns are the point's coordinates on the leading axes.
        const axes: Obj = {};
        for (let c = 0; c < row.length - 1; c++) axes[dims[c]?.name ?? `axis${c}`] = row[c];
        el.metadata = axes;
      }
      step('measurementSeriesElement', el, ts);
    }
    step('measurementSeriesEnd', { measurementSeriesId: id, totalCount: v.length }, ts);
    if (m.aggregates) {
      const limits = m.validator?.kind === 'series' ? m.validator.aggregates : {};
      for (const [agg, value] of Object.entries(m.aggregates)) {
        const lim = limits[agg as keyof typeof limits];
        const mapped = lim ? mapValidator({ kind: 'range', ...lim }, value) : {};
        const am: Obj = { name: `${m.name}.${agg}`, value, hardwareInfoId: '0' };
        if (agg !== 'count' && unit !== undefined) am.unit = unit;
        if (mapped.validators) am.validators = mapped.validators;
        // Whether the aggregate met its limits, as every other measurement line says.
        am.metadata = { outcome: lim ? (inLimits(value, lim) ? 'PASS' : 'FAIL') : 'UNSET', aggregate_of: m.name };
        step('measurement', am, ts);
      }
    }
  } else if (v !== null && (typeof v !== 'number' || Number.isFinite(v))) {
    const out: Obj = { name: m.name, value: v };
    if (m.units !== undefined) out.unit = m.units;
    if (validators) out.validators = validators;
    out.hardwareInfoId = '0';
    out.metadata = meta;
    step('measurement', out, ts);
  } else if (m.outcome === 'SKIP') {
    step('log', { severity: 'INFO', message: `measurement ${m.name} skipped` }, ts);
  } else if (m.outcome !== 'UNSET') {
    step('log', { severity: 'WARNING', message: `measurement ${m.name} has no value that OCP can carry (${String(v)})` }, ts);
  }
  // Failures are what a Pareto counts: each gets a FAIL diagnosis with a short verdict.
  if (m.outcome === 'FAIL' || m.outcome === 'UNSET') {
    const d: Obj = { verdict: m.failureCode ?? `${m.name}-${m.outcome === 'FAIL' ? 'fail' : 'unset'}`, type: 'FAIL', hardwareInfoId: '0' };
    const msg = m.reason ?? (m.outcome === 'UNSET' ? `${m.name} was not measured` : undefined);
    if (msg !== undefined) d.message = msg;
    step('diagnosis', d, ts);
  }
}

/**
 * `,"validators":[...]` for no validator or a plain range (no marginal band), else null:
 * the general path handles the rest.
 */
function plainValidatorsJson(v: Validator | undefined): string | null {
  if (v === undefined) return '';
  if (v.kind !== 'range' || v.marginalLower !== undefined || v.marginalUpper !== undefined) return null;
  const lo =
    v.lower !== undefined && Number.isFinite(v.lower)
      ? `{"name":"lower","type":"${v.lowerInclusive !== false ? 'GREATER_THAN_OR_EQUAL' : 'GREATER_THAN'}","value":${String(v.lower)}}`
      : '';
  const hi =
    v.upper !== undefined && Number.isFinite(v.upper)
      ? `{"name":"upper","type":"${v.upperInclusive !== false ? 'LESS_THAN_OR_EQUAL' : 'LESS_THAN'}","value":${String(v.upper)}}`
      : '';
  if (v.lower !== undefined && lo === '') return null;
  if (v.upper !== undefined && hi === '') return null;
  return lo && hi ? `,"validators":[${lo},${hi}]` : lo || hi ? `,"validators":[${lo}${hi}]` : '';
}

/** The lines of toOcp, without their newlines. */
export function toOcpLines(rec: RunRecord): string[] {
  const lines = toOcp(rec).split('\n');
  lines.pop();
  return lines;
}
