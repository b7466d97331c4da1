import { z } from 'zod';
import { unitProblem } from './units.ts';
import { LocalizedTextSchema, PromptSpecSchema } from './prompts.ts';
import { LanguageTagSchema } from './locales.ts';
import type { LocalizedText } from './localized-text.ts';

export { defaultText, translationsOf } from './localized-text.ts';
import { ProcedureFileEntrySchema } from './records.ts';

const LimitsSpecSchema = z
  .object({
    lower: z.number().optional(),
    upper: z.number().optional(),
    lowerInclusive: z.boolean().optional(),
    upperInclusive: z.boolean().optional(),
  })
  .strict()
  .refine((m) => m.lower === undefined || m.upper === undefined || m.lower <= m.upper, { message: 'lower must not be above upper', path: ['lower'] });

/** One declared measurement in a procedure file: limits a supervisor can tune without code. */
export const MeasurementSpecSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'use letters, digits, _ . -'),
    /** A unit symbol this station knows (units.ts): a typo is refused here, not stored with every run. */
    units: z
      .string()
      .superRefine((u, ctx) => {
        const problem = unitProblem(u);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    description: z.string().optional(),
    /** Numeric limits. */
    lower: z.number().optional(),
    upper: z.number().optional(),
    lowerInclusive: z.boolean().optional(),
    upperInclusive: z.boolean().optional(),
    /** Inside [lower, marginalLower) or (marginalUpper, upper] the value passes but is flagged MARGINAL. */
    marginalLower: z.number().optional(),
    marginalUpper: z.number().optional(),
    /** Equality: a string, boolean or number; numbers may carry a tolerance. */
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    tolerance: z.number().nonnegative().optional(),
    tolerancePercent: z.number().nonnegative().optional(),
    tolerancePpm: z.number().nonnegative().optional(),
    caseSensitive: z.boolean().optional(),
    /** A regular expression a string value must match. */
    regex: z.string().optional(),
    oneOf: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional(),
    /** The name of a validator exported by phases.ts in `validators`. */
    validator: z.string().optional(),
    /** Axes of a multi-dimensional value (rows of points, one column per axis). */
    dimensions: z
      .array(z.object({ name: z.string(), units: z.string().optional() }).strict())
      .min(1)
      .optional(),
    /** Limits on aggregations of the last axis of a multi-dimensional value. */
    aggregate: z.partialRecord(z.enum(['min', 'max', 'mean', 'std', 'count']), LimitsSpecSchema).optional(),
    /** Limits every point's last axis must meet. */
    each: LimitsSpecSchema.optional(),
    failureCode: z.string().optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.lower !== undefined && m.upper !== undefined && m.lower > m.upper)
      ctx.addIssue({ code: 'custom', path: ['lower'], message: 'lower must not be above upper' });
    const families = [
      m.lower !== undefined || m.upper !== undefined ? 'lower/upper' : null,
      m.equals !== undefined ? 'equals' : null,
      m.regex !== undefined ? 'regex' : null,
      m.oneOf !== undefined ? 'oneOf' : null,
      m.validator !== undefined ? 'validator' : null,
      m.aggregate !== undefined || m.each !== undefined ? 'aggregate/each' : null,
    ].filter((f): f is string => f !== null);
    if (families.length > 1)
      ctx.addIssue({ code: 'custom', path: [families[1]!.split('/')[0]!], message: `use one kind of limit, not ${families.join(' and ')}` });
    const tolerances = [m.tolerance, m.tolerancePercent, m.tolerancePpm].filter((t) => t !== undefined).length;
    if (tolerances > 1) ctx.addIssue({ code: 'custom', path: ['tolerance'], message: 'give one of tolerance, tolerancePercent, tolerancePpm' });
    if (tolerances > 0 && typeof m.equals !== 'number') ctx.addIssue({ code: 'custom', path: ['tolerance'], message: 'a tolerance needs a numeric equals' });
    if ((m.marginalLower !== undefined || m.marginalUpper !== undefined) && m.lower === undefined && m.upper === undefined) {
      ctx.addIssue({ code: 'custom', path: ['marginalLower'], message: 'a marginal band needs lower/upper limits' });
    }
    if (m.marginalLower !== undefined && ((m.lower !== undefined && m.marginalLower < m.lower) || (m.upper !== undefined && m.marginalLower > m.upper))) {
      ctx.addIssue({ code: 'custom', path: ['marginalLower'], message: 'marginalLower must lie between lower and upper' });
    }
    if (m.marginalUpper !== undefined && ((m.upper !== undefined && m.marginalUpper > m.upper) || (m.lower !== undefined && m.marginalUpper < m.lower))) {
      ctx.addIssue({ code: 'custom', path: ['marginalUpper'], message: 'marginalUpper must lie between lower and upper' });
    }
    if (m.regex !== undefined) {
      try {
        new RegExp(m.regex);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['regex'], message: `not a valid regular expression: ${(e as Error).message}` });
      }
    }
    if ((m.aggregate !== undefined || m.each !== undefined) && m.dimensions === undefined) {
      ctx.addIssue({ code: 'custom', path: ['dimensions'], message: 'aggregate/each limits need the dimensions of the data' });
    }
  });
