import { z } from 'zod';
import { RunOutcomeSchema, RunSummarySchema } from './records.ts';

/**
 * Line statistics for the supervisor and for dashboards: yield, failure Pareto, SPC with
 * control-chart rules, series overlays and drift alerts (docs/statistics.md has every
 * formula). Spread into the Commands map; `stats.alert` is an event (contract/events.ts).
 *
 * Fractions (yield, retest rate) are 0..1; `pctOutside` is a percentage (0..100). A figure
 * that cannot be computed (no units, one point, no limit on that side) is null, never 0.
 */

const ProcedureIdSchema = z.string().trim().min(1, 'a procedure id').max(128);
const IsoSchema = z.iso.datetime({ offset: true });

// ---------------------------------------------------------------------------------------------
// Settings (spread into SettingsSchema; docs/operations.md "Settings" and docs/statistics.md)

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A shift: its name and the local time it starts; it runs until the next shift's start. */
export const ShiftSchema = z
  .object({
    name: z.string().trim().min(1, 'a shift needs a name').max(32),
    start: z.string().regex(HHMM, 'a start time is HH:MM, 24-hour local time (06:00)'),
  })
  .strict();
export type Shift = z.infer<typeof ShiftSchema>;

export const SPC_RULES = [1, 2, 3, 4, 5, 6, 7, 8] as const;
export const SpcRuleSchema = z.literal(SPC_RULES, { error: 'a rule is a number 1 to 8 (Nelson)' });
export type SpcRule = (typeof SPC_RULES)[number];

/** Rule names as Nelson (1984) numbers them; rules 1, 2, 5 and 6 are also the Western Electric rules. */
export const SPC_RULE_NAMES: Record<SpcRule, string> = {
  1: 'one point beyond 3 sigma',
  2: 'nine points in a row on one side of the centre line',
  3: 'six points in a row steadily increasing or decreasing',
  4: 'fourteen points in a row alternating up and down',
  5: 'two of three points in a row beyond 2 sigma on the same side',
  6: 'four of five points in a row beyond 1 sigma on the same side',
  7: 'fifteen points in a row within 1 sigma of the centre line',
  8: 'eight points in a row beyond 1 sigma, on either side',
};

export const DEFAULT_SHIFTS: Shift[] = [
  { name: 'A', start: '06:00' },
  { name: 'B', start: '14:00' },
  { name: 'C', start: '22:00' },
];
export const DEFAULT_SPC_RULES: SpcRule[] = [1, 2, 3, 4];

export const YieldAlertSchema = z
  .object({
    /** First pass yield (0..1) below which an alert is raised; null: no yield alert. */
    minFirstPassYield: z.number().min(0, 'a yield is 0..1').max(1, 'a yield is 0..1 (0.9 for 90 %)').nullable().default(null),
    /** Over this many of a procedure's most recent units (first attempts). */
    window: z.number().int().min(5).max(10_000).default(50),
  })
  .strict();
export type YieldAlert = z.infer<typeof YieldAlertSchema>;

/** The statistics settings, each a top-level setting (so a bad one falls back alone). */
export const StatsSettingsShape = {
  /** Shifts by local start time, for yield by shift and the operator header's shift figures. */
  shifts: z
    .array(ShiftSchema)
    .max(12)
    .superRefine((shifts, ctx) => {
      const seen = new Set<string>();
      shifts.forEach((s, i) => {
        if (seen.has(s.start)) ctx.addIssue({ code: 'custom', path: [i, 'start'], message: `two shifts start at ${s.start}` });
        seen.add(s.start);
      });
    })
    .default(DEFAULT_SHIFTS),
  /** Reference (golden) units: serials matching this pattern are left out of yield and SPC and counted apart. Empty: none. */
  referenceSerialPattern: z
    .string()
    .max(256)
    .superRefine((p, ctx) => {
      if (p === '') return;
      try {
        new RegExp(p);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `not a regular expression: ${(e as Error).message}` });
      }
    })
    .default(''),
  /** Control-chart rules checked on every I-MR chart and for drift alerts (Nelson numbers 1–8). */
  spcRules: z
    .array(SpcRuleSchema)
    .max(8)
    .transform((r) => [...new Set(r)].sort((a, b) => a - b))
    .default(DEFAULT_SPC_RULES),
  yieldAlert: YieldAlertSchema.prefault({}),
};

