import { z } from 'zod';
import { PinSchema } from './auth.ts';
import { ProcedureFileSchema } from './procedure.ts';

/**
 * Every procedure version that ever loaded on the station, kept once per content hash
 * (store/migrations/0130-procedure-versions.ts), and the supervisor's read commands over
 * them: the list, and a comparison of any two versions file by file.
 */

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lower-case hex');
const ProcedureIdSchema = z.string().trim().min(1, 'a procedure id').max(128);

/** One version as the list shows it: newest first. */
export const ProcedureVersionItemSchema = z.object({
  /** The version string procedure.yaml gave (several hashes may share one: an edit without a bump). */
  version: z.string(),
  hash: Sha256Schema,
  /** When a socket of this station first loaded this content (ISO). */
  firstLoadedAt: z.string(),
  /** The file names the hash covers, sorted. */
  files: z.array(z.string()),
});
export type ProcedureVersionItem = z.infer<typeof ProcedureVersionItemSchema>;

/** One file between two versions; `diff` is a unified line diff of a text file that changed. */
export const ProcedureFileChangeSchema = z.object({
  name: z.string(),
  status: z.enum(['unchanged', 'added', 'removed', 'changed']),
  fromSha256: Sha256Schema.nullable(),
  toSha256: Sha256Schema.nullable(),
  /**
   * `--- a/name`, `+++ b/name`, then `@@` hunks with 3 lines of context; null when the file is
   * unchanged, or binary (an image: compared by sha256 only), or its text was not kept.
   */
  diff: z.string().nullable(),
});
export type ProcedureFileChange = z.infer<typeof ProcedureFileChangeSchema>;

export const ProcedureCommands = {
  /** The versions of a procedure this station has loaded, newest first. */
  'procedures.versions': {
    input: z.object({ procedureId: ProcedureIdSchema }).strict(),
    output: z.object({ procedureId: z.string(), versions: z.array(ProcedureVersionItemSchema) }),
  },
  /** What changed from one version to another, per file (names sorted). */
  'procedures.compare': {
    input: z.object({ procedureId: ProcedureIdSchema, fromHash: Sha256Schema, toHash: Sha256Schema }).strict(),
    output: z.object({
      procedureId: z.string(),
      from: ProcedureVersionItemSchema,
      to: ProcedureVersionItemSchema,
      files: z.array(ProcedureFileChangeSchema),
    }),
  },
} as const;

/**
 * A field of procedure.yaml as the editor names it. Phases, measurements, prompts and params are
 * addressed by their name (a string), instances by their index (a number), so a path stays right
 * when the list is reordered: `['phases', 'rail_3v3', 'measurements', 'v_3v3', 'upper']`,
 * `['phases', 'rail_3v3', 'instances', 0, 'measurements', 'v_3v3', 'lower']`, `['serialPattern']`,
 * `['prompts', 'led', 'message']`, `['phases', 'burn_in', 'params', 'minutes']`,
 * `['phases', 'rail_3v3', 'retry', 'count']`. In an error, `details.field` is this path.
 */
export const FieldPathSchema = z
  .array(z.union([z.string().min(1).max(128), z.number().int().nonnegative()]))
  .min(1)
  .max(10);
export type FieldPath = z.infer<typeof FieldPathSchema>;

const JsonValueSchema: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(JsonValueSchema), z.record(z.string(), JsonValueSchema)]),
);

/** One edit: the field and its new value; `null` removes the field (an upper limit no longer given). */
export const FieldChangeSchema = z.object({ path: FieldPathSchema, value: JsonValueSchema }).strict();
export type FieldChange = z.infer<typeof FieldChangeSchema>;

/**
 * What a supervisor may change in the app, per place; everything else (ids, names, code, the
 * phases' order, instruments) is the test engineer's, in the files. A measurement's limits
 * (lower/upper, inclusive or not, marginal band, equals with tolerance, regex, one-of) and units;
 * a phase's enabled, timeout, retry, params; prompt texts; serial pattern and example; stop-on-failure.
 */
