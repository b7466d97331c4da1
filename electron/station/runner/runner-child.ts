/**
 * The runner: a long-lived child process per socket that loads the procedure,
 * opens its instruments and runs phases. Phase code is user code: whatever it
 * does, it happens here and not in the station.
 */
import { dirname } from 'node:path';
import { ToRunnerSchema, type FromRunner, type ToRunner } from './protocol.ts';
import { loadProcedure, type LoadedProcedure } from '#station/procedures/load.ts';
import { runProcedure, type EngineEmit } from '#station/engine/engine.ts';
import { planPhases } from '#station/engine/plan.ts';
import { openInstrument } from '#station/instruments/connect.ts';
import { SimBench } from '#station/instruments/sim.ts';
import type { Instrument } from '#station/instruments/drivers.ts';
import { toStationError, formatZodError } from '#contract/errors.ts';
import type { PromptAnswer } from '#contract/prompts.ts';
import { AttachmentStore } from '#station/store/attachments.ts';

const SAFE_STATE_TIMEOUT_MS = 2000;

let loaded: LoadedProcedure | null = null;
let instruments: Record<string, Instrument> = {};
const bench = new SimBench();
let current: { runId: string; controller: AbortController } | null = null;
const pendingPrompts = new Map<string, (answer: PromptAnswer) => void>();

function send(msg: FromRunner): void {
  process.send?.(msg);
}

// Engine events go out in batches: one IPC message per turn of the event loop.
let batch: EngineEmit[] = [];
let batchRunId = '';
let flushQueued = false;
function flush(): void {
  flushQueued = false;
  if (batch.length === 0) return;
  send({ type: 'events', runId: batchRunId, events: batch });
  batch = [];
}
function emitFor(runId: string) {
  return (e: EngineEmit) => {
    if (batchRunId !== runId) flush();
    batchRunId = runId;
    batch.push(e);
    // A phase start goes out at once, before the phase's code runs: code that never
    // yields (a busy loop) would otherwise hold it back, and with it the end of the
    // phases before, so the station could neither arm its watchdog nor keep them.
    if (batch.length >= 256 || e.kind === 'run.phaseStarted') flush();
    else if (!flushQueued) {
      flushQueued = true;
      setImmediate(flush);
    }
  };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

async function safeStateAll(): Promise<void> {
  await Promise.all(
    Object.values(instruments).map((i) =>
      withTimeout(i.safeState(), SAFE_STATE_TIMEOUT_MS, `safe state of ${i.name}`).catch((e: unknown) =>
        send({ type: 'log', level: 'error', message: `instrument ${i.name}: safe state failed: ${(e as Error).message}` }),
      ),
    ),
  );
}

let addressesKey = '';
let attachmentStore: AttachmentStore | null = null;
let attachmentLimits: { maxBytes: number; runMaxBytes: number } | undefined;

/**
 * Loads (or reloads) the procedure. A reload that fails keeps the last good version
 * running; instruments are reopened only when their addresses changed.
 */
async function load(dir: string, overrides: Record<string, string>): Promise<void> {
  let proc: LoadedProcedure;
  try {
    proc = await loadProcedure(dir);
  } catch (e) {
    send({ type: 'loadFailed', error: toStationError(e), kept: loaded !== null });
    return;
  }
  try {
    const addresses = { ...proc.file.instruments, ...overrides };
    const key = JSON.stringify(addresses);
    if (key !== addressesKey || Object.keys(instruments).length !== Object.keys(addresses).length) {
      await Promise.all(Object.values(instruments).map((i) => i.close().catch(() => undefined)));
      instruments = {};
      addressesKey = '';
      for (const [name, address] of Object.entries(addresses)) instruments[name] = openInstrument(name, address, bench);
      addressesKey = key;
    }
    // A fresh runner may follow one that died with a supply on: make everything safe first.
    await safeStateAll();
    loaded = proc;
    send({ type: 'loaded', summary: proc.summary });
  } catch (e) {
    send({ type: 'loadFailed', error: toStationError(e), kept: false });
    loaded = null;
  }
}

async function start(
  runId: string,
  unit: { serialNumber: string; partNumber?: string | undefined },
  params: Readonly<Record<string, string | number | boolean>> | undefined,
): Promise<void> {
  if (!loaded || current) return;
  const controller = new AbortController();
  current = { runId, controller };
  bench.unitSerial = unit.serialNumber;
  const emit = emitFor(runId);
  const result = await runProcedure({
    runId,
    unit: { serialNumber: unit.serialNumber, ...(unit.partNumber !== undefined ? { partNumber: unit.partNumber } : {}) },
    procedure: loaded.file,
    procedureDir: loaded.dir,
    plan: params && Object.keys(params).length ? planPhases(loaded.file, loaded.validators, params) : loaded.plan,
    phases: loaded.phases,
    validators: loaded.validators,
    instruments,
    ...(attachmentStore ? { storeAttachment: (bytes: Uint8Array) => attachmentStore!.put(bytes) } : {}),
    ...(attachmentLimits ? { attachmentLimits } : {}),
    emit,
    signal: controller.signal,
    askOperator: (prompt, signal) =>
      new Promise<PromptAnswer>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const onAbort = () => {
          pendingPrompts.delete(prompt.id);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        pendingPrompts.set(prompt.id, (answer) => {
          signal.removeEventListener('abort', onAbort);
          pendingPrompts.delete(prompt.id);
          resolve(answer);
        });
      }),
  });
  await safeStateAll();
  flush();
  current = null;
  send({ type: 'runEnded', runId, outcome: result.outcome, ...(result.outcomeReason !== undefined ? { outcomeReason: result.outcomeReason } : {}) });
}

function handle(msg: ToRunner): void {
  switch (msg.type) {
    case 'load':
      if (msg.attachments) {
        // The store's own layout: the runner writes files, the station records them with the phase.
        attachmentStore = new AttachmentStore(dirname(msg.attachments.dir));
        attachmentLimits = { maxBytes: msg.attachments.maxBytes, runMaxBytes: msg.attachments.runMaxBytes };
      }
      void load(msg.dir, msg.instruments);
      break;
    case 'start':
      void start(msg.runId, msg.unit, msg.params);
      break;
    case 'abort':
      if (current?.runId === msg.runId) current.controller.abort(new Error('operator aborted the run'));
      break;
    case 'answer':
      pendingPrompts.get(msg.promptId)?.(msg.answer);
      break;
    case 'shutdown':
      void safeStateAll().finally(() => process.exit(0));
      break;
  }
}

process.on('message', (raw) => {
  const parsed = ToRunnerSchema.safeParse(raw);
  if (!parsed.success) {
    send({ type: 'log', level: 'error', message: `runner: bad message from station: ${formatZodError(parsed.error)}` });
    return;
  }
  handle(parsed.data);
});

// Phase code that forgets a promise must not take the runner down silently.
process.on('unhandledRejection', (reason) => {
  send({ type: 'log', level: 'error', message: `unhandled rejection in phase code: ${reason instanceof Error ? reason.message : String(reason)}` });
});
// If the station goes away, so does the runner.
process.on('disconnect', () => process.exit(0));
