/**
 * The runner: a long-lived child process per socket that loads the procedure,
 * opens its instruments and runs phases. Phase code is user code: whatever it
 * does, it happens here and not in the station.
 */
import { dirname } from 'node:path';
import { PHASE_REF_WINDOW, ToRunnerSchema, type FromRunner, type ToRunner } from './protocol.ts';
import { loadProcedure, type LoadedProcedure } from '#station/procedures/load.ts';
import { runProcedure, type EngineEmit } from '#station/engine/engine.ts';
import { planPhases } from '#station/engine/plan.ts';
import { connectInstrument, suppliesFollowed, type OpenedInstrument } from '#station/instruments/connect.ts';
import { SimBench } from '#station/instruments/sim.ts';
import { hasSafeState, type Instrument } from '#station/instruments/drivers.ts';
import { traceLogs } from '#station/instruments/record.ts';
import { watchParent, type ParentWatch } from './parent-watch.ts';
import type { Identity, InstrumentStatus } from '#contract/instruments.ts';
import { toStationError, formatZodError } from '#contract/errors.ts';
import type { PromptAnswer } from '#contract/prompts.ts';
import type { Unit } from '#contract/records.ts';
import { AttachmentStore } from '#station/store/attachments.ts';

const SAFE_STATE_TIMEOUT_MS = 2000;

let loaded: LoadedProcedure | null = null;
let instruments: Record<string, Instrument> = {};
let opened: Record<string, OpenedInstrument> = {};
const identities = new Map<string, Identity>();
const bench = new SimBench();
let current: { runId: string; controller: AbortController } | null = null;
const pendingPrompts = new Map<string, (answer: PromptAnswer) => void>();

function send(msg: FromRunner): void {
  process.send?.(msg);
}

// Engine events go out in batches: one IPC message per turn of the event loop.
let batch: { kind: string; data: unknown }[] = [];
let batchRunId = '';
let flushQueued = false;
function flush(): void {
  flushQueued = false;
  if (batch.length === 0) return;
  send({ type: 'events', runId: batchRunId, events: batch });
  batch = [];
}
/** Trace lines kept per instrument per phase. */
const TRACE_PER_PHASE = 400;
const traceMarks = new Map<string, number>();

/** Adds each instrument's I/O of the phase to its record: always with trace=all, on FAIL/ERROR with trace=failed. */
function withTrace(e: EngineEmit): EngineEmit {
  if (e.kind === 'run.phaseStarted') {
    for (const [name, o] of Object.entries(opened)) traceMarks.set(name, o.connection.trace.mark());
  } else if (e.kind === 'run.phaseEnded') {
    const rec = e.data.phase;
    const failed = rec.outcome === 'FAIL' || rec.outcome === 'ERROR';
    for (const [name, o] of Object.entries(opened)) {
      const mode = o.address.trace;
      if (mode === 'off' || (mode === 'failed' && !failed)) continue;
      const entries = o.connection.trace.since(traceMarks.get(name) ?? 0);
      if (entries.length === 0) continue;
      const kept = entries.slice(-TRACE_PER_PHASE);
      const note = kept.length < entries.length ? `, the last ${kept.length} of ${entries.length}` : '';
      rec.logs.push(
        { level: 'debug', ts: new Date(kept[0]!.t).toISOString(), message: `I/O trace of ${name} (${o.address.address}${note}):`, source: 'io-trace' },
        ...traceLogs(name, kept),
      );
    }
  }
  return e;
}

// What this phase attempt already sent, by identity, with its position among them:
// run.phaseEnded points at it (see RunnerPhaseEndedSchema), within PHASE_REF_WINDOW.
class Sent {
  private readonly at = new Map<object, number>();
  private count = 0;
  add(x: object): void {
    this.at.set(x, this.count++);
    // Oldest first: the window keeps the most recent.
    if (this.at.size > PHASE_REF_WINDOW) this.at.delete(this.at.keys().next().value!);
  }
  ref<T extends object>(x: T): T | number {
    return this.at.get(x) ?? x;
  }
}
let sentMeasurements = new Sent();
let sentLogs = new Sent();

function compact(e: EngineEmit): { kind: string; data: unknown } {
  switch (e.kind) {
    case 'run.phaseStarted':
      sentMeasurements = new Sent();
      sentLogs = new Sent();
      return e;
    case 'run.measured':
      sentMeasurements.add(e.data.measurement);
      return { kind: e.kind, data: { index: e.data.index, phase: e.data.phase, measurements: [e.data.measurement] } };
    case 'run.logged':
      if (e.data.index !== null) sentLogs.add(e.data.log);
      return e;
    case 'run.phaseEnded': {
      const rec = e.data.phase;
      const phase = {
        ...rec,
        measurements: rec.measurements.map((m) => sentMeasurements.ref(m)),
        logs: rec.logs.map((l) => sentLogs.ref(l)),
      };
      sentMeasurements = new Sent();
      sentLogs = new Sent();
      return { kind: e.kind, data: { phase } };
    }
    default:
      return e;
  }
}