export type MeasurementSpec = z.infer<typeof MeasurementSpecSchema>;

const ParamValueSchema = z.union([z.string(), z.number(), z.boolean()]);

export const RetrySchema = z
  .object({
    /** Extra attempts after the first. */
    count: z.number().int().min(0).max(100).default(0),
    delayMs: z.number().int().min(0).max(3_600_000).default(0),
    /** Which endings are retried. */
    on: z
      .array(z.enum(['fail', 'error', 'timeout']))
      .min(1)
      .default(['fail', 'error', 'timeout']),
  })
  .strict();
export type Retry = z.infer<typeof RetrySchema>;

/** Long-running phases: `start` once, `every` each `everyS` seconds for `durationS`, `end` once. */
export const SoakSchema = z
  .object({
    durationS: z
      .number()
      .positive()
      .max(30 * 24 * 3600),
    everyS: z
      .number()
      .positive()
      .max(24 * 3600),
  })
  .strict();

export const PhaseSpecSchema = z
  .object({
    /** Name of the exported phase function in phases.ts. */
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid function name'),
    /** What the operator reads; in several languages as `{en: …, de: …}`. */
    title: LocalizedTextSchema.optional(),
    group: z.enum(['setup', 'main', 'teardown']).default('main'),
    enabled: z.boolean().default(true),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .max(31 * 24 * 3600 * 1000)
      .default(30_000),
    measurements: z.array(MeasurementSpecSchema).default([]),
    /** Free parameters handed to the phase as ctx.params. */
    params: z.record(z.string(), ParamValueSchema).default({}),
    /** One phase per entry, named like `rail_voltage[rail=3V3]`, each with its own params and limits. */
    instances: z
      .array(
        z
          .object({
            params: z.record(z.string(), ParamValueSchema),
            title: LocalizedTextSchema.optional(),
            /** Replace declared measurements of the same name (limits per instance). */
            measurements: z.array(MeasurementSpecSchema).default([]),
          })
          .strict(),
      )
      .min(1)
      .optional(),
    /** Which instance params make up the instance name (default: all): [rail] → rail_voltage[rail=3V3]. */
    nameParams: z.array(z.string()).min(1).optional(),
    retry: RetrySchema.optional(),
    /** What the run does after this phase fails or errors; default from stopOnFailure. */
    onFailure: z.enum(['continue', 'stop']).optional(),
    /**
     * Run only if this expression is true: `passed('power_on')`, `failed('x')`,
     * `measurement('v_3v3') > 3.25`, `params.variant === 'B'`. Otherwise SKIP.
     */
    runIf: z.string().min(1).optional(),
    failureCode: z.string().optional(),
    soak: SoakSchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const names = new Set<string>();
    p.measurements.forEach((m, i) => {
      if (names.has(m.name)) ctx.addIssue({ code: 'custom', path: ['measurements', i, 'name'], message: `measurement "${m.name}" is declared twice` });
      names.add(m.name);
    });
    p.instances?.forEach((inst, i) => {
      inst.measurements.forEach((m, j) => {
        if (!names.has(m.name))
          ctx.addIssue({
            code: 'custom',
            path: ['instances', i, 'measurements', j, 'name'],
            message: `"${m.name}" is not declared in the phase's measurements`,
          });
      });
    });
  });
export type PhaseSpec = z.infer<typeof PhaseSpecSchema>;

export const RetestSchema = z
  .object({
    /** A unit that already passed is flagged: the operator confirms before it is tested again. */
    flagPassed: z.boolean().default(true),
    /** After this many FAIL runs since its last PASS, a supervisor approves each further try. */
    maxFailedAttempts: z.number().int().min(1).max(1000).optional(),
  })
  .strict();
