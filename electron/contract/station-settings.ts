import { z } from 'zod';
import { SettingsSchema } from './settings.ts';
import { UploadTargetSchema } from './upload.ts';

/**
 * The Settings screen's commands: read the settings (secrets masked), change some of them
 * (validated with the settings schema, saved atomically, applied at once where they can be),
 * and send a test run to one upload target. Spread into the Commands map.
 */

/** What a secret looks like on the screen and in answers: its value never leaves the station. */
export const SECRET_MASK = '••••';

/**
 * Settings that take effect at once when saved. Every other field (stationId, sockets,
 * listenHost, listenPort, tls, allowedHosts, sequenceFolder, …) is saved and used from the
 * next start of the station.
 */
export const LIVE_SETTINGS = [
  'stationName',
  'scanRoutes',
  'retentionDays',
  'minFreeBytes',
  'backupKeep',
  'sessionIdleMinutes',
  'requireBadgeLogin',
  // The screens show it from their next look at the station (a reload, a reconnect, the Settings screen at once).
  'language',
  // Read each time a screen asks for a catalog.
  'languagesDir',
  'uploadTargets',
  'uploadRetry',
  'scanners',
  'instruments',
  // Read at each proposal: a change to it takes effect for the next one.
  'procedureChangesNeedApproval',
  // Read at every statistics query and alert check.
  'shifts',
  'referenceSerialPattern',
  'spcRules',
  'yieldAlert',
] as const;

export const SecretStateSchema = z.object({
  /** Where it is, e.g. `uploadTargets.0.token`. */
  path: z.string(),
  set: z.boolean(),
});

export const StationSettingsCommands = {
  /** The settings as stored (what the Settings screen edits), secrets masked. */
  'settings.get': {
    input: z.object({}).strict(),
    output: z.object({
      settings: SettingsSchema,
      /** Each secret the settings can hold, and whether one is set (its value shows as SECRET_MASK). */
      secrets: z.array(SecretStateSchema),
      /** The settings file. */
      path: z.string(),
      /** Fields that apply only after a restart (all but LIVE_SETTINGS). */
      restartFields: z.array(z.string()),
      /** Fields saved with a value the running station does not use yet: they wait for a restart. */
      pendingRestart: z.array(z.string()),
    }),
  },
  /**
   * Changes some settings: each top-level field given replaces the stored one. The whole result
   * is checked with the settings schema; any bad field refuses the change (each refusal names
   * its path) and nothing is saved. A secret sent back as SECRET_MASK keeps the stored one.
   */
  'settings.update': {
    input: z
      .object({
        changes: z
          .record(z.string(), z.unknown())
          .refine((c) => Object.keys(c).length > 0, { message: 'nothing to change: give at least one field' })
          .refine((c) => Object.keys(c).every((k) => Object.hasOwn(SettingsSchema.shape, k)), {
            message: 'a field that is not a setting',
          }),
        reason: z.string().trim().max(500).optional(),
      })
      .strict(),
    output: z.object({
      /** Fields that changed and are in force now. */
      applied: z.array(z.string()),
      /** Fields that changed and were saved, used from the next start. */
      needsRestart: z.array(z.string()),
    }),
  },
  /**
   * "Send a test run": one small synthetic run to one target (not queued, not stored as a run);
   * answers whether the target took it, or its reason. A masked secret uses the stored one.
   */
  'upload.testTarget': {
    input: z.object({ target: UploadTargetSchema }).strict(),
    output: z.object({
      ok: z.boolean(),
      /** Where it went, without secrets. */
      label: z.string(),
      /** The synthetic run's id (its file name in a folder target). */
      runId: z.string(),
      /** The target's refusal or error when not ok. */
      error: z.string().optional(),
      ms: z.number(),
    }),
  },
} as const;
