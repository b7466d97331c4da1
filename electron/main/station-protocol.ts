/**
 * Messages between Electron main and the station's utility process
 * (electron/station/utility-entry.ts). Plain zod, no `electron`: both sides import it,
 * and each side parses what it receives.
 */
import { z } from 'zod';
import { ResultSchema } from '#contract/commands.ts';
import { SettingsSchema } from '#contract/settings.ts';
import { StationEventSchema } from '#contract/events.ts';

/** main → station */
export const ToStationSchema = z.discriminatedUnion('type', [
  /** Sent once, first: main owns the app paths and the settings store. */
  z.object({ type: z.literal('start'), dataDir: z.string().min(1), settings: SettingsSchema, settingsProblems: z.array(z.string()).default([]) }),
  z.object({ type: z.literal('invoke'), id: z.number().int(), name: z.string(), input: z.unknown() }),
  /** Close the server and the station (runners to safe state, events flushed), then exit. */
  z.object({ type: z.literal('shutdown') }),
]);
export type ToStation = z.infer<typeof ToStationSchema>;

/** station → main */
export const FromStationSchema = z.discriminatedUnion('type', [
  /** The station takes commands; `eventsUrl` is null when the event server could not listen. */
  z.object({ type: z.literal('ready'), eventsUrl: z.string().nullable(), serverError: z.string().nullable() }),
  z.object({ type: z.literal('reply'), id: z.number().int(), result: ResultSchema }),
  z.object({ type: z.literal('event'), event: StationEventSchema }),
  /** The station cannot go on; the process exits right after this. */
  z.object({ type: z.literal('fatal'), message: z.string() }),
]);
export type FromStation = z.infer<typeof FromStationSchema>;