// ---------------------------------------------------------------------------------------------
// Filters

export const StatsFilterSchema = z
  .object({
    procedureId: ProcedureIdSchema,
    /** Only runs of this procedure version. */
    version: z.string().trim().min(1).max(64).optional(),
    /** On the run's start time: from inclusive, to exclusive. */
    from: IsoSchema.optional(),
    to: IsoSchema.optional(),
  })
  .strict();
export type StatsFilter = z.infer<typeof StatsFilterSchema>;

export const YIELD_GROUPS = ['procedureVersion', 'partNumber', 'socket', 'fixture', 'operator', 'shift', 'hour', 'day'] as const;
export const YieldGroupSchema = z.enum(YIELD_GROUPS);
export type YieldGroup = z.infer<typeof YieldGroupSchema>;

// ---------------------------------------------------------------------------------------------
// Yield

/**
 * Yield figures of a set of runs. A unit is a serial number of one procedure; its attempts are
 * its PASS and FAIL runs (ERROR and ABORTED runs say the station was broken or stopped, not the
 * unit: they count in volume, never as an attempt, as for retest rules).
 */
export const YieldFiguresSchema = z.object({
  /** Units whose first attempt is in the range. */
  unitsTested: z.number().int().nonnegative(),
  /** Of those, passed on the first attempt. */
  firstPassUnits: z.number().int().nonnegative(),
  /** Of those, passed on their last attempt (up to the end of the range). */
  finalPassUnits: z.number().int().nonnegative(),
  /** Of those, attempted more than once. */
  retestedUnits: z.number().int().nonnegative(),
  firstPassYield: z.number().nullable(),
  finalYield: z.number().nullable(),
  /** retestedUnits / unitsTested. */
  retestRate: z.number().nullable(),
  /** Volume: every finished run in the range, any outcome. */
  runs: z.number().int().nonnegative(),
  passRuns: z.number().int().nonnegative(),
  failRuns: z.number().int().nonnegative(),
  errorRuns: z.number().int().nonnegative(),
  abortedRuns: z.number().int().nonnegative(),
  /** Test time (run duration) of PASS and FAIL runs, in ms. p95: nearest rank. */
  meanTestMs: z.number().nullable(),
  p95TestMs: z.number().nullable(),
});
export type YieldFigures = z.infer<typeof YieldFiguresSchema>;

export const YieldRowSchema = YieldFiguresSchema.extend({
  /** The group's value: a version, part number, socket number, badge, shift name, `2026-03-02T14` (hour) or `2026-03-02` (day), local time. `''`: none recorded. */
  key: z.string(),
});
export type YieldRow = z.infer<typeof YieldRowSchema>;

export const YieldResultSchema = z.object({
  procedureId: z.string(),
  groupBy: YieldGroupSchema.nullable(),
  /** All non-reference runs of the filter. */
  total: YieldFiguresSchema,
  /** One per group, in the group's natural order (time, socket number, name). Empty without groupBy. */
  rows: z.array(YieldRowSchema),
  /** Reference (golden) units, counted apart, never in total or rows. */
  reference: YieldFiguresSchema,
  referenceSerialPattern: z.string(),
});
export type YieldResult = z.infer<typeof YieldResultSchema>;

// ---------------------------------------------------------------------------------------------
// Pareto of failures

export const ParetoBySchema = z.enum(['measurement', 'phase', 'failureCode']);
export type ParetoBy = z.infer<typeof ParetoBySchema>;

/** What a bar (or a `stats.failureRuns` call) opens: the runs behind one key. */
export const FailureQuerySchema = StatsFilterSchema.extend({
  // Not `by`: the station refuses any input named so (who acts comes from the login).
  groupBy: ParetoBySchema,
  /** The bar's key: `phase.measurement`, a phase name, or a failure code (`''`: failures without one). */
  key: z.string().max(512),
}).strict();
export type FailureQuery = z.infer<typeof FailureQuerySchema>;

