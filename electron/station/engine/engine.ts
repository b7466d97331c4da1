import type { LogEntry, LogLevel, Measurement, MeasurementValue, PhaseError, PhaseOutcome, PhaseRecord, RunOutcome, Unit } from '#contract/records.ts';
import type { ProcedureFile, PhaseSpec, MeasurementSpec } from '#contract/procedure.ts';
import type { Prompt, PromptAnswer } from '#contract/prompts.ts';
import type { Instrument } from '#station/instruments/drivers.ts';
import type { PhaseContext, PhaseFn, PromptOptions } from './sdk.ts';
import { specToValidator, validate } from './validators.ts';

/** What the engine reports; the runner forwards these to the station as events. */
export type EngineEmit =
  | { kind: 'run.phaseStarted'; data: { index: number; name: string; attempt: number; timeoutMs: number; startedAt: string } }
  | { kind: 'run.measured'; data: { index: number; phase: string; measurement: Measurement } }
  | { kind: 'run.logged'; data: { index: number | null; phase: string | null; log: LogEntry } }
  | { kind: 'run.phaseEnded'; data: { phase: PhaseRecord } }
  | { kind: 'prompt.opened'; data: { prompt: Prompt } };

export interface RunInput {
  runId: string;
  unit: Unit;
  procedure: ProcedureFile;
  phases: Readonly<Record<string, PhaseFn>>;
  instruments: Readonly<Record<string, Instrument>>;
  emit: (e: EngineEmit) => void;
  /** Resolves a prompt; the runner wires this to the station's prompt.answer. */
  askOperator: (prompt: Prompt, signal: AbortSignal) => Promise<PromptAnswer>;
  /** Aborted when the operator aborts the run. */
  signal: AbortSignal;
  /** Time allowed for teardown phases after an abort. */
  teardownAfterAbortMs?: number;
}

export interface RunResult {
  outcome: RunOutcome;
  outcomeReason?: string;
  phases: PhaseRecord[];
}

