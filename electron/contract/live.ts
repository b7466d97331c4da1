import { z } from 'zod';
import {
  AttachmentSchema,
  LogEntrySchema,
  MeasurementSchema,
  PhaseErrorSchema,
  PhaseOutcomeSchema,
  ProcedureRefSchema,
  RunOutcomeSchema,
  UnitSchema,
} from './records.ts';
import { PromptSchema } from './prompts.ts';
import { SocketStateSchema } from './events.ts';
import { InstrumentStatusSchema } from './instruments.ts';
import { ProcedureSummarySchema } from './procedure.ts';

/**
 * The live view of each socket, derived from events by one pure reducer that the
 * station (for snapshots) and the renderer (for live updates) share.
 */
export const LivePhaseSchema = z.object({
  index: z.number().int(),
  name: z.string(),
  title: z.string().optional(),
  /** The title in other languages (procedure.yaml `title: {en: …, de: …}`); `title` is the procedure's default. */
  titles: z.record(z.string(), z.string()).optional(),
  group: z.enum(['setup', 'main', 'teardown']),
  status: z.union([z.enum(['waiting', 'running']), PhaseOutcomeSchema]),
  attempt: z.number().int(),
  startedAt: z.string().optional(),
  durationMs: z.number().optional(),
  measurements: z.array(MeasurementSchema),
  logs: z.array(LogEntrySchema),
  error: PhaseErrorSchema.optional(),
  progress: z.number().optional(),
  message: z.string().optional(),
  attachments: z.array(AttachmentSchema).optional(),
});
export type LivePhase = z.infer<typeof LivePhaseSchema>;

export const LiveRunSchema = z.object({
  runId: z.string(),
  unit: UnitSchema,
  procedure: ProcedureRefSchema,
  operatorId: z.string().optional(),
  startedAt: z.string(),
  phases: z.array(LivePhaseSchema),
  outcome: RunOutcomeSchema.optional(),
  outcomeReason: z.string().optional(),
  endedAt: z.string().optional(),
  durationMs: z.number().optional(),
  failing: z
    .array(z.object({ phase: z.string(), name: z.string(), value: z.unknown(), units: z.string().optional(), reason: z.string().optional() }))
    .default([]),
});
export type LiveRun = z.infer<typeof LiveRunSchema>;

export const LiveSocketSchema = z.object({
  socket: z.number().int(),
  state: SocketStateSchema,
  message: z.string().optional(),
  runner: z.enum(['starting', 'ready', 'crashed', 'restarting', 'stopped']),
  run: LiveRunSchema.nullable(),
  prompt: PromptSchema.nullable(),
  /** The runner's instruments, by name order; a disconnected one says why. */
  instruments: z.array(InstrumentStatusSchema).optional(),
  /** The fixture scanned on this socket. */
  fixtureId: z.string().nullable().optional(),
  /** The procedure this socket's runner has loaded (sockets may run different ones). */
  procedure: ProcedureSummarySchema.optional(),
});
export type LiveSocket = z.infer<typeof LiveSocketSchema>;

export { applySocketEvent, emptySocket } from './live-reducer.ts';
