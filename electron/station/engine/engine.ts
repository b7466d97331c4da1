import { message } from '#contract/messages.ts';
import { defaultText, languagesOf, translationsOf } from '#contract/localized-text.ts';
import { readFileSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  Attachment,
  LogEntry,
  LogLevel,
  Measurement,
  MeasurementValue,
  PhaseError,
  PhaseOutcome,
  PhaseRecord,
  RunOutcome,
  Unit,
} from '#contract/records.ts';
import type { ProcedureFile } from '#contract/procedure.ts';
import { PromptSpecSchema, type Prompt, type PromptAnswer, type PromptSpec } from '#contract/prompts.ts';
import type { Instrument } from '#station/instruments/drivers.ts';
import type { PhaseContext, PhaseExport, PhaseFn, Series, SoakPhase } from './sdk.ts';
import { validate, type CustomValidator } from './validators.ts';
import { MeasurementSchema } from '#contract/records.ts';
import { isPlainMeasurement } from '#contract/measurement-check.ts';
import { formatZodError } from '#contract/errors.ts';
import type { PlannedPhase } from './plan.ts';

/** What the engine reports; the runner forwards these to the station as events. */
export type EngineEmit =
  | { kind: 'run.phaseStarted'; data: { index: number; name: string; attempt: number; timeoutMs: number; startedAt: string } }
  | { kind: 'run.measured'; data: { index: number; phase: string; measurement: Measurement } }
  | { kind: 'run.logged'; data: { index: number | null; phase: string | null; log: LogEntry } }
  | { kind: 'run.progressed'; data: { index: number; phase: string; progress?: number; message?: string } }
  | { kind: 'run.attached'; data: { index: number; phase: string; attachment: Attachment } }
  | { kind: 'run.phaseEnded'; data: { phase: PhaseRecord } }
  | { kind: 'prompt.opened'; data: { prompt: Prompt } }
  | { kind: 'prompt.closed'; data: { promptId: string; reason: 'timeout' | 'phase-ended' } };

export interface RunInput {
  runId: string;
  unit: Unit;
  procedure: ProcedureFile;
  /** Folder of the procedure, for prompt images. */
  procedureDir?: string;
  plan: readonly PlannedPhase[];
  phases: Readonly<Record<string, PhaseExport>>;
  validators?: Readonly<Record<string, CustomValidator>>;
  instruments: Readonly<Record<string, Instrument>>;
  emit: (e: EngineEmit) => void;
  /** Resolves a prompt; the runner wires this to the station's prompt.answer. */
  askOperator: (prompt: Prompt, signal: AbortSignal) => Promise<PromptAnswer>;
  /** Aborted when the operator aborts the run. */
  signal: AbortSignal;
  /** Time allowed for teardown phases after an abort. */
  teardownAfterAbortMs?: number;
  /** Stores an attachment's bytes by content hash; absent where attachments are not kept. */
  storeAttachment?: (bytes: Uint8Array) => { sha256: string; size: number };
  attachmentLimits?: { maxBytes: number; runMaxBytes: number };
  /**
   * Only these teardown phases (plan indices), for a run whose runner was killed: `prior`
   * are the phases that ended before, for runIf; `aborted` gives them the abort's leash.
   */
  teardownOnly?: {
    indices: readonly number[];
    aborted: boolean;
    prior: readonly { index: number; outcome: PhaseOutcome; measurements: readonly Measurement[] }[];
  };
}

export interface RunResult {
  outcome: RunOutcome;
  outcomeReason?: string;
  /** Every attempt of every phase, in order. */
  phases: PhaseRecord[];
}

/** Log lines kept per phase record; a soak that logs every tick stays flat in memory. */
export const MAX_LOGS_PER_PHASE = 1000;
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

class TimeoutReason extends Error {
  constructor(ms: number) {
    super(message('phaseTimedOut', { ms }));
    this.name = 'TimeoutError';
  }
}

class PromptTimeout extends Error {
  constructor(ms: number) {
    super(`the operator did not answer within ${Math.round(ms / 100) / 10} s`);
    this.name = 'PromptTimeout';
  }
}

/** Times have millisecond resolution: the phases of one millisecond share one string. */
let lastMs = -1;
let lastIso = '';
const now = (): string => {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
};

