import { z } from 'zod';

/** Outcome of a whole run. TIMEOUT is an ERROR cause, not an outcome. */
export const RunOutcomeSchema = z.enum(['PASS', 'FAIL', 'ERROR', 'ABORTED']);
export type RunOutcome = z.infer<typeof RunOutcomeSchema>;

export const PhaseOutcomeSchema = z.enum(['PASS', 'FAIL', 'ERROR', 'SKIP', 'ABORTED']);
export type PhaseOutcome = z.infer<typeof PhaseOutcomeSchema>;

export const MeasurementOutcomeSchema = z.enum(['PASS', 'FAIL', 'UNSET', 'SKIP']);
export type MeasurementOutcome = z.infer<typeof MeasurementOutcomeSchema>;

export const LogLevelSchema = z.enum(['debug', 'info', 'warning', 'error']);
export type LogLevel = z.infer<typeof LogLevelSchema>;

/**
 * A numeric interval. Limits are inclusive unless the flag says false; records carry the
 * flag only then (it is in every measurement, so bytes count). Read it as `!== false`.
 */
export const LimitsSchema = z.object({
  lower: z.number().optional(),
  upper: z.number().optional(),
  lowerInclusive: z.boolean().optional(),
  upperInclusive: z.boolean().optional(),
});
export type Limits = z.infer<typeof LimitsSchema>;

export const AggregateNameSchema = z.enum(['min', 'max', 'mean', 'std', 'count']);
export type AggregateName = z.infer<typeof AggregateNameSchema>;

/** Validators a measurement can carry; limits are declared before the run. */
export const ValidatorSchema = z.discriminatedUnion('kind', [
  LimitsSchema.extend({
    kind: z.literal('range'),
    /** Values between a limit and its marginal bound pass but are flagged MARGINAL. */
    marginalLower: z.number().optional(),
    marginalUpper: z.number().optional(),
  }),
  z.object({
    kind: z.literal('equals'),
    value: z.union([z.string(), z.number(), z.boolean()]),
    caseSensitive: z.boolean().default(true),
    /** Numeric equality within a tolerance: absolute (in the value's units), percent or ppm of the nominal. */
    tolerance: z
      .object({ abs: z.number().nonnegative().optional(), percent: z.number().nonnegative().optional(), ppm: z.number().nonnegative().optional() })
      .optional(),
  }),
  z.object({ kind: z.literal('regex'), pattern: z.string(), flags: z.string().optional() }),
  z.object({ kind: z.literal('one-of'), values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1), caseSensitive: z.boolean().default(true) }),
  /** A validator written in code (phases.ts `validators`), recorded with its description. */
  z.object({ kind: z.literal('custom'), name: z.string(), description: z.string() }),
  /** Multi-dimensional data: limits on aggregations of the last axis and on every point. */
  z.object({
    kind: z.literal('series'),
    aggregates: z.partialRecord(AggregateNameSchema, LimitsSchema).default({}),
    each: LimitsSchema.optional(),
  }),
]);
export type Validator = z.infer<typeof ValidatorSchema>;

/** Points of a multi-dimensional measurement: one row per point, one column per axis. */
export const SeriesValueSchema = z.array(z.array(z.number()));
export const MeasurementValueSchema = z.union([z.number(), z.string(), z.boolean(), z.null(), SeriesValueSchema]);
export type MeasurementValue = z.infer<typeof MeasurementValueSchema>;

export const DimensionSchema = z.object({ name: z.string(), units: z.string().optional() });
export type Dimension = z.infer<typeof DimensionSchema>;

export const MeasurementSchema = z.object({
  name: z.string().min(1),
  value: MeasurementValueSchema,
  units: z.string().optional(),
  /** Axes of a multi-dimensional value, in column order. */
  dimensions: z.array(DimensionSchema).optional(),
  /** Aggregations of a multi-dimensional value's last axis. */
  aggregates: z.partialRecord(AggregateNameSchema, z.number()).optional(),
  validator: ValidatorSchema.optional(),
  outcome: MeasurementOutcomeSchema,
  /** Passed, but inside a marginal band: worth a look. */
  marginal: z.boolean().optional(),
  /** Why it failed, in words an operator can read ("3.05 V is below 3.2 V"). */
  reason: z.string().optional(),
  /** For the Pareto of failures. */
  failureCode: z.string().optional(),
  /** What the measurement is, as its declaration describes it (OpenHTF's docstring). */
  docstring: z.string().optional(),
  /**
   * Taken by phase code under a name procedure.yaml does not declare for its phase: kept
   * with outcome UNSET (nothing to check it against, so never PASS); its phase is ERROR.
   */
  undeclared: z.boolean().optional(),
});
export type Measurement = z.infer<typeof MeasurementSchema>;