export const ParetoBarSchema = z.object({
  key: z.string(),
  /** Failures (a run counts once per key). */
  count: z.number().int().positive(),
  /** Share of all failures of the chart, 0..1, and the running total (the Pareto line). */
  share: z.number(),
  cumulativeShare: z.number(),
  /** The newest runs behind the bar (at most 50); `stats.failureRuns` with `query` pages all of them. */
  runIds: z.array(z.string()),
  query: FailureQuerySchema,
});
export type ParetoBar = z.infer<typeof ParetoBarSchema>;

export const ParetoResultSchema = z.object({
  procedureId: z.string(),
  groupBy: ParetoBySchema,
  /** Failures counted (sum of every key's count, also past `limit`). */
  failures: z.number().int().nonnegative(),
  /** Non-reference FAIL and ERROR runs in the range (an ABORTED run was stopped, not failed). */
  failedRuns: z.number().int().nonnegative(),
  runs: z.number().int().nonnegative(),
  /** Largest first; ties by key. */
  bars: z.array(ParetoBarSchema),
  /** Keys past `limit`, summed. */
  otherCount: z.number().int().nonnegative(),
});
export type ParetoResult = z.infer<typeof ParetoResultSchema>;

// ---------------------------------------------------------------------------------------------
// SPC

export const SpcLimitsSchema = z.object({
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  lowerInclusive: z.boolean(),
  upperInclusive: z.boolean(),
  /** The marginal band: values between a limit and its marginal bound pass, flagged MARGINAL. */
  marginalLower: z.number().nullable(),
  marginalUpper: z.number().nullable(),
});
export type SpcLimits = z.infer<typeof SpcLimitsSchema>;

export const ControlLimitsSchema = z.object({ cl: z.number(), ucl: z.number(), lcl: z.number() });
export type ControlLimits = z.infer<typeof ControlLimitsSchema>;

export const RuleViolationSchema = z.object({
  rule: SpcRuleSchema,
  /** SPC_RULE_NAMES[rule]. */
  name: z.string(),
  /** How many points broke it in all. */
  count: z.number().int().nonnegative(),
  /** The points that break it (index into the segment's points, from 0), the newest 1000. */
  points: z.array(z.number().int().nonnegative()),
});
export type RuleViolation = z.infer<typeof RuleViolationSchema>;

export const HistogramSchema = z.object({
  /** Equal-width bins over the data and the limits; `lo` inclusive, `hi` exclusive (the last bin inclusive). */
  bins: z.array(z.object({ lo: z.number(), hi: z.number(), count: z.number().int().nonnegative() })),
  binWidth: z.number(),
});
export type Histogram = z.infer<typeof HistogramSchema>;

/** The figures of one population (one limit version): what docs/statistics.md defines. */
export const CapabilitySchema = z.object({
  n: z.number().int().nonnegative(),
  mean: z.number().nullable(),
  /** Sample standard deviation (n−1): the overall sigma, for Pp and Ppk. */
  sigmaOverall: z.number().nullable(),
  /** Average moving range / d2 (1.128): the within sigma, for Cp, Cpk and the I-MR limits. */
  sigmaWithin: z.number().nullable(),
  /** Average moving range of consecutive points. */
  mrBar: z.number().nullable(),
  /** Cp and Pp need both limits; Cpk and Ppk come from the side(s) there are. */
  cp: z.number().nullable(),
  cpk: z.number().nullable(),
  pp: z.number().nullable(),
  ppk: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  /** Points outside the limits (as the validator judges: inclusive or not), count and percent. */
  outside: z.number().int().nonnegative(),
  pctOutside: z.number().nullable(),
});
export type Capability = z.infer<typeof CapabilitySchema>;