export type Retest = z.infer<typeof RetestSchema>;

export const ProcedureFileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, . _ -'),
    name: z.string().min(1),
    version: z.string().min(1),
    /**
     * The language of the procedure's plain texts (and the one a text given in several languages
     * must have): records and exports keep it; a screen in another language shows that one's text
     * where the file gives it.
     */
    language: LanguageTagSchema.default('en'),
    partNumber: z.string().optional(),
    /** Regular expression a unit's serial number must match. */
    serialPattern: z.string().default('.+'),
    /** An example serial shown to the operator when a scan is refused. */
    serialExample: z.string().optional(),
    /** Stop at the first failing phase (teardown still runs). */
    stopOnFailure: z.boolean().default(false),
    /**
     * Check digit of the serial (or of one of its named groups): a misread label is
     * refused before it is tested.
     */
    serialCheckDigit: z
      .object({ kind: z.literal('gs1-mod10'), group: z.string().optional() })
      .strict()
      .optional(),
    /** Retest rules; attempts are counted per serial number in the station's store. */
    retest: RetestSchema.optional(),
    /** Instrument name → address URI (sim:dmm, serial:/dev/ttyUSB0?baud=9600, tcp://host:5025). */
    instruments: z.record(z.string(), z.string()).default({}),
    phases: z.array(PhaseSpecSchema).min(1, 'a procedure needs at least one phase'),
    /** Prompt texts a supervisor can change; phases ask them by key: ctx.prompt('led'). */
    prompts: z.record(z.string(), PromptSpecSchema).default({}),
  })
  .strict()
  .superRefine((p, ctx) => {
    try {
      const re = new RegExp(p.serialPattern);
      const group = p.serialCheckDigit?.group;
      if (group !== undefined && !new RegExp(`\\(\\?<${group}>`).test(re.source)) {
        ctx.addIssue({ code: 'custom', path: ['serialCheckDigit', 'group'], message: `serialPattern has no named group (?<${group}>…)` });
      }
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['serialPattern'], message: `not a valid regular expression: ${(e as Error).message}` });
    }
    const seen = new Set<string>();
    p.phases.forEach((ph, i) => {
      if (seen.has(ph.name)) ctx.addIssue({ code: 'custom', path: ['phases', i, 'name'], message: `phase "${ph.name}" is listed twice` });
      seen.add(ph.name);
    });
    // A text in several languages has the procedure's own: records and exports keep that one.
    const needsDefault = (t: LocalizedText | undefined, path: (string | number)[]): void => {
      if (t !== undefined && typeof t !== 'string' && t[p.language] === undefined)
        ctx.addIssue({ code: 'custom', path, message: `give the text in the procedure's language (${p.language}) too, or set language:` });
    };
    p.phases.forEach((ph, i) => {
      needsDefault(ph.title, ['phases', i, 'title']);
      ph.instances?.forEach((inst, j) => needsDefault(inst.title, ['phases', i, 'instances', j, 'title']));
    });
    for (const [key, prompt] of Object.entries(p.prompts)) {
      needsDefault(prompt.message, ['prompts', key, 'message']);
      prompt.options?.forEach((o, j) => needsDefault(o, ['prompts', key, 'options', j]));
    }
  });
export type ProcedureFile = z.infer<typeof ProcedureFileSchema>;

/** What the station and UI know of the loaded procedure. */
export const ProcedureSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  /** See ProcedureRef.hash: computed once when the procedure loads, over `files`. */
  hash: z.string(),
  /** The files the hash covers (see ProcedureRef.files); absent only in events logged by an older Passline. */
  files: z.array(ProcedureFileEntrySchema).optional(),
  partNumber: z.string().optional(),
  serialPattern: z.string(),
  serialExample: z.string().optional(),
  /** The procedure's own language (its plain texts); absent from an older Passline: English. */
  language: z.string().optional(),
  serialCheckDigit: z.object({ kind: z.literal('gs1-mod10'), group: z.string().optional() }).optional(),
  retest: RetestSchema.optional(),
  phases: z.array(
    z.object({
      name: z.string(),
      title: z.string().optional(),
      /** The title in other languages (procedure.yaml `title: {en: …, de: …}`); `title` is the default language's. */
      titles: z.record(z.string(), z.string()).optional(),
      group: z.enum(['setup', 'main', 'teardown']),
      enabled: z.boolean(),
    }),
  ),
  dir: z.string(),
});
export type ProcedureSummary = z.infer<typeof ProcedureSummarySchema>;
