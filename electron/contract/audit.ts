import { z } from 'zod';

/**
 * The audit trail: every change and privileged act, append-only, each entry chained to the one
 * before by its hash (docs/formats.md, "Audit trail"). `passline audit verify` and `audit.verify`
 * recompute the chain.
 */

/** One change inside an entry: a JSON path, what it was and what it became. */
export const AuditDiffSchema = z.object({ path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() });
export type AuditDiff = z.infer<typeof AuditDiffSchema>;

export const AuditEntrySchema = z.object({
  /** 1, 2, 3… in the order written; a gap is an entry lost (salvage records it). */
  seq: z.number().int().positive(),
  at: z.string(),
  /** Who: a badge, `token:<id>`, `os:<user>` or `station`. */
  actor: z.string(),
  /** `domain.pastTense`-like names: `session.loggedIn`, `upload.dropped`, `procedure.changed`… */
  action: z.string(),
  procedureId: z.string().nullable(),
  /** The entry's own content; `diff` (AuditDiff[]) where something changed. */
  details: z.unknown(),
  /** Hash of the entry before (64 zeros for the first). */
  prevHash: z.string(),
  /** sha256 over prevHash and this entry's content. */
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditFilterSchema = z
  .object({
    /** Exactly this actor. */
    actor: z.string().max(128).optional(),
    /** An action, or a prefix ending in `.` (`upload.` finds every upload action). */
    action: z.string().max(128).optional(),
    procedureId: z.string().max(128).optional(),
    /** ISO times: from inclusive, to exclusive. */
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

export const AuditVerifySchema = z.object({
  ok: z.boolean(),
  /** Entries checked. */
  entries: z.number().int().nonnegative(),
  /** The first entry that does not match, and why; null when intact. */
  firstBad: z.object({ seq: z.number().int(), reason: z.string() }).nullable(),
  /** Entries known lost (salvage of a damaged database): listed, not a break. */
  gaps: z.array(z.object({ afterSeq: z.number().int(), count: z.number().int() })).default([]),
});
export type AuditVerify = z.infer<typeof AuditVerifySchema>;

export const AuditCommands = {
  /** Newest first; page with `before` (a seq). */
  'audit.list': {
    input: AuditFilterSchema.extend({
      before: z.number().int().positive().optional(),
      limit: z.number().int().min(1).max(1000).default(100),
    }).strict(),
    output: z.object({ entries: z.array(AuditEntrySchema) }),
  },
  'audit.export': {
    input: AuditFilterSchema.extend({ format: z.enum(['csv', 'json']) }).strict(),
    output: z.object({ fileName: z.string(), mediaType: z.string(), content: z.string(), count: z.number().int() }),
  },
  'audit.verify': { input: z.object({}).strict(), output: AuditVerifySchema },
} as const;