function emitFor(runId: string) {
  return (raw: EngineEmit) => {
    if (batchRunId !== runId) flush();
    batchRunId = runId;
    const last = batch.at(-1);
    if (raw.kind === 'run.measured' && last?.kind === 'run.measured') {
      // Measurements taken in one go travel as one event (of a bounded size).
      const d = last.data as { index: number; measurements: unknown[] };
      if (d.index === raw.data.index && d.measurements.length < 256) {
        sentMeasurements.add(raw.data.measurement);
        d.measurements.push(raw.data.measurement);
        return;
      }
    }
    const e = compact(withTrace(raw));
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

/** Every instrument to its safe state; a disconnected one gets a fresh connection attempt first. */
async function safeStateAll(): Promise<void> {
  await Promise.all(
    Object.values(opened)
      .filter(({ instrument }) => hasSafeState(instrument))
      .map(({ instrument: i, connection }) =>
        withTimeout(
          (async () => {
            if (connection.state !== 'connected') await connection.ready(SAFE_STATE_TIMEOUT_MS - 200, undefined, true);
            await i.safeState();
          })(),
          SAFE_STATE_TIMEOUT_MS,
          `safe state of ${i.name}`,
        ).catch((e: unknown) => send({ type: 'log', level: 'error', message: `instrument ${i.name}: safe state failed: ${(e as Error).message}` })),
      ),
  );
}

function status(o: OpenedInstrument, identity?: Identity): InstrumentStatus {
  const c = o.connection;
  return {
    name: c.name,
    address: o.address.address,
    driver: o.address.driver,
    state: c.state,
    ...(c.message !== undefined ? { message: c.message } : {}),
    ...(identity ? { identity } : {}),
    since: new Date().toISOString(),
  };
}

/** Opens one instrument; reports every state change and its identity once connected. */
function open(name: string, address: string, benchFollows: boolean): OpenedInstrument {
  const o = connectInstrument(name, address, { bench, benchFollows });
  identities.delete(name);
  o.connection.onState((state) => {
    if (opened[name] !== o) return;
    send({ type: 'instrument', status: status(o) });
    if (state === 'connected') {
      // Who is on the other end: for the station's view and the calibration check.
      o.instrument
        .identify(AbortSignal.timeout(o.address.timeoutMs))
        .then((id) => {
          identities.set(name, id);
          if (opened[name] === o) send({ type: 'instrument', status: status(o, id) });
        })
        .catch((e: unknown) => send({ type: 'log', level: 'warning', message: `instrument ${name}: no identity (*IDN?): ${(e as Error).message}` }));
    }
  });
  send({ type: 'instrument', status: status(o) });
  return o;
}

async function testInstrument(id: string, name: string, timeoutMs: number): Promise<void> {
  const o = opened[name];
  if (!o) return send({ type: 'instrumentTested', id, error: `this runner has no instrument ${name}` });
  const t0 = performance.now();
  try {
    await o.connection.ready(timeoutMs, undefined, true);
    const identity = await o.instrument.identify(AbortSignal.timeout(timeoutMs));
    identities.set(name, identity);
    send({ type: 'instrumentTested', id, identity, roundTripMs: Math.round((performance.now() - t0) * 100) / 100 });
  } catch (e) {
    send({ type: 'instrumentTested', id, error: (e as Error).message });
  }
}

/** A load the launcher asked for before the station existed (`prepare`), until a `load` takes it. */
let prepared: { dir: string; load: Promise<LoadedProcedure> } | null = null;

let addressesKey = '';
let attachmentStore: AttachmentStore | null = null;
let attachmentLimits: { maxBytes: number; runMaxBytes: number } | undefined;

/**
 * Loads (or reloads) the procedure. A reload that fails keeps the last good version
 * running; instruments are reopened only when their addresses changed.
 */
async function load(
  dir: string,
  overrides: Record<string, string>,
  opts: { safeState?: boolean | undefined; typecheck?: boolean | undefined; loadTimeoutMs?: number | undefined },
): Promise<void> {
  let proc: LoadedProcedure;
  try {
    // The launcher's `prepare` of this very folder (same check), once; any other load reads the folder now.
    const early = prepared?.dir === dir && opts.typecheck === undefined ? prepared.load : null;
    prepared = null;
    proc = await (early ??
      loadProcedure(
        dir,
        {},
        {
          ...(opts.typecheck !== undefined ? { typecheck: opts.typecheck } : {}),
          ...(opts.loadTimeoutMs !== undefined ? { importTimeoutMs: opts.loadTimeoutMs } : {}),
          onImport: (file) => {
            watch();
            send({ type: 'importing', file });
          },
        },
      ));
  } catch (e) {
    send({ type: 'loadFailed', error: toStationError(e), kept: loaded !== null });
    return;
  }
  try {
    const addresses = { ...proc.file.instruments, ...overrides };
    const key = JSON.stringify(addresses);
    if (key !== addressesKey || Object.keys(instruments).length !== Object.keys(addresses).length) {
      const old = opened;
      opened = {};
      instruments = {};
      addressesKey = '';
      for (const o of Object.values(old)) {
        await o.instrument.close().catch(() => undefined);
        send({ type: 'instrument', status: status(o) });
      }
      // A supply moved out of process (sim-cli, a bench supply) powers the in-process simulated board.
      const followed = suppliesFollowed(addresses);
      for (const [name, address] of Object.entries(addresses)) {
        const o = open(name, address, followed.has(name));
        opened[name] = o;
        instruments[name] = o.instrument;
      }
      addressesKey = key;
      watch().held(Object.entries(addresses).map(([name, address]) => ({ name, address })));
    }
    // A fresh runner may follow one that died with a supply on: make everything safe first
    // (unless the interrupted run's teardown comes first; it makes them safe after it).
    if (opts.safeState !== false) await safeStateAll();
    loaded = proc;
    send({ type: 'loaded', summary: proc.summary });
  } catch (e) {
    send({ type: 'loadFailed', error: toStationError(e), kept: false });
    loaded = null;
  }
}

async function start(
  runId: string,
  unit: Unit,
  params: Readonly<Record<string, string | number | boolean>> | undefined,
  teardown?: Extract<ToRunner, { type: 'teardown' }>,
): Promise<void> {
  if (!loaded || current) return;
  if (teardown && teardown.hash !== loaded.summary.hash) {
    // The files changed since the run started: its teardown is not this version's.
    send({ type: 'log', level: 'warning', message: `the procedure changed on disk since run ${runId} started: its teardown was not run` });
    await safeStateAll();
    send({ type: 'runEnded', runId, outcome: 'ERROR' });
    return;
  }
  const controller = new AbortController();
  current = { runId, controller };
  bench.unitSerial = unit.serialNumber;
  const emit = emitFor(runId);
  const result = await runProcedure({
    runId,
    // Every field the scan gave (revision, batch, dateCode from the serial pattern), not only the serial.
    unit,
    procedure: loaded.file,
    procedureDir: loaded.dir,
    plan: params && Object.keys(params).length ? planPhases(loaded.file, loaded.validators, params) : loaded.plan,
    phases: loaded.phases,
    validators: loaded.validators,
    instruments,
    ...(attachmentStore ? { storeAttachment: (bytes: Uint8Array) => attachmentStore!.put(bytes) } : {}),
    ...(attachmentLimits ? { attachmentLimits } : {}),
    ...(teardown ? { teardownOnly: { indices: teardown.indices, aborted: teardown.aborted, prior: teardown.prior } } : {}),
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
      void load(msg.dir, msg.instruments, msg);
      break;
    case 'prepare': {
      const load = loadProcedure(
        msg.dir,
        {},
        {
          ...(msg.loadTimeoutMs !== undefined ? { importTimeoutMs: msg.loadTimeoutMs } : {}),
          onImport: (file) => {
            watch();
            send({ type: 'importing', file });
          },
        },
      );
      // Its failure is the load's to report, if a load of this folder comes.
      load.catch(() => undefined);
      prepared = { dir: msg.dir, load };
      break;
    }
    case 'start':
      void start(msg.runId, msg.unit, msg.params);
      break;
    case 'teardown':
      void start(msg.runId, msg.unit, msg.params, msg);
      break;
    case 'abort':
      if (current?.runId === msg.runId) current.controller.abort(new Error(msg.reason ?? 'operator aborted the run'));
      break;
    case 'answer':
      pendingPrompts.get(msg.promptId)?.(msg.answer);
      break;
    case 'testInstrument':
      void testInstrument(msg.id, msg.name, msg.timeoutMs);
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
// Ctrl-C in a terminal signals the whole process group: the station (or CLI) decides how a
// run stops, with teardown and safe state; a runner that died of it would skip both.
process.on('SIGINT', () => undefined);
// The station went away (killed, crashed): instruments to their safe state, then go. If phase
// code holds the loop, this never runs; the watchdog thread (parent-watch.ts) ends us then.
process.on('disconnect', () => {
  void withTimeout(safeStateAll(), SAFE_STATE_TIMEOUT_MS + 500, 'safe state')
    .catch(() => undefined)
    .finally(() => process.exit(0));
});
/**
 * The watchdog thread starts before the first line of phase code (phases.ts's import), not
 * with the process: until then nothing here can hold the event loop, and the thread's own
 * start (a second Node environment) no longer competes with the runner's.
 */
let watchdog: ParentWatch | null = null;
function watch(): ParentWatch {
  return (watchdog ??= watchParent());
}