/**
 * One timer for a run's phase deadlines (phases run one at a time). Phases start and end by
 * the thousand a second: a timer made and cleared for each cost more than a trivial phase.
 * Arming moves the deadline and touches the timer only when it would fire too late; a timer
 * that fires early waits for the rest.
 */
class Deadline {
  private timer: NodeJS.Timeout | null = null;
  private firesAt = 0;
  private armed: { at: number; fire: () => void } | null = null;

  /** `fire` runs once `ms` have passed, unless the returned function is called first. */
  arm(ms: number, fire: () => void): () => void {
    const entry = { at: performance.now() + ms, fire };
    this.armed = entry;
    if (!this.timer || this.firesAt > entry.at) this.schedule(entry.at);
    else this.timer.ref();
    return () => {
      if (this.armed !== entry) return;
      this.armed = null;
      // Nothing to wait for: the pending timer must not hold the process.
      this.timer?.unref();
    };
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armed = null;
  }

  private schedule(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.firesAt = at;
    this.timer = setTimeout(() => this.check(), Math.max(0, at - performance.now()));
  }

  private check(): void {
    this.timer = null;
    const a = this.armed;
    if (!a) return;
    if (a.at > performance.now()) return this.schedule(a.at);
    this.armed = null;
    a.fire();
  }
}

/** Frames of the station's own code when it runs prebuilt (boot.ts): one bundle, not electron/station/…. */
const PREBUILT_PATH = '/dist/station/';

function sourceOf(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  // The first frame outside the engine is the phase code that called log().
  for (const line of stack.split('\n').slice(1)) {
    if (line.includes('/station/engine/') || line.includes(PREBUILT_PATH)) continue;
    const m = /(?:file:\/\/)?([^\s()]+?)(?:\?[^\s():]*)?:(\d+):\d+\)?$/.exec(line.trim());
    if (m) return `${m[1]!.split('/').slice(-2).join('/')}:${m[2]}`;
  }
  return undefined;
}

/**
 * Where in the procedure's own files a stack was: the innermost frame in the procedure
 * folder, as "phases.ts:12" (relative to the folder; Node's type stripping keeps lines and
 * columns, so this is the line in the .ts file as written). Without a folder, the first
 * frame outside the station's code. Undefined when no frame is the procedure's.
 */
export function procedureFrame(stack: string | undefined, dir: string | undefined): string | undefined {
  if (!stack) return undefined;
  const root = dir === undefined ? undefined : resolve(dir) + sep;
  for (const line of stack.split('\n')) {
    const m = /^\s*at (?:.*?\()?((?:file:\/\/)?[^\s()]+?)(?:\?[^\s():]*)?:(\d+):\d+\)?$/.exec(line);
    if (!m) continue;
    let file = m[1]!;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (root !== undefined) {
      if (file.startsWith(root)) return `${relative(root, file).split(sep).join('/')}:${m[2]}`;
    } else if (!file.startsWith('node:') && !file.includes('/electron/station/') && !file.includes(PREBUILT_PATH) && !file.includes('/node_modules/')) {
      return `${file.split('/').slice(-2).join('/')}:${m[2]}`;
    }
  }
  return undefined;
}

/** A stack as the log shows it: without the cache-busting query of the module's URL. */
const cleanStack = (stack: string): string => stack.replace(/(\.[cm]?[jt]s)\?v=[0-9a-f]+/g, '$1');

const ATTACH_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.pdf': 'application/pdf',
};
const mb = (n: number) => `${Math.round((n / 1048576) * 10) / 10} MB`;

const MEDIA: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
};

/** The reason an undeclared measurement carries. */
export const NOT_DECLARED = message('checkNotDeclared');

/** 'measurement "x" is not declared in procedure.yaml for this phase (it declares v_3v3)'. */
function undeclaredMessage(names: readonly string[], declared: readonly string[]): string {
  const list = names.map((n) => `"${n}"`).join(', ');
  const what = names.length === 1 ? `measurement ${list} is` : `measurements ${list} are`;
  return `${what} not declared in procedure.yaml for this phase (${declared.length ? `it declares ${declared.join(', ')}` : 'it declares no measurements'})`;
}

/** JSON has no NaN or Infinity: such a value is stored as null with the reason. A series with such a point is not kept either. */
function isFiniteValue(value: MeasurementValue): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((p) => Array.isArray(p) && p.every((x) => typeof x === 'number' && Number.isFinite(x)));
  return value !== undefined;
}

