import { z } from 'zod';
import { AttachmentSchema, LogEntrySchema, MeasurementSchema, PhaseRecordSchema, ProcedureRefSchema, RunOutcomeSchema, UnitSchema } from './records.ts';
import { ProcedureSummarySchema } from './procedure.ts';
import { PromptAnswerSchema, PromptSchema } from './prompts.ts';
import { StationErrorSchema } from './errors.ts';
import { UploadEventSchemas } from './upload.ts';
import { InstrumentStatusSchema } from './instruments.ts';
import { ScanSchema } from './scans.ts';
import { StatsAlertEventSchema } from './stats.ts';

/** `cleanup`: a run whose runner was killed is running its teardown in a fresh runner; scans wait. */
export const SocketStateSchema = z.enum(['starting', 'idle', 'ready', 'running', 'cleanup', 'result', 'error']);
export type SocketState = z.infer<typeof SocketStateSchema>;

/** Whether new runs can be stored: a full or read-only disk refuses them, keeping what is stored. */
export const StorageStateSchema = z.object({
  state: z.enum(['ok', 'low', 'full', 'read-only', 'unavailable']),
  message: z.string().optional(),
  freeBytes: z.number().optional(),
});
export type StorageState = z.infer<typeof StorageStateSchema>;

/** Data of each event kind. Names are `domain.pastTense`. */
export const EventDataSchemas = {
  'station.started': z.object({ stationId: z.string(), stationName: z.string(), bootId: z.string(), sockets: z.number().int(), appVersion: z.string() }),
  'procedure.loaded': z.object({ procedure: ProcedureSummarySchema }),
  'procedure.failed': z.object({ error: StationErrorSchema }),
  'socket.changed': z.object({ state: SocketStateSchema, message: z.string().optional() }),
  'runner.changed': z.object({
    state: z.enum(['starting', 'ready', 'crashed', 'restarting', 'stopped']),
    message: z.string().optional(),
    pid: z.number().int().optional(),
  }),
  'run.started': z.object({
    procedure: ProcedureRefSchema,
    unit: UnitSchema,
    operatorId: z.string().optional(),
    startedAt: z.string(),
    plannedPhases: z.array(
      z.object({
        name: z.string(),
        title: z.string().optional(),
        /** The title in every language procedure.yaml gives (`title` is the procedure's own). */
        titles: z.record(z.string(), z.string()).optional(),
        group: z.enum(['setup', 'main', 'teardown']),
      }),
    ),
  }),
  'run.phaseStarted': z.object({ index: z.number().int(), name: z.string(), attempt: z.number().int(), timeoutMs: z.number(), startedAt: z.string() }),
  /** One or more measurements, in the order taken: those a phase takes in one go arrive together. */
  'run.measured': z.object({ index: z.number().int(), phase: z.string(), measurements: z.array(MeasurementSchema).min(1) }),
  'run.logged': z.object({ index: z.number().int().nullable(), phase: z.string().nullable(), log: LogEntrySchema }),
  'run.phaseEnded': z.object({ phase: PhaseRecordSchema }),
  'run.ended': z.object({
    outcome: RunOutcomeSchema,
    outcomeReason: z.string().optional(),
    endedAt: z.string(),
    durationMs: z.number(),
    failing: z.array(z.object({ phase: z.string(), name: z.string(), value: z.unknown(), units: z.string().optional(), reason: z.string().optional() })),
  }),
  /** Non-blocking: a message for the operator and/or a progress fraction for a long phase. */
  'run.progressed': z.object({ index: z.number().int(), phase: z.string(), progress: z.number().min(0).max(1).optional(), message: z.string().optional() }),
  'run.attached': z.object({ index: z.number().int(), phase: z.string(), attachment: AttachmentSchema }),
  'prompt.opened': z.object({ prompt: PromptSchema }),
  /** A prompt that ended without an answer (its timeout, or its phase ended). */
  'prompt.closed': z.object({ promptId: z.string(), reason: z.enum(['timeout', 'phase-ended']) }),
  'prompt.answered': z.object({ promptId: z.string(), answer: PromptAnswerSchema }),
  ...UploadEventSchemas,
  /** An instrument of a socket's runner connected, disconnected or identified itself. */
  'instrument.changed': InstrumentStatusSchema,
  /** A barcode scan (serial scanner or keyboard wedge), where it went and what came of it. */
  'scan.received': ScanSchema,
  /** An operator logged in with a badge scan (or out: null). */
  'operator.changed': z.object({ operatorId: z.string().nullable(), source: z.string().optional() }),
  /** The storage state changed (the disk filled, space returned, recovery waits): the screens show it. */
  'storage.changed': StorageStateSchema,
  /** A fixture id was scanned on a socket. */
  'fixture.changed': z.object({ fixtureId: z.string().nullable() }),
  /**
   * Something on the Procedures screen changed: a draft proposed, approved or rejected, a version
   * applied or rolled back, a socket assigned, a file edited on disk. `action` is the audit trail's.
   */
  'procedures.changed': z.object({ procedureId: z.string().nullable(), action: z.string() }),
  /** A drift alert raised (or updated: same id) or cleared: a control-chart rule fired or yield fell below the threshold. */
  'stats.alert': StatsAlertEventSchema,
} as const;

export type EventKind = keyof typeof EventDataSchemas;
export const EventKindSchema = z.enum(Object.keys(EventDataSchemas) as [EventKind, ...EventKind[]]);

const envelope = {
  /** Monotonic per station, also across restarts. */
  seq: z.number().int().nonnegative(),
  /** The enclosing run or phase event, when there is one. */
  parentSeq: z.number().int().nonnegative().nullable(),
  ts: z.string(),
  runId: z.string().nullable(),
  socket: z.number().int().nonnegative().nullable(),
};

export const StationEventSchema = z.discriminatedUnion(
  'kind',
  (Object.keys(EventDataSchemas) as EventKind[]).map((kind) => z.object({ ...envelope, kind: z.literal(kind), data: EventDataSchemas[kind] })) as unknown as [
    z.ZodObject,
    ...z.ZodObject[],
  ],
);

export type EventData<K extends EventKind> = z.infer<(typeof EventDataSchemas)[K]>;
export type StationEventOf<K extends EventKind> = {
  seq: number;
  parentSeq: number | null;
  ts: string;
  runId: string | null;
  socket: number | null;
  kind: K;
  data: EventData<K>;
};
export type StationEvent = { [K in EventKind]: StationEventOf<K> }[EventKind];
