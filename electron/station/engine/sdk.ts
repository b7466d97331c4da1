/**
 * What a test engineer's phase code sees. Sequences import these types only
 * (`import type`), so a procedure folder needs nothing at run time.
 */
import type { MeasurementOutcome, MeasurementValue, Unit } from '#contract/records.ts';
import type { PromptAnswer, PromptKind } from '#contract/prompts.ts';
import type { Instrument } from '#station/instruments/drivers.ts';

export type { Dmm, PowerSupply, Instrument } from '#station/instruments/drivers.ts';

export interface PromptOptions {
  kind?: PromptKind;
  message: string;
  /** For text prompts: a regular expression the answer must match. */
  pattern?: string;
}

export interface PhaseLog {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export interface PhaseContext<I extends Record<string, Instrument> = Record<string, Instrument>> {
  /** Aborted on operator abort or phase timeout: pass it to every wait. */
  readonly signal: AbortSignal;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly unit: Readonly<Unit>;
  readonly phase: { readonly name: string; readonly attempt: number };
  readonly instruments: I;
  /** Records a value against the limits the procedure file declares for `name`. */
  measure(name: string, value: MeasurementValue, opts?: { units?: string }): MeasurementOutcome;
  readonly log: PhaseLog;
  /** Asks the operator and waits for the answer (rejects on abort). */
  prompt(opts: PromptOptions): Promise<PromptAnswer>;
  /** An abortable delay. */
  sleep(ms: number): Promise<void>;
}

/** A phase may return an explicit verdict; otherwise its measurements decide. */
export type PhaseReturn = void | 'PASS' | 'FAIL' | 'SKIP';
export type PhaseFn<I extends Record<string, Instrument> = Record<string, Instrument>> = (ctx: PhaseContext<I>) => PhaseReturn | Promise<PhaseReturn>;