/** Compiles a runIf expression once; a syntax error surfaces at load time with the file's line. */
export function compileCondition(expr: string): (env: ConditionEnv) => boolean {
  // The expression is procedure configuration, trusted like phases.ts and run in the runner.
  const f = new Function('passed', 'failed', 'measurement', 'params', 'unit', `"use strict"; return (${expr});`) as (
    ...a: [ConditionEnv['passed'], ConditionEnv['failed'], ConditionEnv['measurement'], ConditionEnv['params'], ConditionEnv['unit']]
  ) => unknown;
  return (env) => Boolean(f(env.passed, env.failed, env.measurement, env.params, env.unit));
}

export interface ConditionEnv {
  passed(phase: string): boolean;
  failed(phase: string): boolean;
  measurement(name: string): MeasurementValue | undefined;
  params: Readonly<Record<string, string | number | boolean>>;
  unit: Readonly<Unit>;
}

function isSoak(x: PhaseExport | undefined): x is SoakPhase {
  return typeof x === 'object' && x !== null && typeof (x as SoakPhase).every === 'function';
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs one procedure on one unit. Never throws: every failure lands in the record. */
export async function runProcedure(input: RunInput): Promise<RunResult> {
  const { emit, plan } = input;
  const records: PhaseRecord[] = [];
  /** Final attempt of each planned phase, by plan index. */
  const finals = new Map<number, PhaseRecord>();
  const lastValues = new Map<string, MeasurementValue>();
  let stopped: 'abort' | 'failure' | null = null;
  let promptSeq = 0;
  const imageCache = new Map<string, string>();
  let attachedBytes = 0;
  const conditions = new Map<string, (env: ConditionEnv) => boolean>();

  const resolvePrompt = (p: PromptSpec | string, phase: string): Prompt & { measurement?: string; timeoutMs?: number } => {
    let spec: PromptSpec;
    if (typeof p === 'string') {
      const s = input.procedure.prompts[p];
      if (!s) throw new Error(`prompt "${p}" is not declared under prompts: in procedure.yaml`);
      spec = s;
    } else spec = PromptSpecSchema.parse(p);
    const language = input.procedure.language ?? 'en';
    const prompt: Prompt & { measurement?: string; timeoutMs?: number } = {
      id: `${input.runId}:${++promptSeq}`,
      kind: spec.kind ?? 'confirm',
      // The procedure's own language: the record, and the answer to a choice, keep it.
      message: defaultText(spec.message, language),
      phase,
    };
    for (const k of ['pattern', 'minLength', 'maxLength', 'min', 'max', 'units', 'measurement', 'timeoutMs'] as const) {
      if (spec[k] !== undefined) (prompt as Record<string, unknown>)[k] = spec[k];
    }
    if (spec.options !== undefined) prompt.options = spec.options.map((o) => defaultText(o, language));
    // Every other language the question is given in, for the screens.
    const translations: NonNullable<Prompt['translations']> = {};
    for (const lng of languagesOf([spec.message, ...(spec.options ?? [])])) {
      if (lng === language) continue;
      const message = translationsOf(spec.message)?.[lng];
      const options = spec.options?.map((o) => translationsOf(o)?.[lng] ?? defaultText(o, language));
      translations[lng] = { ...(message !== undefined ? { message } : {}), ...(options ? { options } : {}) };
    }
    if (Object.keys(translations).length) prompt.translations = translations;
    if (typeof p === 'string') prompt.key = p;
    if (spec.timeoutMs !== undefined) prompt.expiresAt = new Date(Date.now() + spec.timeoutMs).toISOString();
    if (spec.image !== undefined) {
      let url = imageCache.get(spec.image);
      if (!url) {
        const file = join(input.procedureDir ?? '.', spec.image);
        const media = MEDIA[extname(file).toLowerCase()];
        if (!media) throw new Error(`prompt image ${spec.image}: use a png, jpg, svg, webp or gif file`);
        const bytes = readFileSync(file);
        if (bytes.length > MAX_IMAGE_BYTES) throw new Error(`prompt image ${spec.image} is ${bytes.length} bytes; the limit is ${MAX_IMAGE_BYTES}`);
        url = `data:${media};base64,${bytes.toString('base64')}`;
        imageCache.set(spec.image, url);
      }
      prompt.image = url;
    }
    return prompt;
  };

  const runAttempt = async (phase: PlannedPhase, index: number, attempt: number, signalParent: AbortSignal): Promise<PhaseRecord> => {
    const startedAt = now();
    const t0 = performance.now();
    emit({ kind: 'run.phaseStarted', data: { index, name: phase.name, attempt, timeoutMs: phase.timeoutMs, startedAt } });

    const measured = new Map<string, Measurement>();
    const attached: Attachment[] = [];
    const series = new Map<string, number[][]>();
    const logs: LogEntry[] = [];
    let droppedLogs = 0;
    let sealed = false;
    const openPrompts = new Set<string>();

    const controller = new AbortController();
    const onParentAbort = () => controller.abort(signalParent.reason);
    if (signalParent.aborted) controller.abort(signalParent.reason);
    else signalParent.addEventListener('abort', onParentAbort, { once: true });

    const log = (level: LogLevel, message: string, source?: string) => {
      if (sealed) return;
      const entry: LogEntry = { level, ts: now(), message: String(message) };
      // An explicit source ('' for none) or the line of phase code that called.
      const src = source === undefined ? sourceOf(new Error().stack) : source || undefined;
      if (src) entry.source = src;
      if (logs.length >= MAX_LOGS_PER_PHASE) {
        logs.splice(0, 1);
        droppedLogs++;
      }
      logs.push(entry);
      emit({ kind: 'run.logged', data: { index, phase: phase.name, log: entry } });
    };

    /** Measurements procedure.yaml does not declare for this phase, with where the code took them. */
    const undeclared: { name: string; source: string | undefined }[] = [];
    /** Where the code started each undeclared series (it is measured when the phase ends). */
    const seriesSources = new Map<string, string | undefined>();

    const measure = (name: string, value: MeasurementValue, opts?: { units?: string }) => {
      if (sealed) return 'SKIP' as const;
      const planned = phase.measurements.get(name);
      if (!planned) {
        // Nothing to check it against: recorded as it is (never PASS), and the phase is ERROR at its end.
        const m: Measurement = { name, value: isFiniteValue(value) ? value : null, outcome: 'UNSET', undeclared: true, reason: NOT_DECLARED };
        if (opts?.units !== undefined) m.units = opts.units;
        const rec = recordable(m);
        if (!measured.has(name)) undeclared.push({ name, source: seriesSources.get(name) ?? procedureFrame(new Error().stack, input.procedureDir) });
        measured.set(name, rec);
        lastValues.set(name, rec.value);
        lastValues.set(`${phase.name}.${name}`, rec.value);
        emit({ kind: 'run.measured', data: { index, phase: phase.name, measurement: rec } });
        return rec.outcome;
      }
      const units = opts?.units ?? planned.spec.units;
      const verdict = validate(value, planned.validator, units, {
        ...(input.validators ? { custom: input.validators } : {}),
        ...(planned.axes !== undefined ? { axes: planned.axes } : {}),
      });
      const m: Measurement = { name, value: isFiniteValue(value) ? value : null, outcome: verdict.outcome };
      if (units !== undefined) m.units = units;
      if (planned.spec.dimensions) m.dimensions = planned.spec.dimensions;
      if (verdict.aggregates) m.aggregates = verdict.aggregates;
      if (planned.validator) m.validator = planned.validator;
      if (verdict.marginal) m.marginal = true;
      if (verdict.reason) m.reason = verdict.reason;
      if (verdict.outcome === 'FAIL') {
        const code = planned.spec.failureCode ?? phase.failureCode;
        if (code !== undefined) m.failureCode = code;
      }
      const rec = recordable(m);
      measured.set(name, rec);
      lastValues.set(name, rec.value);
      lastValues.set(`${phase.name}.${name}`, m.value);
      emit({ kind: 'run.measured', data: { index, phase: phase.name, measurement: rec } });
      return rec.outcome;
    };

    const ctx: PhaseContext = {
      signal: controller.signal,
      params: phase.params,
      unit: input.unit,
      phase: { name: phase.name, attempt },
      instruments: input.instruments as Record<string, Instrument>,
      measure,
      series(name: string): Series {
        let points = series.get(name);
        if (!points) {
          series.set(name, (points = []));
          if (!phase.measurements.has(name)) seriesSources.set(name, procedureFrame(new Error().stack, input.procedureDir));
        }
        const pts = points;
        return {
          add: (...point: number[]) => {
            if (!sealed) pts.push(point);
          },
          get length() {
            return pts.length;
          },
        };
      },
      log: {
        debug: (m) => log('debug', m),
        info: (m) => log('info', m),
        warning: (m) => log('warning', m),
        error: (m) => log('error', m),
      },
      prompt: (async (p: PromptSpec | string) => {
        const prompt = resolvePrompt(p, phase.name);
        const { measurement, timeoutMs, ...shown } = prompt;
        openPrompts.add(prompt.id);
        emit({ kind: 'prompt.opened', data: { prompt: shown } });
        const promptController = new AbortController();
        const onAbort = () => promptController.abort(controller.signal.reason);
        controller.signal.addEventListener('abort', onAbort, { once: true });
        const timer = timeoutMs !== undefined ? setTimeout(() => promptController.abort(new PromptTimeout(timeoutMs)), timeoutMs) : undefined;
        try {
          const answer = await input.askOperator(shown, promptController.signal);
          openPrompts.delete(prompt.id);
          log('info', `operator answered "${prompt.message}": ${Array.isArray(answer) ? answer.join(', ') : String(answer)}`);
          if (measurement !== undefined) measure(measurement, Array.isArray(answer) ? answer.join(',') : answer);
          return answer;
        } catch (e) {
          if (e instanceof PromptTimeout) {
            openPrompts.delete(prompt.id);
            emit({ kind: 'prompt.closed', data: { promptId: prompt.id, reason: 'timeout' } });
          }
          throw e;
        } finally {
          clearTimeout(timer);
          controller.signal.removeEventListener('abort', onAbort);
        }
      }) as PhaseContext['prompt'],
      attach(name: string, data: string | Uint8Array | { path: string }, mediaType?: string): Attachment | null {
        if (sealed) return null;
        if (!input.storeAttachment) {
          log('warning', `attachment "${name}" not kept: this run does not store attachments`);
          return null;
        }
        let bytes: Uint8Array;
        try {
          bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data instanceof Uint8Array ? data : readFileSync(data.path);
        } catch (e) {
          log('error', `attachment "${name}" refused: ${(e as Error).message}`);
          return null;
        }
        const limits = input.attachmentLimits ?? { maxBytes: Infinity, runMaxBytes: Infinity };
        if (bytes.byteLength > limits.maxBytes) {
          log('error', `attachment "${name}" refused: ${mb(bytes.byteLength)} is over the ${mb(limits.maxBytes)} limit per file`);
          return null;
        }
        if (attachedBytes + bytes.byteLength > limits.runMaxBytes) {
          log('error', `attachment "${name}" refused: the run would hold ${mb(attachedBytes + bytes.byteLength)}, over its ${mb(limits.runMaxBytes)} limit`);
          return null;
        }
        const stored = input.storeAttachment(bytes);
        attachedBytes += stored.size;
        const ext = extname(name).toLowerCase();
        const a: Attachment = {
          name,
          mediaType: mediaType ?? MEDIA[ext] ?? ATTACH_TYPES[ext] ?? (typeof data === 'string' ? 'text/plain' : 'application/octet-stream'),
          size: stored.size,
          sha256: stored.sha256,
        };
        attached.push(a);
        emit({ kind: 'run.attached', data: { index, phase: phase.name, attachment: a } });
        return a;
      },
      progress(progress: number | null, message?: string) {
        if (sealed) return;
        const data: { index: number; phase: string; progress?: number; message?: string } = { index, phase: phase.name };
        if (progress !== null && Number.isFinite(progress)) data.progress = Math.min(1, Math.max(0, progress));
        if (message !== undefined) {
          data.message = String(message);
          log('info', data.message);
        }
        emit({ kind: 'run.progressed', data });
      },
      sleep: (ms: number) => abortableSleep(ms, controller.signal),
    };

    let outcome: PhaseOutcome;
    let error: PhaseError | undefined;
    let disarm: (() => void) | undefined;
    const exp = input.phases[phase.fn];
    try {
      if (!exp) throw new Error(`phase function "${phase.fn}" is not exported by phases.ts`);
      // The timeout aborts the phase's signal with a TimeoutReason: one rejection serves both.
      disarm = deadline.arm(phase.timeoutMs, () => controller.abort(new TimeoutReason(phase.timeoutMs)));
      const aborted = new Promise<never>((_, reject) => {
        if (controller.signal.aborted) reject(controller.signal.reason);
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      });
      aborted.catch(() => undefined);
      const body = isSoak(exp) ? runSoak(exp, ctx, phase, log) : Promise.resolve().then(() => (exp as PhaseFn)(ctx));
      body.catch(() => undefined);
      const verdict = await Promise.race([body, aborted]);
      outcome = verdict === 'SKIP' ? 'SKIP' : verdict === 'FAIL' ? 'FAIL' : 'PASS';
    } catch (e) {
      if (e instanceof TimeoutReason) {
        outcome = 'ERROR';
        error = { kind: 'timeout', message: e.message };
      } else if (signalParent.aborted) {
        outcome = 'ABORTED';
        error = { kind: 'aborted', message: signalParent.reason instanceof Error ? signalParent.reason.message : message('reasonOperatorAborted') };
      } else if (e instanceof PromptTimeout) {
        outcome = 'ERROR';
        error = { kind: 'prompt-timeout', message: e.message };
      } else {
        outcome = 'ERROR';
        error = { kind: 'exception', message: e instanceof Error ? e.message : String(e) };
        // The line of the throw in the procedure's code (or the line of phase code that called
        // what threw, a driver say); the whole stack goes to the phase's log too. A thrown
        // value that is not an Error has no stack of its own.
        const stack = e instanceof Error && typeof e.stack === 'string' ? cleanStack(e.stack) : undefined;
        const where = procedureFrame(stack, input.procedureDir);
        if (where !== undefined) error.source = where;
        if (stack !== undefined) error.stack = stack;
        log('error', stack ?? `the phase threw ${String(e)}`, where ?? '');
      }
    } finally {
      disarm?.();
      signalParent.removeEventListener('abort', onParentAbort);
    }
    // Collected series are measured now, before the record is sealed.
    for (const [name, points] of series) if (!measured.has(name)) measure(name, points);
    sealed = true;
    for (const id of openPrompts) emit({ kind: 'prompt.closed', data: { promptId: id, reason: 'phase-ended' } });

    // Declared but never measured: UNSET fails the phase.
    const measurements: Measurement[] = [];
    for (const [name, planned] of phase.measurements) {
      const m = measured.get(name);
      if (m) {
        measurements.push(m);
        continue;
      }
      const unset: Measurement = { name, value: null, outcome: outcome === 'PASS' || outcome === 'FAIL' ? 'UNSET' : 'SKIP' };
      if (planned.spec.units !== undefined) unset.units = planned.spec.units;
      if (planned.validator) unset.validator = planned.validator;
      if (unset.outcome === 'UNSET') {
        unset.reason = 'declared but never measured';
        const code = planned.spec.failureCode ?? phase.failureCode;
        if (code !== undefined) unset.failureCode = code;
      }
      measurements.push(unset);
    }
    for (const [name, m] of measured) if (!phase.measurements.has(name)) measurements.push(m);
    if (outcome === 'PASS' && measurements.some((m) => (m.outcome === 'FAIL' || m.outcome === 'UNSET') && !m.undeclared)) outcome = 'FAIL';
    // The code and procedure.yaml disagree: the procedure is broken, not the unit (ERROR, not FAIL),
    // and nothing unchecked may pass. An exception, a timeout or an abort keeps its own error.
    if (undeclared.length > 0 && outcome !== 'ERROR' && outcome !== 'ABORTED') {
      outcome = 'ERROR';
      error = {
        kind: 'undeclared-measurement',
        message: undeclaredMessage(
          undeclared.map((u) => u.name),
          [...phase.measurements.keys()],
        ),
      };
      const where = undeclared[0]!.source;
      if (where !== undefined) error.source = where;
    }
    if (droppedLogs > 0)
      logs.unshift({
        level: 'warning',
        ts: logs[0]?.ts ?? now(),
        message: `${droppedLogs} earlier log lines were not kept (limit ${MAX_LOGS_PER_PHASE} per phase)`,
      });

    const record: PhaseRecord = {
      index,
      name: phase.name,
      group: phase.group,
      attempt,
      outcome,
      startedAt,
      endedAt: now(),
      durationMs: Math.round((performance.now() - t0) * 1000) / 1000,
      measurements,
      logs,
    };
    if (Object.keys(phase.params).length) record.params = phase.params;
    if (attached.length) record.attachments = attached;
    if (error) record.error = error;
    if ((outcome === 'FAIL' || outcome === 'ERROR') && phase.failureCode !== undefined) record.failureCode = phase.failureCode;
    emit({ kind: 'run.phaseEnded', data: { phase: record } });
    return record;
  };

  const skip = (phase: PlannedPhase, index: number, why?: string): PhaseRecord => {
    const t = now();
    const record: PhaseRecord = {
      index,
      name: phase.name,
      group: phase.group,
      attempt: 1,
      outcome: 'SKIP',
      startedAt: t,
      endedAt: t,
      durationMs: 0,
      measurements: [...phase.measurements.values()].map(({ spec, validator }) => ({
        name: spec.name,
        value: null,
        outcome: 'SKIP' as const,
        ...(spec.units !== undefined ? { units: spec.units } : {}),
        ...(validator ? { validator } : {}),
      })),
      logs: why ? [{ level: 'info', ts: t, message: why }] : [],
    };
    if (Object.keys(phase.params).length) record.params = phase.params;
    emit({ kind: 'run.phaseEnded', data: { phase: record } });
    return record;
  };

  const finalOf = (name: string): PhaseRecord[] => {
    const out: PhaseRecord[] = [];
    for (const [i, r] of finals) {
      const p = plan[i]!;
      if (p.name === name || p.fn === name) out.push(r);
    }
    return out;
  };
  const env = (phase: PlannedPhase): ConditionEnv => ({
    passed: (n) => {
      const rs = finalOf(n);
      return rs.length > 0 && rs.every((r) => r.outcome === 'PASS');
    },
    failed: (n) => finalOf(n).some((r) => r.outcome === 'FAIL' || r.outcome === 'ERROR'),
    measurement: (n) => lastValues.get(n),
    params: phase.params,
    unit: input.unit,
  });

  const causeOf = (r: PhaseRecord): 'fail' | 'error' | 'timeout' | null =>
    r.outcome === 'FAIL' ? 'fail' : r.outcome === 'ERROR' ? (r.error?.kind === 'timeout' ? 'timeout' : 'error') : null;

  const only = input.teardownOnly ? new Set(input.teardownOnly.indices) : null;
  if (input.teardownOnly) {
    if (input.teardownOnly.aborted) stopped = 'abort';
    for (const p of input.teardownOnly.prior) {
      const planned = plan[p.index];
      if (!planned) continue;
      const t = now();
      finals.set(p.index, {
        index: p.index,
        name: planned.name,
        group: planned.group,
        attempt: 1,
        outcome: p.outcome,
        startedAt: t,
        endedAt: t,
        durationMs: 0,
        measurements: [...p.measurements],
        logs: [],
      });
      for (const m of p.measurements) {
        lastValues.set(m.name, m.value);
        lastValues.set(`${planned.name}.${m.name}`, m.value);
      }
    }
  }

  const deadline = new Deadline();
  try {
    await runPlan();
  } finally {
    deadline.stop();
  }
  return { ...outcomeOf([...finals.values()], input.signal.aborted), phases: records };

  async function runPlan(): Promise<void> {
    for (const [index, phase] of plan.entries()) {
      if (only && (phase.group !== 'teardown' || !only.has(index))) continue;
      let signal = input.signal;
      if (phase.group === 'teardown') {
        // Teardown always runs, even after an abort, with its own signal and a short leash.
        signal = stopped === 'abort' || input.signal.aborted ? AbortSignal.timeout(input.teardownAfterAbortMs ?? 2000) : new AbortController().signal;
      } else {
        if (input.signal.aborted) stopped = 'abort';
        if (stopped) {
          const r = skip(
            phase,
            index,
            stopped === 'abort' ? 'skipped: the run was aborted' : 'skipped: an earlier phase failed and the procedure stops on failure',
          );
          records.push(r);
          finals.set(index, r);
          continue;
        }
      }
      if (phase.runIf !== undefined) {
        let run: boolean;
        try {
          let cond = conditions.get(phase.runIf);
          if (!cond) conditions.set(phase.runIf, (cond = compileCondition(phase.runIf)));
          run = cond(env(phase));
        } catch (e) {
          run = false;
          const r = skip(phase, index, `runIf "${phase.runIf}" could not be evaluated: ${(e as Error).message}`);
          r.outcome = 'ERROR';
          r.error = { kind: 'exception', message: `runIf "${phase.runIf}": ${(e as Error).message}` };
          records.push(r);
          finals.set(index, r);
          if (phase.onFailure === 'stop' && phase.group !== 'teardown') stopped = 'failure';
          continue;
        }
        if (!run) {
          const r = skip(phase, index, `skipped: runIf "${phase.runIf}" is false`);
          records.push(r);
          finals.set(index, r);
          continue;
        }
      }
      let r: PhaseRecord;
      for (let attempt = 1; ; attempt++) {
        r = await runAttempt(phase, index, attempt, signal);
        records.push(r);
        const cause = causeOf(r);
        if (!cause || attempt > phase.retry.count || !phase.retry.on.includes(cause) || signal.aborted) break;
        if (phase.retry.delayMs > 0) {
          try {
            await abortableSleep(phase.retry.delayMs, signal);
          } catch {
            break;
          }
        }
      }
      finals.set(index, r);
      if (phase.group === 'teardown') continue;
      if (r.outcome === 'ABORTED') stopped = 'abort';
      else if ((r.outcome === 'FAIL' || r.outcome === 'ERROR') && phase.onFailure === 'stop') stopped = 'failure';
    }
  }
}

/** Runs a soak phase: start, every N s until the duration ends or `every` returns 'STOP', then end. */
async function runSoak(exp: SoakPhase, ctx: PhaseContext, phase: PlannedPhase, log: (level: LogLevel, m: string) => void): Promise<void> {
  const soak = phase.soak ?? { durationS: 0, everyS: 1 };
  const durationMs = soak.durationS * 1000;
  const everyMs = soak.everyS * 1000;
  await exp.start?.(ctx);
  try {
    const t0 = performance.now();
    for (let tick = 0; ; tick++) {
      if ((await exp.every(ctx, tick)) === 'STOP') {
        log('warning', `soak stopped by its kill switch after ${tick + 1} ticks`);
        break;
      }
      const elapsed = performance.now() - t0;
      ctx.progress(Math.min(1, elapsed / durationMs));
      // Missed ticks are skipped, not bunched up; a tick falls on the end of the duration too.
      const next = Math.ceil((elapsed + 0.001) / everyMs) * everyMs;
      if (next > durationMs + 0.5) break;
      await ctx.sleep(next - elapsed);
    }
  } finally {
    if (exp.end) await exp.end(ctx);
  }
}

/** The run's outcome from the final attempt of each phase. */
export function outcomeOf(phases: readonly PhaseRecord[], aborted: boolean): { outcome: RunOutcome; outcomeReason?: string } {
  if (aborted || phases.some((p) => p.outcome === 'ABORTED')) return { outcome: 'ABORTED', outcomeReason: message('reasonOperatorAborted') };
  const err = phases.find((p) => p.outcome === 'ERROR');
  if (err) return { outcome: 'ERROR', outcomeReason: `${err.name}: ${err.error?.message ?? 'error'}` };
  if (phases.some((p) => p.outcome === 'FAIL')) return { outcome: 'FAIL' };
  return { outcome: 'PASS' };
}

/**
 * A measurement as the station will accept it: checked against the contract here, in the
 * runner, before it is sent (the common plain case by hand, the rest by the schema). One
 * that would be refused on arrival is recorded instead as what it is: no value, FAIL, and
 * the reason in words, never a lost message and an internal error at the phase's end.
 */
export function recordable(m: Measurement): Measurement {
  if (isPlainMeasurement(m as unknown)) return m;
  const checked = MeasurementSchema.safeParse(m);
  if (checked.success) return m;
  const why = formatZodError(checked.error);
  const out: Measurement = { name: m.name || 'unnamed', value: null, outcome: 'FAIL', reason: `the measurement could not be recorded: ${why}` };
  if (m.units !== undefined) out.units = m.units;
  if (m.failureCode !== undefined) out.failureCode = m.failureCode;
  return out;
}