export const SpcSegmentSchema = CapabilitySchema.extend({
  limits: SpcLimitsSchema,
  /** Procedure versions whose runs are in this segment. */
  versions: z.array(z.string()),
  /** Start time of the first and last run in it. */
  firstAt: z.string().nullable(),
  lastAt: z.string().nullable(),
  histogram: HistogramSchema,
  /** I chart from the within sigma: CL = mean, UCL/LCL = mean ± 3·sigmaWithin. */
  individuals: ControlLimitsSchema.nullable(),
  /** MR chart: CL = MR̄, UCL = 3.267·MR̄, LCL = 0. */
  movingRange: ControlLimitsSchema.nullable(),
  /**
   * The chart's points, in run order, columnar: only the newest `maxPoints` are sent (`offset`
   * is the index of the first one sent; the figures above are over all `n`).
   */
  points: z.object({
    offset: z.number().int().nonnegative(),
    value: z.array(z.number()),
    /** Moving range to the point before (null for the segment's first point). */
    mr: z.array(z.number().nullable()),
    /** Run start, epoch ms. */
    at: z.array(z.number()),
    runId: z.array(z.string()),
    socket: z.array(z.number().int()),
    outcome: z.array(z.enum(['PASS', 'FAIL'])),
  }),
  violations: z.array(RuleViolationSchema),
});
export type SpcSegment = z.infer<typeof SpcSegmentSchema>;

/** A limit change of the measurement, from the audit trail (or, for runs older than the trail, seen in the data). */
export const LimitChangeSchema = z.object({
  at: z.string(),
  source: z.enum(['audit', 'data']),
  /** The audit entry, who made it and why. */
  auditSeq: z.number().int().nullable(),
  actor: z.string().nullable(),
  reason: z.string().nullable(),
  /** The limit fields that changed ('lower', 'upper', 'marginalLower', …) with before/after. */
  changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
  /** The segment that starts with it, when it matches one. */
  segment: z.number().int().nonnegative().nullable(),
});
export type LimitChange = z.infer<typeof LimitChangeSchema>;

export const SpcInputSchema = StatsFilterSchema.extend({
  /** `phase.name`, as the run page shows it (`rail_3v3.v_3v3`; a parameterised phase with its brackets). */
  measurement: z.string().trim().min(3, 'a measurement as phase.name').max(512),
  /** Rules to check; default: settings.spcRules. */
  rules: z.array(SpcRuleSchema).max(8).optional(),
  /** Points sent per segment (the newest); the figures always cover every point. */
  maxPoints: z.number().int().min(0).max(200_000).default(10_000),
  /** Histogram bins; default: √n, between 5 and 60. */
  bins: z.number().int().min(1).max(500).optional(),
}).strict();
export type SpcInput = z.infer<typeof SpcInputSchema>;

export const SpcResultSchema = z.object({
  procedureId: z.string(),
  measurement: z.string(),
  units: z.string().nullable(),
  rules: z.array(SpcRuleSchema),
  /** One per limit version, oldest first (a capability across a limit change is not one population). */
  segments: z.array(SpcSegmentSchema),
  limitChanges: z.array(LimitChangeSchema),
  /** Values left out: ERROR/ABORTED runs, reference units, non-numeric values. */
  excluded: z.object({ errorOrAborted: z.number().int(), reference: z.number().int(), notNumeric: z.number().int() }),
});
export type SpcResult = z.infer<typeof SpcResultSchema>;

/** Numeric measurements of a procedure that SPC can chart, for the picker. */
export const MeasurementListItemSchema = z.object({
  measurement: z.string(),
  phase: z.string(),
  name: z.string(),
  units: z.string().nullable(),
  /** Stored numeric values (all runs). */
  count: z.number().int().nonnegative(),
  lastAt: z.string().nullable(),
});
export type MeasurementListItem = z.infer<typeof MeasurementListItemSchema>;

// ---------------------------------------------------------------------------------------------
// Series (multi-dimensional measurements) for overlays

export const SeriesItemSchema = z.object({
  runId: z.string(),
  serialNumber: z.string(),
  partNumber: z.string().nullable(),
  startedAt: z.string(),
  outcome: RunOutcomeSchema,
  /** The measurement's own outcome in that run. */
  measurementOutcome: z.enum(['PASS', 'FAIL', 'UNSET', 'SKIP']),
  dimensions: z.array(z.object({ name: z.string(), units: z.string().optional() })),
  /** Rows of points, one column per dimension. */
  points: z.array(z.array(z.number())),
  /** The measurement's validator as recorded (series: aggregates and `each` limits). */
  validator: z.unknown().nullable(),
});
export type SeriesItem = z.infer<typeof SeriesItemSchema>;

// ---------------------------------------------------------------------------------------------
// Alerts