export const EDITABLE_FIELDS = {
  procedure: ['serialPattern', 'serialExample', 'stopOnFailure'],
  phase: ['title', 'enabled', 'timeoutMs', 'onFailure', 'retry', 'params'],
  retry: ['count', 'delayMs', 'on'],
  measurement: [
    'units',
    'description',
    'lower',
    'upper',
    'lowerInclusive',
    'upperInclusive',
    'marginalLower',
    'marginalUpper',
    'equals',
    'tolerance',
    'tolerancePercent',
    'tolerancePpm',
    'caseSensitive',
    'regex',
    'oneOf',
    'failureCode',
  ],
  instance: ['title', 'params', 'measurements'],
  prompt: ['message', 'image', 'pattern', 'minLength', 'maxLength', 'min', 'max', 'units', 'options', 'timeoutMs'],
} as const;

/** One field that differs between two versions of procedure.yaml. `from`/`to` absent: not given. */
export const FieldDiffSchema = z.object({
  path: FieldPathSchema,
  from: z.unknown().optional(),
  to: z.unknown().optional(),
  /** The change in words: "rail_3v3 · v_3v3 upper 3.40 V → 3.45 V". */
  words: z.string(),
});
export type FieldDiff = z.infer<typeof FieldDiffSchema>;

/** A load error of one procedure folder: the file, line and field where the loader found it. */
export const ProcedureLoadErrorSchema = z.object({
  message: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
  field: z.string().optional(),
});

export const ProcedureListItemSchema = z.object({
  /** The folder's id; the folder name when procedure.yaml cannot be read for one. */
  id: z.string(),
  name: z.string().nullable(),
  version: z.string().nullable(),
  /** The content hash a load would record now; null when the folder cannot be read. */
  hash: z.string().nullable(),
  dir: z.string(),
  /** Sockets (0-based) assigned this procedure. */
  sockets: z.array(z.number().int().nonnegative()),
  error: ProcedureLoadErrorSchema.nullable(),
  /** Drafts waiting for approval. */
  pendingDrafts: z.number().int().nonnegative(),
});
export type ProcedureListItem = z.infer<typeof ProcedureListItemSchema>;

export const DraftStateSchema = z.enum(['pending', 'approved', 'rejected', 'superseded']);
export type DraftState = z.infer<typeof DraftStateSchema>;

/** A change waiting for (or done with) a second supervisor's approval (settings.procedureChangesNeedApproval). */
export const ProcedureDraftSchema = z.object({
  id: z.string(),
  procedureId: z.string(),
  /** edit: procedures.propose; rollback: procedures.rollback; outside: procedure.yaml or code edited on disk. */
  kind: z.enum(['edit', 'rollback', 'outside']),
  state: DraftStateSchema,
  /** A supervisor's badge; `outside` for a change found on disk. */
  author: z.string(),
  reason: z.string(),
  /** The version and hash the change was made against. */
  baseHash: z.string(),
  baseVersion: z.string(),
  /** The version and hash the change makes (an outside change: what is on disk). */
  version: z.string(),
  hash: z.string().nullable(),
  diff: z.array(FieldDiffSchema),
  createdAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionReason: z.string().nullable(),
});
export type ProcedureDraft = z.infer<typeof ProcedureDraftSchema>;

/** What propose and rollback did: applied (written, loading between runs) or a draft waiting for approval. */
export const ProcedureChangeResultSchema = z.object({
  procedureId: z.string(),
  state: z.enum(['applied', 'draft']),
  draftId: z.string().nullable(),
  /** The version the change makes (1.2.3 → 1.2.4). */
  version: z.string(),
  /** Hash of the written folder; null while a draft. */
  hash: z.string().nullable(),
  diff: z.array(FieldDiffSchema),
});
export type ProcedureChangeResult = z.infer<typeof ProcedureChangeResultSchema>;

