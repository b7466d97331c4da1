import { z } from 'zod';
import { RunOutcomeSchema, RunRecordSchema, RunSummarySchema } from './records.ts';
import { ProcedureSummarySchema } from './procedure.ts';
import { PromptAnswerSchema } from './prompts.ts';
import { StationErrorSchema } from './errors.ts';
import { StationEventSchema, StorageStateSchema } from './events.ts';
import { LiveSocketSchema } from './live.ts';
import { UploadCommands, UploadStatusSchema, emptyUploadStatus } from './upload.ts';
import { CalibrationEntrySchema, IdentitySchema, InstrumentStatusSchema, PortInfoSchema } from './instruments.ts';
import { ScanRouteSchema, ScanRoutesSchema } from './scans.ts';
import { AuthCommands, PinSchema } from './auth.ts';
import { AuditCommands } from './audit.ts';
import { ProcedureCommands, ProcedureEditCommands } from './procedures.ts';
import { StationSettingsCommands } from './station-settings.ts';
import { LanguageInfoSchema, LocaleCommands } from './locales.ts';
import { ShiftYieldSchema, StatsCommands } from './stats.ts';

/**
 * A supervisor's approval of a refused start (calibration past due, retest limit), given at the
 * operator's screen: their badge and PIN, checked against the people of this station.
 */
export const OverrideSchema = z
  .object({
    supervisorId: z.string().trim().min(1, 'scan the supervisor badge').max(64),
    pin: PinSchema,
    reason: z.string().max(500).optional(),
  })
  .strict();
export type Override = z.infer<typeof OverrideSchema>;

/** One instrument as the settings screen lists it: configured address, live state, calibration. */
export const InstrumentListItemSchema = InstrumentStatusSchema.extend({
  socket: z.number().int().nonnegative(),
  calibrationDue: z.string().optional(),
  calibrationOverdue: z.boolean().optional(),
});