class TimeoutReason extends Error {
  constructor(ms: number) {
    super(`phase timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

const now = () => new Date().toISOString();

function sourceOf(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  // The first frame outside the engine is the phase code that called log().
  for (const line of stack.split('\n').slice(1)) {
    if (line.includes('/station/engine/')) continue;
    const m = /(?:file:\/\/)?([^\s()]+):(\d+):\d+\)?$/.exec(line.trim());
    if (m) return `${m[1]!.split('/').slice(-2).join('/')}:${m[2]}`;
  }
  return undefined;
}

/** Runs one procedure on one unit. Never throws: every failure lands in the record. */
export async function runProcedure(input: RunInput): Promise<RunResult> {
  const { procedure, emit } = input;
  const records: PhaseRecord[] = [];
  const active = procedure.phases.filter((p) => p.enabled);
  let stopped: 'abort' | 'failure' | null = null;
  let promptSeq = 0;

  const runPhase = async (spec: PhaseSpec, index: number, signalParent: AbortSignal): Promise<PhaseRecord> => {
    const startedAt = now();
    const t0 = performance.now();
    const attempt = 1;
    emit({ kind: 'run.phaseStarted', data: { index, name: spec.name, attempt, timeoutMs: spec.timeoutMs, startedAt } });

    const declared = new Map<string, MeasurementSpec>();
    for (const m of spec.measurements) declared.set(m.name, m);
    const measured = new Map<string, Measurement>();
    const logs: LogEntry[] = [];
    let sealed = false;

    const controller = new AbortController();
    const onParentAbort = () => controller.abort(signalParent.reason);
    if (signalParent.aborted) controller.abort(signalParent.reason);
    else signalParent.addEventListener('abort', onParentAbort, { once: true });

    const log = (level: LogLevel, message: string) => {
      if (sealed) return;
      const entry: LogEntry = { level, ts: now(), message: String(message) };
      const src = sourceOf(new Error().stack);
      if (src) entry.source = src;
      logs.push(entry);
      emit({ kind: 'run.logged', data: { index, phase: spec.name, log: entry } });
    };

    const ctx: PhaseContext = {
      signal: controller.signal,
      params: spec.params,
      unit: input.unit,
      phase: { name: spec.name, attempt },
      instruments: input.instruments as Record<string, Instrument>,
      measure(name: string, value: MeasurementValue, opts?: { units?: string }) {
        if (sealed) return 'SKIP';
        const decl = declared.get(name);
        const units = opts?.units ?? decl?.units;
        const validator = decl ? specToValidator(decl) : undefined;
        const verdict = validate(value, validator, units);
        const m: Measurement = { name, value: typeof value === 'number' && !Number.isFinite(value) ? null : value, outcome: verdict.outcome };
        if (typeof value === 'number' && !Number.isFinite(value)) m.reason = `${value} is not a finite number`;
        if (units !== undefined) m.units = units;
        if (validator) m.validator = validator;
        if (verdict.reason) m.reason = verdict.reason;
        measured.set(name, m);
        emit({ kind: 'run.measured', data: { index, phase: spec.name, measurement: m } });
        return m.outcome;
      },
      log: {
        debug: (m) => log('debug', m),
        info: (m) => log('info', m),
        warning: (m) => log('warning', m),
        error: (m) => log('error', m),
      },
      prompt: async (opts: PromptOptions) => {
        const prompt: Prompt = { id: `${input.runId}:${++promptSeq}`, kind: opts.kind ?? 'confirm', message: opts.message, phase: spec.name };
        if (opts.pattern !== undefined) prompt.pattern = opts.pattern;
        emit({ kind: 'prompt.opened', data: { prompt } });
        const answer = await input.askOperator(prompt, controller.signal);
        log('info', `operator answered "${prompt.message}": ${String(answer)}`);
        return answer;
      },
      sleep: (ms: number) =>
        new Promise<void>((resolve, reject) => {
          if (controller.signal.aborted) return reject(controller.signal.reason);
          const t = setTimeout(() => {
            controller.signal.removeEventListener('abort', onAbort);
            resolve();
          }, ms);
          const onAbort = () => {
            clearTimeout(t);
            reject(controller.signal.reason);
          };
          controller.signal.addEventListener('abort', onAbort, { once: true });
        }),
    };

    let outcome: PhaseOutcome;
    let error: PhaseError | undefined;
    let timer: NodeJS.Timeout | undefined;
    const fn = input.phases[spec.name];
    try {
      if (!fn) throw new Error(`phase function "${spec.name}" is not exported by phases.ts`);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const reason = new TimeoutReason(spec.timeoutMs);
          controller.abort(reason);
          reject(reason);
        }, spec.timeoutMs);
      });
      const aborted = new Promise<never>((_, reject) => {
        if (controller.signal.aborted) reject(controller.signal.reason);
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      });
      aborted.catch(() => undefined);
      timeout.catch(() => undefined);
      const verdict = await Promise.race([Promise.resolve().then(() => fn(ctx)), timeout, aborted]);
      outcome = verdict === 'SKIP' ? 'SKIP' : verdict === 'FAIL' ? 'FAIL' : 'PASS';
    } catch (e) {
      if (e instanceof TimeoutReason) {
        outcome = 'ERROR';
        error = { kind: 'timeout', message: e.message };
      } else if (signalParent.aborted) {
        outcome = 'ABORTED';
        error = { kind: 'aborted', message: 'operator aborted the run' };
      } else {
        outcome = 'ERROR';
        const err = e instanceof Error ? e : new Error(String(e));
        error = { kind: 'exception', message: err.message };
        if (err.stack) error.stack = err.stack;
      }
    } finally {
      clearTimeout(timer);
      signalParent.removeEventListener('abort', onParentAbort);
      sealed = true;
    }

    // Declared but never measured: UNSET fails the phase.
    const measurements: Measurement[] = [];
    for (const d of spec.measurements) {
      const m = measured.get(d.name);
      if (m) measurements.push(m);
      else {
        const unset: Measurement = { name: d.name, value: null, outcome: outcome === 'PASS' || outcome === 'FAIL' ? 'UNSET' : 'SKIP' };
        if (d.units !== undefined) unset.units = d.units;
        const v = specToValidator(d);
        if (v) unset.validator = v;
        if (unset.outcome === 'UNSET') unset.reason = 'declared but never measured';
        measurements.push(unset);
      }
    }
    for (const [name, m] of measured) if (!declared.has(name)) measurements.push(m);
    if (outcome === 'PASS' && measurements.some((m) => m.outcome === 'FAIL' || m.outcome === 'UNSET')) outcome = 'FAIL';

    const record: PhaseRecord = {
      index,
      name: spec.name,
      group: spec.group,
      attempt,
      outcome,
      startedAt,
      endedAt: now(),
      durationMs: Math.round((performance.now() - t0) * 1000) / 1000,
      measurements,
      logs,
    };
    if (error) record.error = error;
    emit({ kind: 'run.phaseEnded', data: { phase: record } });
    return record;
  };

  const skip = (spec: PhaseSpec, index: number): PhaseRecord => {
    const t = now();
    const record: PhaseRecord = {
      index,
      name: spec.name,
      group: spec.group,
      attempt: 1,
      outcome: 'SKIP',
      startedAt: t,
      endedAt: t,
      durationMs: 0,
      measurements: spec.measurements.map((d) => ({ name: d.name, value: null, outcome: 'SKIP' as const, ...(d.units !== undefined ? { units: d.units } : {}) })),
      logs: [],
    };
    emit({ kind: 'run.phaseEnded', data: { phase: record } });
    return record;
  };

  const order = [...active.filter((p) => p.group === 'setup'), ...active.filter((p) => p.group === 'main'), ...active.filter((p) => p.group === 'teardown')];
  for (const [index, spec] of order.entries()) {
    if (spec.group === 'teardown') {
      // Teardown always runs, even after an abort, with its own signal and a short leash.
      const teardownSignal = stopped === 'abort' ? AbortSignal.timeout(input.teardownAfterAbortMs ?? 2000) : new AbortController().signal;
      records.push(await runPhase(spec, index, teardownSignal));
      continue;
    }
    if (stopped || input.signal.aborted) {
      if (input.signal.aborted) stopped = 'abort';
      records.push(skip(spec, index));
      continue;
    }
    const r = await runPhase(spec, index, input.signal);
    records.push(r);
    if (r.outcome === 'ABORTED') stopped = 'abort';
    else if ((r.outcome === 'FAIL' || r.outcome === 'ERROR') && (procedure.stopOnFailure || spec.group === 'setup')) stopped = 'failure';
  }

  return { ...outcomeOf(records, input.signal.aborted), phases: records };
}

export function outcomeOf(phases: readonly PhaseRecord[], aborted: boolean): { outcome: RunOutcome; outcomeReason?: string } {
  if (aborted || phases.some((p) => p.outcome === 'ABORTED')) return { outcome: 'ABORTED', outcomeReason: 'operator aborted the run' };
  const err = phases.find((p) => p.outcome === 'ERROR');
  if (err) return { outcome: 'ERROR', outcomeReason: `${err.name}: ${err.error?.message ?? 'error'}` };
  if (phases.some((p) => p.outcome === 'FAIL')) return { outcome: 'FAIL' };
  return { outcome: 'PASS' };
}
