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

export const StationErrorSchema = z.object({
  kind: ErrorKindSchema,
  message: z.string(),
  details: z.unknown().optional(),
});
export type StationError = z.infer<typeof StationErrorSchema>;

/** Thrown inside the station; converted to a StationError at every boundary. */
export class StationFault extends Error {
  readonly kind: ErrorKind;
  readonly details: unknown;
  constructor(kind: ErrorKind, message: string, details?: unknown) {
    super(message);
    this.name = 'StationFault';
    this.kind = kind;
    this.details = details;
  }
  toJSON(): StationError {
    return this.details === undefined ? { kind: this.kind, message: this.message } : { kind: this.kind, message: this.message, details: this.details };
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