export const StatsAlertSchema = z.object({
  /** Stable while the alert lasts: `rule:<procedure>:<measurement>:<limitsKey>:<rule>` or `yield:<procedure>`. */
  id: z.string(),
  kind: z.enum(['rule', 'yield']),
  /** What, in words: "rail_3v3.v_3v3: nine points in a row on one side of the centre line (rule 2)". */
  message: z.string(),
  procedureId: z.string(),
  measurement: z.string().nullable(),
  rule: SpcRuleSchema.nullable(),
  /** Sockets whose runs made it fire. */
  sockets: z.array(z.number().int()),
  /** The first run of the episode's trigger and when it started. */
  since: z.string(),
  sinceRunId: z.string(),
  /** The newest run that kept it firing. */
  lastAt: z.string(),
  lastRunId: z.string(),
  /** Yield alerts: the rolling first pass yield, its threshold and the units it covers. */
  value: z.number().nullable(),
  threshold: z.number().nullable(),
});
export type StatsAlert = z.infer<typeof StatsAlertSchema>;

/** Event data of `stats.alert`: raised (or updated: same id, later lastAt) and cleared. */
export const StatsAlertEventSchema = z.object({ state: z.enum(['raised', 'cleared']), alert: StatsAlertSchema });
export type StatsAlertEvent = z.infer<typeof StatsAlertEventSchema>;

// ---------------------------------------------------------------------------------------------
// The operator header: the current shift

export const ShiftYieldSchema = z.object({
  /** The shift now (null when no shifts are set: the figures are for today since midnight). */
  shift: z.string().nullable(),
  since: z.string(),
  unitsTested: z.number().int().nonnegative(),
  firstPassUnits: z.number().int().nonnegative(),
  firstPassYield: z.number().nullable(),
});
export type ShiftYield = z.infer<typeof ShiftYieldSchema>;

// ---------------------------------------------------------------------------------------------
// Commands

export const StatsCommands = {
  /** Yield figures of a procedure, overall and per group (docs/statistics.md "Yield"). */
  'stats.yield': {
    input: StatsFilterSchema.extend({ groupBy: YieldGroupSchema.optional() }).strict(),
    output: YieldResultSchema,
  },
  /** Failures by measurement, phase or failure code; each bar names its runs. */
  'stats.pareto': {
    input: StatsFilterSchema.extend({ groupBy: ParetoBySchema, limit: z.number().int().min(1).max(200).default(20) }).strict(),
    output: ParetoResultSchema,
  },
  /** The runs behind one Pareto bar, newest first; page with `before` (an ISO start time). */
  'stats.failureRuns': {
    input: FailureQuerySchema.extend({ limit: z.number().int().min(1).max(500).default(50), before: z.string().optional() }).strict(),
    output: z.object({ runs: z.array(RunSummarySchema) }),
  },
  /** The numeric measurements stored for a procedure (what SPC can chart). */
  'stats.measurements': {
    input: z.object({ procedureId: ProcedureIdSchema }).strict(),
    output: z.object({ procedureId: z.string(), measurements: z.array(MeasurementListItemSchema) }),
  },
  /** SPC of one measurement: capability, histogram, I-MR chart and rule violations per limit version. */
  'stats.spc': { input: SpcInputSchema, output: SpcResultSchema },
  /** A multi-dimensional measurement of the newest runs, for overlaying (e.g. the last 50 sweeps of a part number). */
  'stats.series': {
    input: StatsFilterSchema.extend({
      measurement: z.string().trim().min(3, 'a measurement as phase.name').max(512),
      partNumber: z.string().max(128).optional(),
      limit: z.number().int().min(1).max(200).default(50),
    }).strict(),
    output: z.object({ procedureId: z.string(), measurement: z.string(), series: z.array(SeriesItemSchema) }),
  },
  /** Drift alerts in force now, newest first. */
  'stats.alerts': { input: z.object({}).strict(), output: z.object({ alerts: z.array(StatsAlertSchema) }) },
  /** The current shift's first pass yield and unit count (all procedures), for the operator's header. */
  'stats.shift': { input: z.object({}).strict(), output: ShiftYieldSchema },
} as const;