export const StationSnapshotSchema = z.object({
  station: z.object({
    id: z.string(),
    name: z.string(),
    appVersion: z.string(),
    bootId: z.string(),
    dataDir: z.string(),
    /** The screens' language (settings.language) when the person logged in has none of their own. */
    language: z.string().default('en'),
    /** The plant's own catalogs in the languages folder (locales.get hands each to a screen). */
    languages: z.array(LanguageInfoSchema).default([]),
  }),
  /** Events after this seq are newer than the snapshot. */
  seq: z.number().int().nonnegative(),
  procedure: ProcedureSummarySchema.nullable(),
  procedureError: StationErrorSchema.nullable(),
  /** An edit that failed to load while the last good version runs on. */
  procedureWarning: StationErrorSchema.nullable().default(null),
  /** Whether new runs can be stored: a full or read-only disk refuses them, keeping what is stored. */
  storage: StorageStateSchema.default({ state: 'ok' }),
  /**
   * The database itself: `salvaged` (damage found at start; what could be read was copied into a
   * new one, runs go on), `damaged` (found while open: no new runs until a restart salvages it),
   * `newer-version` or `unavailable` (no runs). `message` says what happened, what was saved, where the file is.
   */
  database: z
    .object({
      state: z.enum(['ok', 'salvaged', 'damaged', 'newer-version', 'unavailable']),
      message: z.string().optional(),
      aside: z.string().optional(),
      runs: z.object({ salvaged: z.number(), total: z.number(), unreadable: z.number() }).optional(),
    })
    .default({ state: 'ok' }),
  /**
   * Runs this start found cut off by a station stop (kill, power loss) and recorded ABORTED:
   * which unit, on which socket, in which phase, so the operator knows what to test again.
   */
  recoveredRuns: z
    .array(z.object({ runId: z.string(), socket: z.number().int(), serialNumber: z.string(), endedAt: z.string(), phase: z.string().optional() }))
    .default([]),
  sockets: z.array(LiveSocketSchema),
  /** The upload queue: online/offline and runs waiting for the operator, each target for the supervisor. */
  upload: UploadStatusSchema.default(emptyUploadStatus),
  /** The operator logged in by badge scan, if any. */
  operatorId: z.string().nullable().optional(),
  /** What a badge and a fixture label look like, so a screen can route a keyboard scan. */
  scanRoutes: ScanRoutesSchema.optional(),
  /**
   * What was wrong in the settings file at start, one line per field: the file, the field, the
   * fault and what was used instead (the last good value). Screens show these as a banner.
   */
  settingsProblems: z.array(z.string()).default([]),
  /** The current shift's first pass yield and unit count, for the operator's header (also `stats.shift`). */
  shiftYield: ShiftYieldSchema.nullable().default(null),
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
        /** Parameter overrides for this run: `key` (every phase with it) or `phase.key`. */
        params: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).optional(),
        /** The operator saw that this unit already passed and tests it again. */
        confirmRetest: z.boolean().optional(),
        /** A supervisor approves a start the station refused (calibration past due, retest limit). */
        override: OverrideSchema.optional(),
      })
      .strict(),
    output: z.object({ runId: z.string() }),
  },
  /** A scanned (or typed) code: routed by pattern to a unit serial (starts a run), a badge (logs in) or a fixture. */
  'scan.submit': {
    input: z
      .object({
        text: z.string().trim().min(1, 'nothing was scanned').max(256, 'a scan has at most 256 characters'),
        socket: z.number().int().nonnegative().default(0),
        source: z.string().max(64).default('keyboard'),
        confirmRetest: z.boolean().optional(),
        override: OverrideSchema.optional(),
      })
      .strict(),
    output: z.object({ route: ScanRouteSchema, id: z.string(), runId: z.string().optional() }),
  },
  'operator.logout': { input: z.object({}).strict(), output: z.object({}) },
  /** Every socket's instruments: address, driver, state, identity, calibration. */
  'instruments.list': { input: z.object({}).strict(), output: z.object({ instruments: z.array(InstrumentListItemSchema) }) },
  /** Serial ports on this machine; `problem` says why the list may be incomplete (no udevadm). */
  'ports.list': { input: z.object({}).strict(), output: z.object({ ports: z.array(PortInfoSchema), problem: z.string().optional() }) },
  /** "Test connection": opens the address (or asks the runner that has it open) and reads *IDN?. */
  'instrument.test': {
    input: z
      .object({
        address: z.string().trim().min(1, 'give an address, e.g. serial:/dev/ttyUSB0?baud=9600'),
        timeoutMs: z.number().int().min(100).max(30_000).default(3000),
      })
      .strict(),
    output: z.object({ identity: IdentitySchema, roundTripMs: z.number(), via: z.enum(['station', 'runner']) }),
  },
  'calibration.list': { input: z.object({}).strict(), output: z.object({ entries: z.array(CalibrationEntrySchema) }) },
  /** Adds or updates an instrument in the calibration inventory (audited; who did it is the session's). */
  'calibration.set': {
    input: CalibrationEntrySchema.omit({ updatedAt: true, updatedBy: true }).strict(),
    output: z.object({}),
  },
  'run.abort': {
    // reason: why, in words for the record (the CLI: "no --answer for …"); default "operator aborted the run".
    input: z.object({ socket: z.number().int().nonnegative().default(0), reason: z.string().trim().min(1).max(300).optional() }).strict(),
    output: z.object({ aborted: z.boolean() }),
  },
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
        /** Text anywhere in the serial number, in any case ("0001" finds DEMO-0001 and demo-10001). */
        serial: z.string().max(128).optional(),
        /** The serial starts with this, exactly as typed. */
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
  /**
   * A consistent copy of the whole store, taken while the station runs: a supervisor's
   * command. The newest `backupKeep` copies stay.
   */
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
  ...AuthCommands,
  ...AuditCommands,
  ...ProcedureCommands,
  ...StationSettingsCommands,
  ...ProcedureEditCommands,
  ...LocaleCommands,
  ...StatsCommands,
} as const;

export type CommandName = keyof typeof Commands;
export const CommandNameSchema = z.enum(Object.keys(Commands) as [CommandName, ...CommandName[]]);
export type CommandInput<K extends CommandName> = z.input<(typeof Commands)[K]['input']>;
export type CommandArgs<K extends CommandName> = z.output<(typeof Commands)[K]['input']>;
export type CommandOutput<K extends CommandName> = z.infer<(typeof Commands)[K]['output']>;

/** The station implements one handler per command; a missing one is a type error. `C`: who calls (the station's Caller). */
export type CommandHandlers<C = unknown> = { [K in CommandName]: (input: CommandArgs<K>, caller: C) => Promise<CommandOutput<K>> | CommandOutput<K> };

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
