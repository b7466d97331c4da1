import { z } from 'zod';

/** One declared measurement in a procedure file: limits a supervisor can tune without code. */
export const MeasurementSpecSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'use letters, digits, _ . -'),
    units: z.string().optional(),
    description: z.string().optional(),
    lower: z.number().optional(),
    upper: z.number().optional(),
    lowerInclusive: z.boolean().optional(),
    upperInclusive: z.boolean().optional(),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    caseSensitive: z.boolean().optional(),
  })
  .strict()
  .refine((m) => m.lower === undefined || m.upper === undefined || m.lower <= m.upper, {
    message: 'lower must not be above upper',
    path: ['lower'],
  })
  .refine((m) => m.equals === undefined || (m.lower === undefined && m.upper === undefined), {
    message: 'use either equals or lower/upper, not both',
    path: ['equals'],
  });
export type MeasurementSpec = z.infer<typeof MeasurementSpecSchema>;

export const PhaseSpecSchema = z
  .object({
    /** Name of the exported phase function in phases.ts. */
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid function name'),
    title: z.string().optional(),
    group: z.enum(['setup', 'main', 'teardown']).default('main'),
    enabled: z.boolean().default(true),
    timeoutMs: z.number().int().positive().max(24 * 3600 * 1000).default(30_000),
    measurements: z.array(MeasurementSpecSchema).default([]),
    /** Free parameters handed to the phase as ctx.params. */
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  })
  .strict();
export type PhaseSpec = z.infer<typeof PhaseSpecSchema>;

export const ProcedureFileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, . _ -'),
    name: z.string().min(1),
    version: z.string().min(1),
    partNumber: z.string().optional(),
    /** Regular expression a unit's serial number must match. */
    serialPattern: z.string().default('.+'),
    /** An example serial shown to the operator when a scan is refused. */
    serialExample: z.string().optional(),
    /** Stop at the first failing phase (teardown still runs). */
    stopOnFailure: z.boolean().default(false),
    /** Instrument name → address URI (sim:dmm, serial:/dev/ttyUSB0?baud=9600, tcp://host:5025). */
    instruments: z.record(z.string(), z.string()).default({}),
    phases: z.array(PhaseSpecSchema).min(1, 'a procedure needs at least one phase'),
  })
  .strict()
  .superRefine((p, ctx) => {
    try {
      new RegExp(p.serialPattern);
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['serialPattern'], message: `not a valid regular expression: ${(e as Error).message}` });
    }
    const seen = new Set<string>();
    p.phases.forEach((ph, i) => {
      if (seen.has(ph.name)) ctx.addIssue({ code: 'custom', path: ['phases', i, 'name'], message: `phase "${ph.name}" is listed twice` });
      seen.add(ph.name);
    });
  });
export type ProcedureFile = z.infer<typeof ProcedureFileSchema>;

/** What the station and UI know of the loaded procedure. */
export const ProcedureSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  hash: z.string(),
  partNumber: z.string().optional(),
  serialPattern: z.string(),
  serialExample: z.string().optional(),
  phases: z.array(z.object({ name: z.string(), title: z.string().optional(), group: z.enum(['setup', 'main', 'teardown']), enabled: z.boolean() })),
  dir: z.string(),
});
export type ProcedureSummary = z.infer<typeof ProcedureSummarySchema>;
