import { z } from 'zod';
import { RunOutcomeSchema, RunRecordSchema, RunSummarySchema } from './records.ts';
import { ProcedureSummarySchema } from './procedure.ts';
import { PromptAnswerSchema } from './prompts.ts';
import { StationErrorSchema } from './errors.ts';
import { StationEventSchema } from './events.ts';
import { LiveSocketSchema } from './live.ts';
import { UploadCommands, UploadStatusSchema, emptyUploadStatus } from './upload.ts';

export const StationSnapshotSchema = z.object({
  station: z.object({ id: z.string(), name: z.string(), appVersion: z.string(), bootId: z.string(), dataDir: z.string() }),
  /** Events after this seq are newer than the snapshot. */
  seq: z.number().int().nonnegative(),
  procedure: ProcedureSummarySchema.nullable(),
  procedureError: StationErrorSchema.nullable(),
  /** An edit that failed to load while the last good version runs on. */
  procedureWarning: StationErrorSchema.nullable().default(null),
  /** Whether new runs can be stored: a full or read-only disk refuses them, keeping what is stored. */
  storage: z
    .object({ state: z.enum(['ok', 'low', 'full', 'read-only', 'unavailable']), message: z.string().optional(), freeBytes: z.number().optional() })
    .default({ state: 'ok' }),
  sockets: z.array(LiveSocketSchema),
  /** The upload queue: online/offline and runs waiting for the operator, each target for the supervisor. */
  upload: UploadStatusSchema.default(emptyUploadStatus),
});
export type StationSnapshot = z.infer<typeof StationSnapshotSchema>;

/** Every command: input and output schemas. Keys are `domain.verb`. */
export const Commands = {
  'station.snapshot': { input: z.object({}).strict(), output: StationSnapshotSchema },
  'run.start': {
    input: z
      .object({
        socket: z.number().int().nonnegative().default(0),
        serialNumber: z.string().trim().min(1, 'scan or type a serial number').max(128, 'a serial number has at most 128 characters'),
        operatorId: z.string().max(64).optional(),
        /** Parameter overrides for this run: `key` (every phase with it) or `phase.key`. */
        params: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).optional(),
      })
      .strict(),
    output: z.object({ runId: z.string() }),
  },
  'run.abort': { input: z.object({ socket: z.number().int().nonnegative().default(0) }).strict(), output: z.object({ aborted: z.boolean() }) },
  'prompt.answer': {
    input: z.object({ socket: z.number().int().nonnegative().default(0), promptId: z.string(), answer: PromptAnswerSchema }).strict(),
    output: z.object({}),
  },
  'runs.list': {
    input: z
      .object({
        limit: z.number().int().min(1).max(500).default(50),
        /** Page: runs that started before this ISO time. */
        before: z.string().optional(),
        serialPrefix: z.string().max(128).optional(),
        outcome: z.union([RunOutcomeSchema, z.literal('RUNNING')]).optional(),
        partNumber: z.string().max(128).optional(),
        procedureId: z.string().max(128).optional(),
        operatorId: z.string().max(64).optional(),
        /** Time range on the start time, ISO 8601: from inclusive, to exclusive. */
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
      })
      .strict(),
    output: z.object({ runs: z.array(RunSummarySchema) }),
  },
  /** Every attempt of one serial number, oldest first. */
  'units.history': {
    input: z.object({ serialNumber: z.string().trim().min(1).max(128) }).strict(),
    output: z.object({ serialNumber: z.string(), runs: z.array(RunSummarySchema) }),
  },
  /** An attachment's bytes (base64) for display or download. */
  'attachments.get': {
    input: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex') }).strict(),
    output: z.object({ sha256: z.string(), size: z.number().int(), base64: z.string() }),
  },
  /** A consistent copy of the whole store, taken while the station runs. */
  'store.backup': {
    input: z.object({}).strict(),
    output: z.object({ path: z.string(), bytes: z.number().int() }),
  },
  'runs.get': { input: z.object({ runId: z.string().min(1) }).strict(), output: RunRecordSchema },
  'events.since': {
    input: z.object({ afterSeq: z.number().int().nonnegative(), limit: z.number().int().min(1).max(10_000).default(1000) }).strict(),
    output: z.object({ events: z.array(StationEventSchema), truncated: z.boolean() }),
  },
  ...UploadCommands,
} as const;

export type CommandName = keyof typeof Commands;
export const CommandNameSchema = z.enum(Object.keys(Commands) as [CommandName, ...CommandName[]]);
export type CommandInput<K extends CommandName> = z.input<(typeof Commands)[K]['input']>;
export type CommandArgs<K extends CommandName> = z.output<(typeof Commands)[K]['input']>;
export type CommandOutput<K extends CommandName> = z.infer<(typeof Commands)[K]['output']>;

/** The station implements one handler per command; a missing one is a type error. */
export type CommandHandlers = { [K in CommandName]: (input: CommandArgs<K>) => Promise<CommandOutput<K>> | CommandOutput<K> };

/** Frames on the WebSocket API (`/ws`). */
export const ClientFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('invoke'), id: z.number().int(), name: CommandNameSchema, input: z.unknown() }),
  /** Start (or restart after a reconnect) the event stream after a seq. */
  z.object({ type: z.literal('subscribe'), afterSeq: z.number().int().nonnegative().optional() }),
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export const ResultSchema = z.union([z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: StationErrorSchema })]);

export const ServerFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('reply'), id: z.number().int(), result: ResultSchema }),
  z.object({ type: z.literal('event'), event: StationEventSchema }),
]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;
