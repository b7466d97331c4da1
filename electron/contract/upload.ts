import { z } from 'zod';
import { RunOutcomeSchema } from './records.ts';

/**
 * Upload targets (settings), the queue's state (snapshot, events) and the
 * supervisor's commands on parked runs. One file so settings, events and
 * commands import the same shapes.
 */

const TargetIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a target id is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit');

const targetBase = {
  /** Names the target in the queue (outbox rows), events and audit entries: keep it stable. */
  id: TargetIdSchema,
  /** A disabled target queues no new runs; runs already waiting for it stay queued. */
  enabled: z.boolean().default(true),
  /** Whole request (connect, send, answer, body) must finish within this. */
  timeoutMs: z.number().int().min(50).max(600_000).default(30_000),
  /** Deliveries in flight at once for this target. */
  concurrency: z.number().int().min(1).max(32).default(4),
};

const httpUrl = (what: string) =>
  z
    .string()
    .min(1, `${what} is required`)
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), { message: `${what} must be an http:// or https:// URL` });

/** PEM file with the certificate authority (or authorities) the server's certificate chains to. */
const caFile = z.string().min(1).optional();

export const HttpTargetSchema = z
  .object({
    ...targetBase,
    kind: z.literal('http'),
    /** Receives each run record (native JSON) by POST, with `Idempotency-Key: <run id>`. */
    url: httpUrl('url'),
    /** Sent as `Authorization: Bearer <token>`. */
    token: z.string().min(1).optional(),
    caFile,
    /** Extra request headers (a tenant id, say); those named like SECRET_HEADER are kept as secrets. */
    headers: z.record(z.string().min(1), z.string()).default({}),
  })
  .strict();

export const TofuPilotTargetSchema = z
  .object({
    ...targetBase,
    kind: z.literal('tofupilot'),
    /** API base; self-hosted instances use https://<host>/api. */
    url: httpUrl('url').default('https://www.tofupilot.app/api'),
    /** A TofuPilot API key, sent as `Authorization: Bearer <key>`. */
    apiKey: z.string().min(1, 'apiKey is required'),
    /** Passline procedure id → TofuPilot procedure id (TofuPilot requires an existing procedure). */
    procedureIds: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** Used for a procedure missing from procedureIds. */
    defaultProcedureId: z.string().min(1).optional(),
    /** Part number sent for a run whose procedure and scan give none (TofuPilot requires one). */
    partNumber: z.string().min(1).optional(),
    caFile,
  })
  .strict();

export const FolderFormatSchema = z.enum(['native', 'ocp', 'openhtf']);
export type FolderFormat = z.infer<typeof FolderFormatSchema>;

export const FolderTargetSchema = z
  .object({
    ...targetBase,
    kind: z.literal('folder'),
    /** An existing folder (often a network share an MES watches); it is never created, so an unmounted share is noticed. */
    path: z.string().min(1, 'path is required'),
    format: FolderFormatSchema.default('native'),
  })
  .strict();

export const PostgresTargetSchema = z
  .object({
    ...targetBase,
    kind: z.literal('postgres'),
    /** postgres://user:password@host:port/database (or a socket directory as host=...). */
    connectionString: z
      .string()
      .min(1, 'connectionString is required')
      .refine((s) => /^postgres(ql)?:\/\//.test(s), { message: 'connectionString must start with postgres:// or postgresql://' }),
    /** Schema holding the tables; created on first use. */
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'schema must be a lower-case SQL identifier (letters, digits, _)')
      .default('passline'),
    /** Runs written per statement (one transaction, one commit): fewer round trips and flushes on a backlog. */
    batchSize: z.number().int().min(1).max(500).default(25),
    caFile,
  })
  .strict();

export const UploadTargetSchema = z.discriminatedUnion('kind', [HttpTargetSchema, TofuPilotTargetSchema, FolderTargetSchema, PostgresTargetSchema]);
export type UploadTarget = z.infer<typeof UploadTargetSchema>;
export type UploadTargetKind = UploadTarget['kind'];

export const UploadTargetsSchema = z.array(UploadTargetSchema).superRefine((targets, ctx) => {
  const seen = new Set<string>();
  targets.forEach((t, i) => {
    if (seen.has(t.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `target id "${t.id}" is used twice: each target needs its own id` });
    seen.add(t.id);
  });
});

