import { z } from 'zod';
import { StationErrorSchema } from '#contract/errors.ts';
import { ProcedureSummarySchema } from '#contract/procedure.ts';
import { PromptAnswerSchema } from '#contract/prompts.ts';
import { LogEntrySchema, MeasurementSchema, PhaseRecordSchema, RunOutcomeSchema, UnitSchema } from '#contract/records.ts';
import { IdentitySchema, InstrumentStatusSchema } from '#contract/instruments.ts';

/** Station → runner. Parsed on arrival like any other boundary. */
export const ToRunnerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('load'),
    dir: z.string(),
    instruments: z.record(z.string(), z.string()),
    /** Where and how much phases may attach. */
    attachments: z.object({ dir: z.string(), maxBytes: z.number().int().positive(), runMaxBytes: z.number().int().positive() }).optional(),
  }),
  z.object({
    type: z.literal('start'),
    runId: z.string(),
    unit: UnitSchema,
    /** `--param` overrides for this run: `key` or `phase.key`. */
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  }),
  z.object({ type: z.literal('abort'), runId: z.string() }),
  z.object({ type: z.literal('answer'), promptId: z.string(), answer: PromptAnswerSchema }),
  z.object({ type: z.literal('shutdown') }),
  /** "Test connection" for an instrument this runner holds open: *IDN? through its session. */
  z.object({ type: z.literal('testInstrument'), id: z.string(), name: z.string(), timeoutMs: z.number().int().positive() }),
]);
export type ToRunner = z.infer<typeof ToRunnerSchema>;

/** Runner → station. `events` carries engine events in batches (one IPC message per tick). */
export const FromRunnerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('loaded'), summary: ProcedureSummarySchema }),
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
