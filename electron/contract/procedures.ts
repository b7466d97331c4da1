import { z } from 'zod';

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
