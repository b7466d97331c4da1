import { z } from 'zod';
import { AuthCommands } from './auth.ts';

/**
 * The plant view's contract: what `passline plant` serves over the plant database (every
 * station's PostgreSQL target). Logins, people and tokens are the station's own commands
 * (auth.ts), checked with the same roles; the plant adds the line and a unit's whole life.
 */

export const PlantSocketSchema = z.object({
  socket: z.number().int(),
  /** The socket's state as the station reported it (idle, ready, running, cleanup, result, error, starting). */
  state: z.string(),
  procedureId: z.string().nullable(),
  procedureName: z.string().nullable(),
  procedureVersion: z.string().nullable(),
  runId: z.string().nullable(),
  /** The unit on the socket: testing now when `state` is running or cleanup, else the last one tested. */
  serialNumber: z.string().nullable(),
  /** The phase running now (null between runs). */
  phase: z.string().nullable(),
  lastOutcome: z.string().nullable(),
  /** When the socket's state last changed (station clock). */
  since: z.string(),
});
export type PlantSocket = z.infer<typeof PlantSocketSchema>;

export const YieldCountSchema = z.object({
  runs: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  /** ERROR and ABORTED: the station, not the unit. */
  errors: z.number().int(),
});
export type YieldCount = z.infer<typeof YieldCountSchema>;

export const PlantStationSchema = z.object({
  id: z.string(),
  name: z.string(),
  line: z.string(),
  appVersion: z.string(),
  /** `online`: sending heartbeats; `stopped`: it said it stopped; `unknown`: it sends runs but no state (an older Passline). */
  state: z.enum(['online', 'stopped', 'unknown']),
  heartbeatSeconds: z.number().int(),
  /** Last heartbeat or state change (the database's clock). */
  lastSeen: z.string(),
  /** No heartbeat for three intervals while it says it is online: the line shows "silent since lastSeen". */
  silent: z.boolean(),
  sockets: z.array(PlantSocketSchema),
  today: YieldCountSchema,
});
export type PlantStation = z.infer<typeof PlantStationSchema>;

export const PlantLineSchema = z.object({
  /** The plant event seq this picture is as of: subscribe after it. */
  seq: z.number().int(),
  /** The database's time when it was read. */
  at: z.string(),
  /** Where "today" starts (the plant process's local midnight). */
  dayStart: z.string(),
  stations: z.array(PlantStationSchema),
  byProcedure: z.array(YieldCountSchema.extend({ procedureId: z.string(), procedureName: z.string() })),
});
export type PlantLine = z.infer<typeof PlantLineSchema>;

export const PlantAttemptSchema = z.object({
  runId: z.string(),
  stationId: z.string(),
  /** The station's name in the plant database (its id when it never sent its state). */
  stationName: z.string(),
  line: z.string(),
  socket: z.number().int(),
  procedureId: z.string(),
  procedureName: z.string(),
  procedureVersion: z.string(),
  operatorId: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  outcome: z.string(),
  outcomeReason: z.string().nullable(),
  /** The measurements that failed, in the order taken. */
  failing: z.array(z.object({ phase: z.string(), name: z.string(), value: z.string().nullable(), units: z.string().nullable() })),
});
export type PlantAttempt = z.infer<typeof PlantAttemptSchema>;

export const PlantUnitSchema = z.object({
  serialNumber: z.string(),
  /** Every attempt at every station, oldest first. */
  attempts: z.array(PlantAttemptSchema),
  /** More attempts than the answer holds (the oldest are shown). */
  truncated: z.boolean(),
  /** Stations testing this unit right now. */
  testingNow: z.array(z.object({ stationId: z.string(), stationName: z.string(), socket: z.number().int(), phase: z.string().nullable(), since: z.string() })),
});
export type PlantUnit = z.infer<typeof PlantUnitSchema>;

export const PlantOwnCommands = {
  'plant.line': { input: z.object({}).strict(), output: PlantLineSchema },
  'plant.unit': {
    input: z.object({ serialNumber: z.string().trim().min(1, 'serialNumber: scan or type a serial').max(200) }).strict(),
    output: PlantUnitSchema,
  },
} as const;

/** Everything the plant process answers: the station's login, people and tokens commands, then its own. */
export const PlantCommands = { ...AuthCommands, ...PlantOwnCommands } as const;
export type PlantCommandName = keyof typeof PlantCommands;
export const PlantCommandNameSchema = z.enum(Object.keys(PlantCommands) as [PlantCommandName, ...PlantCommandName[]]);
export type PlantCommandInput<K extends PlantCommandName> = z.input<(typeof PlantCommands)[K]['input']>;
export type PlantCommandArgs<K extends PlantCommandName> = z.output<(typeof PlantCommands)[K]['input']>;
export type PlantCommandOutput<K extends PlantCommandName> = z.infer<(typeof PlantCommands)[K]['output']>;

export const PlantClientFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('invoke'), id: z.number().int(), name: PlantCommandNameSchema, input: z.unknown() }),
  z.object({ type: z.literal('subscribe'), afterSeq: z.number().int().nonnegative().optional() }),
]);

/** Events of the plant process, numbered from its start. */
export type PlantEvent =
  | { seq: number; kind: 'plant.lineChanged'; data: PlantLine }
  /** Runs arrived: the unit view asks again when its serial is among them (null: too many to name). */
  | { seq: number; kind: 'plant.runsArrived'; data: { stations: string[] | null; serials: string[] | null } };
