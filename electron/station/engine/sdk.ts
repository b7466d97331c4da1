/**
 * What a test engineer's phase code sees. Sequences import these types only
 * (`import type`), so a procedure folder needs nothing at run time.
 */
import type { Attachment, MeasurementOutcome, MeasurementValue, Unit } from '#contract/records.ts';
import type { PromptAnswer, PromptSpec } from '#contract/prompts.ts';
import type { Instrument } from '#station/instruments/drivers.ts';
import type { CustomValidator } from './validators.ts';

export type { Dmm, PowerSupply, Instrument, ScpiInstrument } from '#station/instruments/drivers.ts';
export type { CustomValidator } from './validators.ts';
export type { PromptSpec } from '#contract/prompts.ts';

export interface PhaseLog {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/** A time series being collected: each point is one row, one number per declared dimension. */
export interface Series {
  add(...point: number[]): void;
  readonly length: number;
}

export interface PhaseContext<I extends Record<string, Instrument> = Record<string, Instrument>> {
  /** Aborted on operator abort or phase timeout: pass it to every wait. */
  readonly signal: AbortSignal;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly unit: Readonly<Unit>;
  /** `name` is the instance name (`rail_voltage[rail=3V3]`) for parameterised phases. */
  readonly phase: { readonly name: string; readonly attempt: number };
  readonly instruments: I;
  /** Records a value against the limits the procedure file declares for `name`. */
  measure(name: string, value: MeasurementValue, opts?: { units?: string }): MeasurementOutcome;
  /** Collects points for a multi-dimensional measurement; recorded and validated when the phase ends. */
  series(name: string): Series;
  readonly log: PhaseLog;
  /** Asks the operator and waits (rejects on abort or the prompt's timeout). A string names a prompt in procedure.yaml. */
  prompt(p: (PromptSpec & { kind: 'confirm' | 'yes-no' | 'pass-fail' }) | string): Promise<boolean>;
  prompt(p: PromptSpec & { kind: 'text' | 'choice' }): Promise<string>;
  prompt(p: PromptSpec & { kind: 'number' }): Promise<number>;
  prompt(p: PromptSpec & { kind: 'multi-choice' }): Promise<string[]>;
  prompt(p: PromptSpec | string): Promise<PromptAnswer>;
  /**
   * Attaches a file to the phase (a string, bytes, or { path } of a file to copy), stored
   * by content hash. Over the size limit it is refused with a logged reason and returns
   * null; the phase goes on.
   */
  attach(name: string, data: string | Uint8Array | { path: string }, mediaType?: string): Attachment | null;
  /** A non-blocking line for the operator, and/or progress (0..1) of a long phase. */
  progress(progress: number | null, message?: string): void;
  /** An abortable delay. */
  sleep(ms: number): Promise<void>;
}

/** A phase may return an explicit verdict; otherwise its measurements decide. */
export type PhaseReturn = void | 'PASS' | 'FAIL' | 'SKIP';
export type PhaseFn<I extends Record<string, Instrument> = Record<string, Instrument>> = (ctx: PhaseContext<I>) => PhaseReturn | Promise<PhaseReturn>;

/** A long-running phase (procedure.yaml `soak:`): `every` may return 'STOP' as a kill switch. */
export interface SoakPhase<I extends Record<string, Instrument> = Record<string, Instrument>> {
  start?(ctx: PhaseContext<I>): void | Promise<void>;
  every(ctx: PhaseContext<I>, tick: number): void | 'STOP' | Promise<void | 'STOP'>;
  end?(ctx: PhaseContext<I>): void | Promise<void>;
}

export type PhaseExport = PhaseFn | SoakPhase;
export type Validators = Record<string, CustomValidator>;