export const LogEntrySchema = z.object({
  level: LogLevelSchema,
  ts: z.string(),
  message: z.string(),
  /** file:line of the phase code that logged it, when known. */
  source: z.string().optional(),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;

export const PhaseErrorSchema = z.object({
  kind: z.enum(['exception', 'timeout', 'aborted', 'runner-crashed', 'unset-measurement', 'prompt-timeout', 'undeclared-measurement']),
  message: z.string(),
  /**
   * Where in the procedure's code, relative to its folder ("phases.ts:12"): the line that
   * threw (or the phase's line that called what threw), or that took an undeclared measurement.
   */
  source: z.string().optional(),
  stack: z.string().optional(),
});
export type PhaseError = z.infer<typeof PhaseErrorSchema>;

/** A file a phase attached, stored on the station by content hash. */
export const AttachmentSchema = z.object({
  name: z.string().min(1),
  mediaType: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

export const PhaseRecordSchema = z.object({
  index: z.number().int().nonnegative(),
  name: z.string(),
  group: z.enum(['setup', 'main', 'teardown']).default('main'),
  attempt: z.number().int().positive(),
  outcome: PhaseOutcomeSchema,
  startedAt: z.string(),
  endedAt: z.string(),
  durationMs: z.number().nonnegative(),
  measurements: z.array(MeasurementSchema),
  logs: z.array(LogEntrySchema),
  error: PhaseErrorSchema.optional(),
  /** For the Pareto of failures: set when the phase did not pass. */
  failureCode: z.string().optional(),
  attachments: z.array(AttachmentSchema).optional(),
  /** Parameters the phase ran with (instances of parameterised phases differ here). */
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** The subtest the phase belonged to (OpenHTF's subtest_name), for imported records. */
  subtest: z.string().optional(),
});
export type PhaseRecord = z.infer<typeof PhaseRecordSchema>;

/** One file of a procedure folder that went into its hash: its path in the folder ('/' between folders) and its sha256. */
export const ProcedureFileEntrySchema = z.object({
  name: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lower-case hex'),
});
export type ProcedureFileEntry = z.infer<typeof ProcedureFileEntrySchema>;

export const ProcedureRefSchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  /**
   * sha256 of the procedure's code and config, so a result traces to what made it: of the
   * lines "<sha256>  <name>\n" of `files`, in their order (what `sha256sum` prints for them).
   */
  hash: z.string(),
  /**
   * The files the hash covers, sorted by name: procedure.yaml, the prompt images it names,
   * phases.ts and every file of the folder it imports. Absent on runs recorded before
   * Passline listed them, and on imported records that did not carry them.
   */
  files: z.array(ProcedureFileEntrySchema).optional(),
  /** What the procedure tests, in words (OpenHTF's test_description), for imported records. */
  description: z.string().optional(),
});
export type ProcedureRef = z.infer<typeof ProcedureRefSchema>;

export const UnitSchema = z.object({
  serialNumber: z.string().min(1),
  partNumber: z.string().optional(),
  revision: z.string().optional(),
  batch: z.string().optional(),
  /** From a named group (?<dateCode>…) of the procedure's serial pattern. */
  dateCode: z.string().optional(),
});
export type Unit = z.infer<typeof UnitSchema>;

export const RunOverrideSchema = z.object({
  kind: z.enum(['calibration.overdue', 'retest.already-passed', 'retest.limit-reached']),
  /** The supervisor's badge id; the operator's for a confirmed retest. */
  by: z.string(),
  at: z.string(),
  reason: z.string().optional(),
  /** What was overridden, in words ("psu (SIM0002) calibration was due 2025-01-31"). */
  message: z.string(),
});
export type RunOverride = z.infer<typeof RunOverrideSchema>;

export const RunInstrumentSchema = z.object({
  name: z.string(),
  address: z.string(),
  maker: z.string().optional(),
  model: z.string().optional(),
  serial: z.string().optional(),
  calibrationDue: z.string().optional(),
});
export type RunInstrument = z.infer<typeof RunInstrumentSchema>;

export const RunRecordSchema = z.object({
  id: z.string(),
  stationId: z.string(),
  socket: z.number().int().nonnegative(),
  operatorId: z.string().optional(),
  appVersion: z.string(),
  procedure: ProcedureRefSchema,
  unit: UnitSchema,
  startedAt: z.string(),
  endedAt: z.string().optional(),
  durationMs: z.number().nonnegative().optional(),
  outcome: z.union([RunOutcomeSchema, z.literal('RUNNING')]),
  /** Why a run ended ERROR or ABORTED ("operator aborted", "station stopped during run"). */
  outcomeReason: z.string().optional(),
  phases: z.array(PhaseRecordSchema),
  /** Fixture scanned on the socket when the run started. */
  fixtureId: z.string().optional(),
  /** Refusals a supervisor (or, for a retest, the operator) overrode to start this run. */
  overrides: z.array(RunOverrideSchema).optional(),
  /** Instruments the run used, as identified, with their calibration due dates. */
  instruments: z.array(RunInstrumentSchema).optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

const Sha256Key = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * A run record as Passline's native format writes it (a file, a JSON line, the HTTP
 * target's body): the record, and beside it the bytes of its attachments, so the run
 * leaves the station whole. An attachment whose bytes are not in the file is named in
 * `attachmentsLeftOut` with the reason; a record without attachments has neither key.
 */
export const NativeRunSchema = RunRecordSchema.extend({
  /** Each attachment's bytes, standard base64, keyed by its sha256 (checked on import). */
  attachmentData: z.record(Sha256Key, z.string()).optional(),
  /** sha256 → why those bytes are not in this file ("not included in this export", "no attachment … on this station"). */
  attachmentsLeftOut: z.record(Sha256Key, z.string()).optional(),
});
export type NativeRun = z.infer<typeof NativeRunSchema>;

/** One row of the history list. */
export const RunSummarySchema = z.object({
  id: z.string(),
  socket: z.number().int(),
  serialNumber: z.string(),
  procedureId: z.string(),
  procedureName: z.string(),
  procedureVersion: z.string(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  durationMs: z.number().optional(),
  outcome: z.union([RunOutcomeSchema, z.literal('RUNNING')]),
  outcomeReason: z.string().optional(),
  partNumber: z.string().optional(),
  operatorId: z.string().optional(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

/** Failing measurements first: what an operator reads on a FAIL. */
export function failingMeasurements(phases: readonly PhaseRecord[]): { phase: string; measurement: Measurement }[] {
  const out: { phase: string; measurement: Measurement }[] = [];
  for (const p of phases) {
    for (const m of p.measurements) {
      if (m.outcome === 'FAIL' || m.outcome === 'UNSET') out.push({ phase: p.name, measurement: m });
    }
  }
  return out;
}
