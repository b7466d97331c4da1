import { z } from 'zod';
import { StationErrorSchema } from '#contract/errors.ts';
import { ProcedureSummarySchema } from '#contract/procedure.ts';
import { PromptAnswerSchema } from '#contract/prompts.ts';
import { LogEntrySchema, MeasurementSchema, PhaseOutcomeSchema, PhaseRecordSchema, RunOutcomeSchema, UnitSchema } from '#contract/records.ts';
import { IdentitySchema, InstrumentStatusSchema } from '#contract/instruments.ts';

/** Station → runner. Parsed on arrival like any other boundary. */
export const ToRunnerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('load'),
    dir: z.string(),
    instruments: z.record(z.string(), z.string()),
    /** Where and how much phases may attach. */
    attachments: z.object({ dir: z.string(), maxBytes: z.number().int().positive(), runMaxBytes: z.number().int().positive() }).optional(),
    /** false: a teardown runs first (after a killed runner) and makes the instruments safe after it. */
    safeState: z.boolean().optional(),
    /** false: a copy of a version that already passed the check (the last good one). */
    typecheck: z.boolean().optional(),
    /** How long importing phases.ts may take. */
    loadTimeoutMs: z.number().int().positive().optional(),
  }),
  /**
   * From a launcher, before the station exists (runner/fork.ts): read, check and import the
   * procedure in `dir` now and keep it; a `load` of the same folder then uses it (and answers
   * as any load does). No answer of its own; `importing` is sent as for a load.
   */
  z.object({ type: z.literal('prepare'), dir: z.string(), loadTimeoutMs: z.number().int().positive().optional() }),
  z.object({
    type: z.literal('start'),
    runId: z.string(),
    unit: UnitSchema,
    /** `--param` overrides for this run: `key` or `phase.key`. */
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  }),
  /**
   * After the runner of a run was killed (timeout, abort, crash): the fresh runner runs the
   * teardown phases at `indices` of the plan for the same unit, then the safe state. `hash`
   * is the run's version: a runner that loaded another one skips the phases.
   */
  z.object({
    type: z.literal('teardown'),
    runId: z.string(),
    unit: UnitSchema,
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    hash: z.string(),
    indices: z.array(z.number().int().nonnegative()),
    aborted: z.boolean(),
    /** The phases that ended before, for the teardown's runIf. */
    prior: z.array(z.object({ index: z.number().int(), outcome: PhaseOutcomeSchema, measurements: z.array(MeasurementSchema) })),
  }),
  z.object({ type: z.literal('abort'), runId: z.string(), reason: z.string().optional() }),
  z.object({ type: z.literal('answer'), promptId: z.string(), answer: PromptAnswerSchema }),
  z.object({ type: z.literal('shutdown') }),
  /** "Test connection" for an instrument this runner holds open: *IDN? through its session. */
  z.object({ type: z.literal('testInstrument'), id: z.string(), name: z.string(), timeoutMs: z.number().int().positive() }),
]);
export type ToRunner = z.infer<typeof ToRunnerSchema>;

/** Runner → station. `events` carries engine events in batches (one IPC message per tick). */
export const FromRunnerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('loaded'), summary: ProcedureSummarySchema }),
  /** phases.ts is being imported now: the station's load limit runs from here (a type check before it does not count). */
  z.object({ type: z.literal('importing'), file: z.string() }),
  /** `kept`: the previous version is still loaded and runs on. */
  z.object({ type: z.literal('loadFailed'), error: StationErrorSchema, kept: z.boolean().default(false) }),
  z.object({ type: z.literal('events'), runId: z.string(), events: z.array(z.object({ kind: z.string(), data: z.unknown() })) }),
  z.object({ type: z.literal('runEnded'), runId: z.string(), outcome: RunOutcomeSchema, outcomeReason: z.string().optional() }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warning', 'error']), message: z.string() }),
  /** An instrument connected, disconnected, identified itself or was closed. */
  z.object({ type: z.literal('instrument'), status: InstrumentStatusSchema }),
  z.object({
    type: z.literal('instrumentTested'),
    id: z.string(),
    identity: IdentitySchema.optional(),
    roundTripMs: z.number().optional(),
    error: z.string().optional(),
  }),
]);
export type FromRunner = z.infer<typeof FromRunnerSchema>;

/**
 * A runner's run.phaseEnded does not repeat what the phase already sent: a measurement
 * or log line that went out as run.measured / run.logged in this phase attempt is sent
 * as its position among them (0-based); anything else (UNSET, SKIP, trace lines) in full.
 * The station puts the record back together from what it received.
 */
export const RunnerPhaseEndedSchema = z.object({
  phase: PhaseRecordSchema.extend({
    measurements: z.array(z.union([z.number().int().nonnegative(), MeasurementSchema])),
    logs: z.array(z.union([z.number().int().nonnegative(), LogEntrySchema])),
  }),
});
export type RunnerPhaseEnded = z.infer<typeof RunnerPhaseEndedSchema>;

/**
 * A phase end points only at the last this many measurements and log lines the phase
 * sent (older ones go in full), and the station keeps at least this many: a phase that
 * measures or logs in a loop for hours holds neither process's memory.
 */
export const PHASE_REF_WINDOW = 4096;

/**
 * The runner's `events` message (the one that comes once per phase and more) checked by hand:
 * `FromRunnerSchema` takes it unchanged when it holds exactly these keys; each event's data is
 * parsed by its kind's schema afterwards (socket.ts). Anything else goes through the schema.
 */
export function isPlainEventsMessage(m: unknown): m is Extract<FromRunner, { type: 'events' }> {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  let n = 0;
  for (const key in o) {
    if (key !== 'type' && key !== 'runId' && key !== 'events') return false;
    n++;
  }
  if (n !== 3 || o.type !== 'events' || typeof o.runId !== 'string' || !Array.isArray(o.events)) return false;
  for (const e of o.events as unknown[]) {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
    let k = 0;
    for (const key in e) {
      if (key !== 'kind' && key !== 'data') return false;
      k++;
    }
    if (k !== 2 || typeof (e as { kind?: unknown }).kind !== 'string') return false;
  }
  return true;
}
