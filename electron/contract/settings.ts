import { z } from 'zod';
import { UploadRetrySchema, UploadTargetsSchema } from './upload.ts';
import { ScanRoutesSchema, SerialScannerSchema } from './scans.ts';
import { parseAddress } from './instruments.ts';
import { LanguageTagSchema } from './locales.ts';
import { StatsSettingsShape } from './stats.ts';

/** One schema for electron-store (desktop) and conf (headless). */
export const SettingsSchema = z.object({
  stationId: z.string().min(1).default('station-1'),
  stationName: z.string().min(1).default('Passline station'),
  /** The production line this station stands on, as the plant view groups stations ('' = none). */
  stationLine: z.string().max(100).default(''),
  /** How often the station tells the plant database it is alive (its PostgreSQL targets); the plant calls it silent after three missed. */
  heartbeatSeconds: z.number().int().min(1).max(3600).default(10),
  /** Folder holding procedure folders; empty means the sequences that ship with the app. */
  sequenceFolder: z.string().default(''),
  /** Procedure id loaded on every socket. */
  procedureId: z.string().default('demo-board'),
  sockets: z.number().int().min(1).max(16).default(1),
  /** Per socket (index 0, 1, …): the procedure id it runs; a socket beyond the list runs procedureId. */
  socketProcedures: z.array(z.string().min(1)).max(16).default([]),
  /** A supervisor's change to a procedure (or one found on disk) waits for a second supervisor's approval. */
  procedureChangesNeedApproval: z.boolean().default(false),
  /** Instrument name → address; overrides the procedure file's addresses. */
  instruments: z
    .record(
      z.string(),
      z.string().superRefine((address, ctx) => {
        try {
          parseAddress(address);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      }),
    )
    .default({}),
  /** Address the event/API server binds to. Loopback unless a supervisor opens it. */
  listenHost: z.string().default('127.0.0.1'),
  listenPort: z.number().int().min(0).max(65535).default(4780),
  /**
   * Host names besides loopback and the bound address that clients use to reach the station
   * (e.g. `station-7.plant.example` for a wider bind). Any other Host is refused: DNS rebinding.
   */
  allowedHosts: z.array(z.string().trim().min(1).max(253)).default([]),
  /** Grace period for a cooperative abort before the runner is killed. */
  abortGraceMs: z.number().int().min(50).max(10_000).default(400),
  /** How long importing a procedure's phases.ts may take before the load counts as failed. */
  procedureLoadTimeoutMs: z.number().int().min(100).max(600_000).default(15_000),
  /** Largest file a phase may attach, and the most a run may attach in all. */
  attachmentMaxBytes: z
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  attachmentRunMaxBytes: z
    .number()
    .int()
    .positive()
    .default(100 * 1024 * 1024),
  /** Runs every upload target has acknowledged may be deleted this many days after they end; 0 keeps everything. */
  retentionDays: z.number().int().min(0).max(36_500).default(0),
  /** Below this much free disk no new run starts (what is stored stays intact). */
  minFreeBytes: z
    .number()
    .int()
    .nonnegative()
    .default(64 * 1024 * 1024),
  /** How many store.backup copies are kept in backups/ (the oldest go). */
  backupKeep: z.number().int().min(1).max(100).default(5),
  /** Where finished runs go (several at once, each with its own queue); see docs/operations.md. */
  uploadTargets: UploadTargetsSchema.default([]),
  uploadRetry: UploadRetrySchema.prefault({}),
  /** What a badge and a fixture label look like; every other scan is a unit serial. */
  scanRoutes: ScanRoutesSchema,
  /** Serial (USB-CDC) barcode scanners. Keyboard-wedge scanners need no setting. */
  scanners: z.array(SerialScannerSchema).default([]),
  /** The screens' language when no one (or someone without a language of their own) is logged in. */
  language: LanguageTagSchema.default('en'),
  /**
   * A folder of the plant's own catalogs (`<tag>.json`, e.g. `pt-BR.json`): new languages, or
   * a built-in one's wording changed; read when a screen asks, no rebuild. Empty: `languages/`
   * beside the database.
   */
  languagesDir: z.string().default(''),
  /** Operators log in with their badge before a run can start (off: the station opens straight onto testing). */
  requireBadgeLogin: z.boolean().default(false),
  /** A login at the station ends after this many minutes without a command from it. */
  sessionIdleMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** On 127.0.0.1 only: `/events` may be read without a token (commands always need one). */
  openEventsOnLoopback: z.boolean().default(false),
  /** Certificate and key (PEM files) for HTTPS/WSS; required to listen on any address but loopback. */
  tls: z
    .object({ cert: z.string().min(1), key: z.string().min(1) })
    .strict()
    .optional(),
  /** Statistics: shifts, reference serial pattern, SPC rules, yield alert (docs/statistics.md). */
  ...StatsSettingsShape,
});
export type Settings = z.infer<typeof SettingsSchema>;
export const defaultSettings = (): Settings => SettingsSchema.parse({});