const ReasonSchema = z.string().trim().min(3, 'say why (a few words)').max(500);
const DraftIdSchema = z.string().trim().min(1).max(64);

export const ProcedureEditCommands = {
  /** Every procedure in the sequence folder, which sockets run it, and any load error. */
  'procedures.list': {
    input: z.object({}).strict(),
    output: z.object({
      folder: z.string(),
      procedures: z.array(ProcedureListItemSchema),
      /** Per socket: the procedure assigned, and what its runner has loaded (null: nothing loaded). */
      sockets: z.array(
        z.object({ socket: z.number().int().nonnegative(), procedureId: z.string(), loadedHash: z.string().nullable(), loadedVersion: z.string().nullable() }),
      ),
      approvalRequired: z.boolean(),
    }),
  },
  /** Run this procedure on this socket from its next run on (persisted in settings.socketProcedures). */
  'procedures.assign': {
    input: z.object({ socket: z.number().int().nonnegative(), procedureId: ProcedureIdSchema }).strict(),
    output: z.object({ socket: z.number().int(), procedureId: z.string() }),
  },
  /** The editable model: procedure.yaml as it is on disk (parsed, defaults filled in), with its hash. */
  'procedures.get': {
    input: z.object({ procedureId: ProcedureIdSchema }).strict(),
    output: z.object({
      procedureId: z.string(),
      dir: z.string(),
      version: z.string(),
      /** Pass back as baseHash: a change made against another hash is refused. */
      hash: z.string(),
      file: ProcedureFileSchema,
      /** The file's text, comments and all. */
      text: z.string(),
      /** Image files in the folder (sorted): what a prompt's `image` may name. */
      images: z.array(z.string()),
    }),
  },
  /** Field edits with a reason; applied at once, or a draft when approval is on. Version bumped (patch). */
  'procedures.propose': {
    input: z
      .object({ procedureId: ProcedureIdSchema, baseHash: Sha256Schema, changes: z.array(FieldChangeSchema).min(1).max(500), reason: ReasonSchema })
      .strict(),
    output: ProcedureChangeResultSchema,
  },
  /**
   * What `procedures.propose` would do, without writing or recording anything: the same checks (a
   * refused field named in `details.field`), the version it would make and the change in words.
   */
  'procedures.preview': {
    input: z.object({ procedureId: ProcedureIdSchema, baseHash: Sha256Schema, changes: z.array(FieldChangeSchema).min(1).max(500) }).strict(),
    output: z.object({ procedureId: z.string(), version: z.string(), diff: z.array(FieldDiffSchema) }),
  },
  /** Drafts (newest first), of one procedure or all. */
  'procedures.drafts': {
    input: z.object({ procedureId: ProcedureIdSchema.optional() }).strict(),
    output: z.object({ drafts: z.array(ProcedureDraftSchema) }),
  },
  /** A second supervisor (never the author) approves with badge and PIN: the draft is written and loads between runs. */
  'procedures.approve': {
    input: z.object({ draftId: DraftIdSchema, supervisorId: z.string().trim().min(1, 'scan the supervisor badge').max(64), pin: PinSchema }).strict(),
    output: z.object({ draftId: z.string(), procedureId: z.string(), version: z.string(), hash: z.string() }),
  },
  'procedures.reject': {
    input: z.object({ draftId: DraftIdSchema, reason: ReasonSchema }).strict(),
    output: z.object({ draftId: z.string(), procedureId: z.string() }),
  },
  /** Writes a kept version's procedure.yaml back as a new change (refused if its code files differ). */
  'procedures.rollback': {
    input: z.object({ procedureId: ProcedureIdSchema, toHash: Sha256Schema, reason: ReasonSchema }).strict(),
    output: ProcedureChangeResultSchema,
  },
} as const;