/** Retry timing for every target: exponential from firstDelayMs, capped at maxDelayMs, ± jitter. */
export const UploadRetrySchema = z
  .object({
    firstDelayMs: z.number().int().min(1).max(86_400_000).default(15_000),
    maxDelayMs: z.number().int().min(1).max(86_400_000).default(3_600_000),
    /** Fraction of the delay added or taken at random, so stations do not retry in step. */
    jitter: z.number().min(0).max(1).default(0.2),
  })
  .strict()
  .refine((r) => r.maxDelayMs >= r.firstDelayMs, { message: 'maxDelayMs must be at least firstDelayMs', path: ['maxDelayMs'] });
export type UploadRetry = z.infer<typeof UploadRetrySchema>;

export const TargetStateSchema = z.enum([
  /** Nothing waiting. */
  'idle',
  /** Delivering. */
  'sending',
  /** The last attempt failed; the next one is at nextAttemptAt. */
  'retrying',
  /** Switched off in settings. */
  'disabled',
  /** Runs wait for a target that is no longer in settings: retry after re-adding it, or drop them. */
  'removed',
]);
export type TargetState = z.infer<typeof TargetStateSchema>;

export const TargetStatusSchema = z.object({
  id: z.string(),
  kind: z.union([z.enum(['http', 'tofupilot', 'folder', 'postgres']), z.literal('unknown')]),
  /** Where it goes, without secrets (host and path, folder, database). */
  label: z.string(),
  state: TargetStateSchema,
  /** null until the first attempt of this boot. */
  reachable: z.boolean().nullable(),
  waiting: z.number().int().nonnegative(),
  parked: z.number().int().nonnegative(),
  delivered: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  lastDeliveredAt: z.string().nullable(),
});
export type TargetStatus = z.infer<typeof TargetStatusSchema>;

export const UploadStatusSchema = z.object({
  /** null when no target is configured; false when any enabled target cannot be reached. */
  online: z.boolean().nullable(),
  /** Distinct runs still to be delivered to at least one target. */
  waitingRuns: z.number().int().nonnegative(),
  /** Distinct runs parked at at least one target. */
  parkedRuns: z.number().int().nonnegative(),
  targets: z.array(TargetStatusSchema),
});
export type UploadStatus = z.infer<typeof UploadStatusSchema>;

export const emptyUploadStatus = (): UploadStatus => ({ online: null, waitingRuns: 0, parkedRuns: 0, targets: [] });

export const ParkedRunSchema = z.object({
  target: z.string(),
  runId: z.string(),
  serialNumber: z.string(),
  procedureId: z.string(),
  startedAt: z.string(),
  outcome: z.union([RunOutcomeSchema, z.literal('RUNNING')]),
  attempts: z.number().int().nonnegative(),
  /** The target's reason, as it answered. */
  reason: z.string(),
  parkedAt: z.string(),
});
export type ParkedRun = z.infer<typeof ParkedRunSchema>;

/** Where one run stands with one target (the run page's Uploads). */
export const RunUploadStateSchema = z.enum([
  /** Waiting for an attempt: the first, or the next after a failure (attempts > 0, lastError, nextAttemptAt). */
  'queued',
  /** A delivery is in flight now. */
  'sending',
  /** The target has the run. */
  'delivered',
  /** The target refused it (lastError is its reason): it waits for a supervisor's retry or drop. */
  'parked',
  /** A supervisor gave it up (lastError says who and why); the run stays in the history. */
  'dropped',
  /** Never queued for this target (note says why): added or enabled after the run ended, an imported run, a run still running. */
  'not-queued',
]);
export type RunUploadState = z.infer<typeof RunUploadStateSchema>;

export const RunUploadSchema = z.object({
  /** The target's id in settings (and in the queue, events and audit log). */
  target: z.string(),
  kind: TargetStatusSchema.shape.kind,
  /** Where it goes, without secrets. */
  label: z.string(),
  /** The target in settings now: a disabled one sends nothing, a removed one has only rows left from before. */
  targetState: z.enum(['enabled', 'disabled', 'removed']),
  state: RunUploadStateSchema,
  attempts: z.number().int().nonnegative(),
  /** The last failure while queued; the target's reason when parked; who dropped it and why. */
  lastError: z.string().nullable(),
  /** When the run was queued for this target (its end, or a recovery after a crash). */
  queuedAt: z.string().nullable(),
  /** Queued only: the next attempt (the run's own backoff or the whole target's pause, the later); null when due now or never (target off). */
  nextAttemptAt: z.string().nullable(),
  /** When the row last changed: the last attempt, the delivery, the parking, a retry or drop. */
  updatedAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  /** The target's own id for the run, where it answers one (TofuPilot's run id). */
  remoteRef: z.string().nullable(),
  /** Why a not-queued run is not queued. */
  note: z.string().nullable(),
});
export type RunUpload = z.infer<typeof RunUploadSchema>;

