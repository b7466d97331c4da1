import { z } from 'zod';

/** Closed set of error kinds; the UI routes each to a dedicated state. */
export const ErrorKindSchema = z.enum([
  'invalid-input',
  'not-found',
  'busy',
  'serial.invalid',
  'sequence.invalid',
  'run.not-running',
  'prompt.unknown',
  'instrument.timeout',
  'instrument.disconnected',
  'phase.timeout',
  'db.corrupted',
  'db.newer-version',
  'disk.full',
  'engine.unavailable',
  /** An instrument of the run is past its calibration due date: a supervisor may override. */
  'calibration.overdue',
  /** The unit already passed: the operator confirms a retest. */
  'retest.already-passed',
  /** The unit failed the procedure's limit of attempts: a supervisor approves another. */
  'retest.limit-reached',
  /** An override named someone who is not a supervisor, or the PIN was wrong. */
  'supervisor.invalid',
  /** The caller's session (or token) lacks the right: the message names the role or scope needed. */
  'forbidden',
  /** A login was refused: unknown or disabled badge, wrong or missing PIN, badge locked for a while. */
  'login.failed',
  'internal',
]);
export type ErrorKind = z.infer<typeof ErrorKindSchema>;

/** A value a message key takes ({{name}} in the catalogs): data, never words to translate. */
export const MessageParamSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type MessageParam = z.infer<typeof MessageParamSchema>;

export const StationErrorSchema = z.object({
  kind: ErrorKindSchema,
  /** In English, for the CLI, API clients and logs. */
  message: z.string(),
  details: z.unknown().optional(),
  /** The message's catalog key (`station.serialInvalid`) and its parameters: the screens show it in their language. */
  key: z.string().optional(),
  params: z.record(z.string(), MessageParamSchema).optional(),
});
export type StationError = z.infer<typeof StationErrorSchema>;

/** Thrown inside the station; converted to a StationError at every boundary. */
export class StationFault extends Error {
  readonly kind: ErrorKind;
  readonly details: unknown;
  /** Set by `fault()` (contract/messages.ts): the message as a catalog key with parameters. */
  key: string | undefined;
  params: Record<string, MessageParam> | undefined;
  constructor(kind: ErrorKind, message: string, details?: unknown) {
    super(message);
    this.name = 'StationFault';
    this.kind = kind;
    this.details = details;
  }
  toJSON(): StationError {
    return {
      kind: this.kind,
      message: this.message,
      ...(this.details !== undefined ? { details: this.details } : {}),
      ...(this.key !== undefined ? { key: this.key, params: this.params ?? {} } : {}),
    };
  }
}

export function toStationError(err: unknown): StationError {
  if (err instanceof StationFault) return err.toJSON();
  if (err instanceof z.ZodError) {
    return { kind: 'invalid-input', message: formatZodError(err), details: err.issues };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'internal', message };
}

/** "field.path: message; other: message" — names the field that was wrong. */
export function formatZodError(err: z.ZodError): string {
  return err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: StationError };