export const ExportFormatSchema = z.enum(['native', 'ocp', 'openhtf']);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;

/** Commands of the uploader and the exchange formats; spread into the Commands map. */
export const UploadCommands = {
  'upload.status': { input: z.object({}).strict(), output: UploadStatusSchema },
  'upload.listParked': {
    input: z.object({ target: z.string().optional(), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    output: z.object({ runs: z.array(ParkedRunSchema) }),
  },
  /** One run's state at each target: every target in settings, then rows for targets since removed. */
  'upload.forRun': {
    input: z.object({ runId: z.string().trim().min(1, 'give the id of a run') }).strict(),
    output: z.object({ runId: z.string(), uploads: z.array(RunUploadSchema) }),
  },
  'upload.retry': {
    input: z
      .object({
        target: z.string().optional(),
        /** Parked runs to send again; all parked runs (of the target) when left out. */
        runIds: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict(),
    output: z.object({ count: z.number().int() }),
  },
  'upload.drop': {
    input: z
      .object({
        target: z.string().optional(),
        runIds: z.array(z.string().min(1)).min(1, 'name the runs to drop'),
        reason: z.string().max(500).optional(),
      })
      .strict(),
    output: z.object({ count: z.number().int() }),
  },
  'runs.export': {
    input: z
      .object({
        format: ExportFormatSchema,
        /** One run; or a range by start time (from inclusive, to exclusive). */
        runId: z.string().min(1).optional(),
        from: z.string().optional(),
        to: z.string().optional(),
        limit: z.number().int().min(1).max(10_000).default(1000),
        /** The attachments' bytes in the file (native attachmentData, OpenHTF inline data); false names them as left out. */
        attachments: z.boolean().default(true),
      })
      .strict()
      .refine((i) => i.runId !== undefined || i.from !== undefined || i.to !== undefined, { message: 'runId, or a range with from and/or to, is required' })
      .refine((i) => i.format === 'native' || i.runId !== undefined, { message: 'ocp and openhtf export one run at a time: give runId', path: ['runId'] }),
    output: z.object({
      fileName: z.string(),
      mediaType: z.string(),
      content: z.string(),
      count: z.number().int(),
      /** Runs of the range left out because their rows are damaged, each with why. */
      skipped: z.array(z.object({ runId: z.string(), message: z.string() })).optional(),
      /** Attachments whose bytes could not be put in the file, each named with why (the file names them too). */
      warnings: z.array(z.string()).optional(),
    }),
  },
  'runs.import': {
    input: z
      .object({
        format: z.enum(['native', 'openhtf']),
        /** The file's text: a run record, an array of them, JSON lines of them, or one OpenHTF record. */
        content: z
          .string()
          .min(1, 'content is empty')
          .max(64 * 1024 * 1024),
      })
      .strict(),
    output: z.object({
      imported: z.array(z.string()),
      skipped: z.array(z.string()),
      /** Attachments refused (bytes that do not match their hash) or listed without bytes in the file or on this station, each named. */
      warnings: z.array(z.string()).optional(),
    }),
  },
} as const;

/** Events of the queue (`upload.*`); spread into EventDataSchemas. runId is in the envelope. */
export const UploadEventSchemas = {
  /** The queue's state changed (counts, reachability, next attempt); coalesced to a few per second. */
  'upload.queueChanged': UploadStatusSchema,
  'upload.delivered': z.object({ target: z.string(), attempts: z.number().int().positive() }),
  'upload.failed': z.object({ target: z.string(), attempts: z.number().int().positive(), error: z.string(), nextAttemptAt: z.string() }),
  'upload.parked': z.object({ target: z.string(), attempts: z.number().int().positive(), reason: z.string() }),
  'upload.retried': z.object({ by: z.string(), target: z.string().nullable(), runIds: z.array(z.string()) }),
  'upload.dropped': z.object({ by: z.string(), target: z.string().nullable(), runIds: z.array(z.string()), reason: z.string().nullable() }),
} as const;

/** Header names that carry credentials (Authorization, X-Api-Key, a cookie): masked on screen, fingerprinted in the trail. */
export const SECRET_HEADER = /authorization|cookie|token|secret|api[-_]?key|password|auth/i;
