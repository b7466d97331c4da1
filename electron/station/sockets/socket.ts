import { v7 as uuidv7 } from 'uuid';
import { EventDataSchemas, type EventData, type EventKind, type SocketState, type StationEvent } from '#contract/events.ts';
import { applySocketEvent, emptySocket, type LiveSocket } from '#contract/live.ts';
import { StationFault, formatZodError } from '#contract/errors.ts';
import { isPlainMeasured, isPlainPhaseStarted, isPlainRunnerPhaseEnded } from '#contract/measurement-check.ts';
import { failingMeasurements, type LogEntry, type Measurement, type PhaseError, type PhaseRecord, type RunOutcome, type Unit } from '#contract/records.ts';
import type { ProcedureSummary } from '#contract/procedure.ts';
import { answerProblem, type PromptAnswer } from '#contract/prompts.ts';
import { fault, message } from '#contract/messages.ts';
import type { EventBus } from '#station/events/bus.ts';
import type { RunsRepo } from '#station/store/runs-repo.ts';
import { RunnerHost } from '#station/runner/runner-host.ts';
import { PHASE_REF_WINDOW, RunnerPhaseEndedSchema, type FromRunner, type RunnerPhaseEnded } from '#station/runner/protocol.ts';
import type { Identity, InstrumentStatus } from '#contract/instruments.ts';
import { safeStateFresh } from '#station/instruments/safe-state.ts';
import { serialRefusal } from '#station/scanning/serial-refusal.ts';
import { hashProcedure, loadTimeoutFault } from '#station/procedures/load.ts';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Extra time past a phase's own timeout before the station stops waiting for the runner. */
export const WATCHDOG_GRACE_MS = 1000;
/** Extra time past the load limit before the station kills a runner that does not answer (a busy loop at import). */
const LOAD_GRACE_MS = 1000;
/** Runner events that follow a commit this closely wait to share the next one (see drainBatches). */
const GROUP_COMMIT_MS = 2;
/** A runner that dies while loading is started again this many times, after 250 ms, 500 ms, 1 s. */
export const LOAD_RETRIES = 3;
/** What the operator sees while an interrupted run's teardown runs in the fresh runner. */
export const CLEANING_UP = 'Cleaning up…';

/** The event kinds a runner may send; anything else is refused. */
const RUNNER_EVENT_KINDS: ReadonlySet<string> = new Set([
  'run.phaseStarted',
  'run.measured',
  'run.logged',
  'run.progressed',
  'run.attached',
  'run.phaseEnded',
  'prompt.opened',
  'prompt.closed',
]);

export interface SocketConfig {
  index: number;
  stationId: string;
  appVersion: string;
  procedureDir: string;
  instruments: Record<string, string>;
  abortGraceMs: number;
  bus: EventBus;
  repo: RunsRepo;
  /** Upload targets a finished run is queued for. */
  uploadTargets: () => readonly string[];
  /** A reason no run may start (disk full, database fault), or null. */
  blocked: () => StationFault | null;
  /** A store write failed: lets the station notice a full or read-only disk; returns what went wrong in a few words ("disk full"). */
  onStoreError: (e: unknown) => string;
  /** A write that failed for want of space, for the station to retry when space returns. */
  deferWrite: (write: () => void) => void;
  /** Where runners store attachments (content-addressed), and the limits per file and per run. */
  attachments: { dir: string; maxBytes: number; runMaxBytes: number };
  /** How long importing phases.ts may take before the load counts as failed. */
  loadTimeoutMs: number;
  /** Where this socket keeps a copy of the last version that loaded (a fresh runner falls back to it). */
  lastGoodDir: string;
  log: (level: 'info' | 'warning' | 'error', message: string) => void;
}

/** What a phase sent, by position, keeping at least the last PHASE_REF_WINDOW (null: refused). */
class Received<T> {
  private items: (T | null)[] = [];
  private base = 0;
  add(x: T | null): void {
    this.items.push(x);
    if (this.items.length >= 2 * PHASE_REF_WINDOW) {
      this.items = this.items.slice(PHASE_REF_WINDOW);
      this.base += PHASE_REF_WINDOW;
    }
  }
  at(position: number): T | null | undefined {
    return position < this.base ? undefined : this.items[position - this.base];
  }
  recent(): readonly (T | null)[] {
    return this.items;
  }
}
const received = () => ({ measurements: new Received<Measurement>(), logs: new Received<LogEntry>() });

interface ActiveRun {
  id: string;
  unit: Unit;
  startedAt: string;
  t0: number;
  runSeq: number;
  phaseSeq: number | null;
  phase: { index: number; name: string; attempt: number; startedAt: string; t0: number } | null;
  /** What the runner sent as run.measured / run.logged in this phase attempt (null: refused), for its run.phaseEnded. */
  sent: { measurements: Received<Measurement>; logs: Received<LogEntry> };
  /** `index/attempt` of every phase ended: a second end of the same one is refused. */
  endedPhases: Set<string>;
  /** What the station could not read of the runner's record: such a run cannot pass. */
  unreadable: string[];
  /** The running phase's deadline (performance.now() ms), or null between phases. */
  watch: { name: string; timeoutMs: number; at: number } | null;
  abortTimer: NodeJS.Timeout | null;
  abortRequested: boolean;
  /** The words the abort gave, kept as the run's reason. */
  abortReason?: string;
  ended: boolean;
  procedureHash: string;
  params: Record<string, string | number | boolean> | undefined;
  /**
   * Its runner was killed (timeout, abort, crash): a fresh runner runs the teardown phases
   * still waiting, then the safe state; the run keeps the ending the interruption gave it.
   * `held`: the killed runner's instruments, made safe by the station if the teardown cannot run.
   */
  cleanup: { outcome: RunOutcome; reason: string; aborted: boolean; stage: 'waiting' | 'tearing'; spawned: boolean; held: InstrumentStatus[] } | null;
  /** Why a store write of this run failed ("disk full"): the run ends ERROR, never with a verdict the store lacks. */
  storeFailed: string | null;
  /** Phases shown but not journaled: written with the run's end. */
  unsaved: PhaseRecord[];
}

/**
 * One test position: a state machine (starting → ready → running → result) over a
 * long-lived runner process, journaling every run into the store as it goes.
 */
export class Socket {
  readonly index: number;
  private cfg: SocketConfig;
  private readonly runner: RunnerHost;
  private live: LiveSocket;
  /** Whether this.live's phases array was made here and never handed out (see applySocketEvent). */
  private ownsLivePhases = false;
  private run: ActiveRun | null = null;
  procedure: ProcedureSummary | null = null;
  procedureError: StationFault | null = null;
  /** A reload that failed while an earlier version still runs. */
  procedureWarning: StationFault | null = null;
  private reloadPending = false;
  private runnerReady = false;
  private crashes: number[] = [];
  private restartTimer: NodeJS.Timeout | null = null;
  private closing = false;
  private readyWaiters: (() => void)[] = [];
  /** Instruments the runner opened: after it dies, the station makes them safe itself. */
  private held = new Map<string, InstrumentStatus>();
  private safeStating: Promise<void> = Promise.resolve();
  /** Between sending `load` and hearing loaded/loadFailed (or the runner's exit). */
  private loading = false;
  private loadTimer: NodeJS.Timeout | null = null;
  private loadTimedOut = false;
  /** Runners that died while loading, in a row. */
  private loadExits = 0;
  /** No runner is started again until the files change (the load failed for good). */
  private gaveUp = false;
  /** A copy of the last version that loaded, and whether the files on disk are known not to load. */
  private lastGood: { hash: string; dir: string; name: string; version: string } | null = null;
  private loadingCopy = false;
  private diskBad = false;
  /** Why the files on disk did not load, shown once the last good version runs again. */
  private pendingWarning: StationFault | null = null;
  private instrumentTests = new Map<string, (r: { identity?: Identity; roundTripMs?: number; error?: string }) => void>();
  private testSeq = 0;

  constructor(cfg: SocketConfig) {
    this.cfg = cfg;
    this.index = cfg.index;
    this.live = emptySocket(cfg.index);
    this.runner = new RunnerHost(`socket ${cfg.index}`, {
      message: (m) => this.onRunnerMessage(m),
      exit: (info) => this.onRunnerExit(info),
      error: (message) => cfg.log('error', message),
    });
  }

  get snapshot(): LiveSocket {
    // Handed out: the next phase update copies the phases array instead of writing into it.
    this.ownsLivePhases = false;
    return this.live;
  }

  get state(): SocketState {
    return this.live.state;
  }

  /** Resolves when the runner has loaded the procedure (or failed to). */
  whenSettled(): Promise<void> {
    if (this.runnerReady || this.live.state === 'error') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private publish<K extends EventKind>(
    kind: K,
    data: EventData<K>,
    parentSeq: number | null = null,
    runId: string | null = this.run?.id ?? null,
  ): StationEvent {
    return this.cfg.bus.publish({ kind, data, parentSeq, runId, socket: this.index }, (e) => {
      const before = this.live.run?.phases;
      this.live = applySocketEvent(this.live, e, this.ownsLivePhases);
      // A new array (a run's start, the copy after a snapshot) is this socket's alone until handed out.
      if (this.live.run?.phases !== before) this.ownsLivePhases = this.live.run !== null;
    });
  }

  private setState(state: SocketState, message?: string): void {
    if (this.live.state === state && this.live.message === message) return;
    this.publish('socket.changed', message === undefined ? { state } : { state, message }, null, null);
  }

  start(): void {
    this.setState('starting');
    this.spawnRunner();
  }

  private spawnRunner(): void {
    this.runnerReady = false;
    this.gaveUp = false;
    this.publish('runner.changed', { state: 'starting' }, null, null);
    this.runner.start();
    const cleanup = this.run?.cleanup;
    if (cleanup) cleanup.spawned = true;
    // An interrupted run's teardown is that run's version; after files that do not load, the last good one.
    const wanted = cleanup ? this.run!.procedureHash : this.diskBad ? this.lastGood?.hash : undefined;
    this.sendLoad(wanted !== undefined && this.lastGood?.hash === wanted ? this.lastGood.dir : this.sourceDir(), !cleanup);
  }

  private sendLoad(dir: string, safeState: boolean): void {
    this.loading = true;
    this.loadingCopy = dir !== this.cfg.procedureDir;
    // One copy at a time (a failed load's copy stays until the station starts again).
    if (!this.loadingCopy) this.copying = this.copying.then(() => this.copyFolder());
    this.loadTimedOut = false;
    this.runner.send({
      type: 'load',
      dir,
      instruments: this.cfg.instruments,
      attachments: this.cfg.attachments,
      safeState,
      // The copy passed the type check as the original; at its own path the SDK types are not found.
      ...(dir !== this.cfg.procedureDir ? { typecheck: false } : {}),
      loadTimeoutMs: this.cfg.loadTimeoutMs,
    });
  }

  private clearLoadTimer(): void {
    if (this.loadTimer) clearTimeout(this.loadTimer);
    this.loadTimer = null;
  }

  /**
   * The files on disk do not load (hang, exit, error) but an earlier version did: the
   * runner loads that one's copy, and the screen says why the edit was not taken.
   */
  private fallBackToLastGood(fault: StationFault, respawn: boolean): void {
    const good = this.lastGood!;
    this.diskBad = true;
    this.pendingWarning = new StationFault(
      fault.kind,
      `${fault.message}\n(still running ${good.name} ${good.version}, the last version that loaded)`,
      fault.details,
    );
    this.cfg.log('warning', `socket ${this.index}: ${fault.message}; running the last version that loaded (${good.name} ${good.version}) again`);
    if (respawn) this.spawnRunner();
    else this.sendLoad(good.dir, true);
  }

  /** The load failed for good: the socket shows why and refuses scans with it until the files change. */
  private failLoad(fault: StationFault): void {
    this.gaveUp = true;
    this.procedure = null;
    this.procedureWarning = null;
    this.procedureError = fault;
    this.publish('runner.changed', { state: 'stopped', message: fault.message }, null, null);
    this.publish('procedure.failed', { error: fault.toJSON() }, null, null);
    this.setState('error', fault.message);
    this.settle();
  }

  /** The killed runner's instruments to their safe state over fresh connections (no runner holds them now). */
  private safeStateHeld(held: readonly InstrumentStatus[]): Promise<void> {
    if (held.length === 0) return this.safeStating;
    const before = this.safeStating;
    return before.then(() =>
      safeStateFresh(held).then((problems) => {
        for (const p of problems) this.cfg.log('error', `socket ${this.index}: ${p}`);
      }),
    );
  }

  /** The fresh runner has the run's version loaded: run the teardown phases still waiting. */
  private startTeardown(run: ActiveRun): void {
    const cleanup = run.cleanup!;
    cleanup.stage = 'tearing';
    const phases = this.live.run?.runId === run.id ? this.live.run.phases : [];
    const ended = new Set(['PASS', 'FAIL', 'ERROR', 'SKIP', 'ABORTED']);
    this.runner.send({
      type: 'teardown',
      runId: run.id,
      unit: run.unit,
      ...(run.params ? { params: run.params } : {}),
      hash: run.procedureHash,
      indices: phases.filter((p) => p.group === 'teardown' && p.status === 'waiting').map((p) => p.index),
      aborted: cleanup.aborted,
      prior: phases
        .filter((p) => ended.has(p.status))
        .map((p) => ({ index: p.index, outcome: p.status as PhaseRecord['outcome'], measurements: p.measurements })),
    });
  }

  /**
   * A copy of the folder taken as a load from disk starts: if that load succeeds with the
   * same hash, the copy is the version that loaded (an edit a moment later cannot change it).
   */
  private copying: Promise<{ hash: string; dir: string } | null> = Promise.resolve(null);
  private copies = 0;

  private copyFolder(): Promise<{ hash: string; dir: string } | null> {
    const n = ++this.copies;
    const dir = join(this.cfg.lastGoodDir, `incoming-${n}`);
    return (async () => {
      try {
        // Copies from an earlier start of the station are of no use to this one.
        if (n === 1) await rm(this.cfg.lastGoodDir, { recursive: true, force: true });
        await mkdir(this.cfg.lastGoodDir, { recursive: true });
        await cp(this.cfg.procedureDir, dir, { recursive: true });
        return { hash: await hashProcedure(dir), dir };
      } catch (e) {
        this.cfg.log('warning', `socket ${this.index}: could not keep a copy of the procedure: ${(e as Error).message}`);
        await rm(dir, { recursive: true, force: true }).catch(() => undefined);
        return null;
      }
    })();
  }

  /** The version that just loaded from disk becomes the last good one, its copy kept. */
  private async keepGoodCopy({ hash, name, version }: ProcedureSummary): Promise<void> {
    const copy = await this.copying;
    if (!copy) return;
    try {
      if (copy.hash !== hash || this.lastGood?.hash === hash) {
        // Edited between the copy and the load (or the same version again): not kept.
        await rm(copy.dir, { recursive: true, force: true });
        return;
      }
      const dest = join(this.cfg.lastGoodDir, hash.slice(0, 16));
      await rm(dest, { recursive: true, force: true });
      await rename(copy.dir, dest);
      const old = this.lastGood;
      this.lastGood = { hash, dir: dest, name, version };
      if (old && old.dir !== dest && this.run?.procedureHash !== old.hash) await rm(old.dir, { recursive: true, force: true });
    } catch (e) {
      this.cfg.log('warning', `socket ${this.index}: could not keep a copy of the procedure that loaded: ${(e as Error).message}`);
    }
  }

  private settle(): void {
    for (const w of this.readyWaiters.splice(0)) w();
  }

  /**
   * Event batches wait for the end of this turn of the event loop, so batches that
   * arrive together share one transaction (a group commit): a runner that sends a batch
   * per phase no longer costs a commit per phase. Batches that come within
   * GROUP_COMMIT_MS of the last commit wait for the rest of that window: a run of fast
   * phases (a batch per phase start) commits a few times per window, not per phase,
   * while a phase after a pause is committed and shown at once.
   */
  private pendingBatches: { runId: string; events: { kind: string; data: unknown }[] }[] = [];
  private drainScheduled = false;
  private lastDrainAt = Number.NEGATIVE_INFINITY;

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    const wait = this.lastDrainAt + GROUP_COMMIT_MS - performance.now();
    if (wait <= 0) setImmediate(() => this.drainBatches());
    else setTimeout(() => this.drainBatches(), wait);
  }

  private drainBatches(): void {
    this.drainScheduled = false;
    if (this.pendingBatches.length === 0) return;
    this.lastDrainAt = performance.now();
    const batches = this.pendingBatches.splice(0);
    let i = 0;
    while (i < batches.length) {
      const runId = batches[i]!.runId;
      const events: { kind: string; data: unknown }[] = [];
      for (; i < batches.length && batches[i]!.runId === runId; i++) events.push(...batches[i]!.events);
      this.onRunnerEvents(runId, events);
    }
  }

  private onRunnerMessage(m: FromRunner): void {
    if (m.type === 'events') {
      this.pendingBatches.push({ runId: m.runId, events: m.events });
      this.scheduleDrain();
      return;
    }
    // Anything else comes after the events sent before it.
    this.drainBatches();
    switch (m.type) {
      case 'importing':
        // The load limit counts from here: a runner that spins at import never answers by itself.
        this.clearLoadTimer();
        this.loadTimer = setTimeout(() => {
          this.loadTimer = null;
          if (!this.loading) return;
          this.loadTimedOut = true;
          this.cfg.log('error', `socket ${this.index}: ${m.file} did not finish loading within ${this.cfg.loadTimeoutMs} ms; the runner was stopped`);
          this.runner.kill();
        }, this.cfg.loadTimeoutMs + LOAD_GRACE_MS);
        break;
      case 'loaded': {
        this.clearLoadTimer();
        this.loading = false;
        this.loadExits = 0;
        const fromCopy = m.summary.dir !== this.cfg.procedureDir;
        // Shown by the folder the station watches, also when it runs a copy.
        const summary = fromCopy ? { ...m.summary, dir: this.cfg.procedureDir } : m.summary;
        if (!fromCopy) {
          this.diskBad = false;
          this.pendingWarning = null;
          void this.keepGoodCopy(m.summary);
        }
        this.procedure = summary;
        this.procedureError = null;
        this.procedureWarning = null;
        this.runnerReady = true;
        this.publish('runner.changed', { state: 'ready', ...(this.runner.pid !== undefined ? { pid: this.runner.pid } : {}) }, null, null);
        this.publish('procedure.loaded', { procedure: summary }, null, null);
        if (fromCopy && this.pendingWarning) {
          this.procedureWarning = this.pendingWarning;
          this.publish('procedure.failed', { error: this.procedureWarning.toJSON() }, null, null);
        }
        if (this.run?.cleanup?.stage === 'waiting') this.startTeardown(this.run);
        else if (!this.run) this.setState(this.live.run?.outcome ? 'result' : 'ready');
        this.settle();
        break;
      }
      case 'loadFailed':
        this.clearLoadTimer();
        this.loading = false;
        this.loadExits = 0;
        if (this.run?.cleanup?.stage === 'waiting') {
          // The fresh runner cannot run the teardown: the station makes the instruments safe itself.
          this.cfg.log('error', `socket ${this.index}: the teardown of run ${this.run.id} could not run: ${m.error.message}`);
          this.safeStating = this.safeStateHeld(this.run.cleanup.held);
          this.finish(this.run.cleanup.outcome, this.run.cleanup.reason, []);
        }
        if (!m.kept && this.lastGood && !this.loadingCopy) {
          // The version that ran went with its runner (killed, restarted): load the last good copy.
          this.fallBackToLastGood(new StationFault(m.error.kind, m.error.message, m.error.details), false);
          break;
        }
        if (m.kept && this.procedure) {
          // A bad edit never stops the line: the last good version runs on.
          this.procedureWarning = new StationFault(
            m.error.kind,
            `${m.error.message}\n(still running ${this.procedure.name} ${this.procedure.version}, the last version that loaded)`,
            m.error.details,
          );
          this.publish('procedure.failed', { error: this.procedureWarning.toJSON() }, null, null);
          this.runnerReady = true;
          this.settle();
          break;
        }
        this.procedure = null;
        this.procedureError = new StationFault(m.error.kind, m.error.message, m.error.details);
        this.publish('procedure.failed', { error: m.error }, null, null);
        this.setState('error', m.error.message);
        this.settle();
        break;
      case 'runEnded':
        if (this.run && this.run.id === m.runId && !this.run.ended && this.run.cleanup) {
          // The teardown after a kill is done: the run keeps the ending the interruption gave it.
          this.finish(this.run.cleanup.outcome, this.run.cleanup.reason, []);
        } else if (this.run && this.run.id === m.runId && !this.run.ended) {
          if (m.outcome === 'PASS' && this.run.unreadable.length > 0) {
            this.finish('ERROR', `the station could not read all of the runner's record (${this.run.unreadable.join('; ')})`, []);
          } else {
            this.finish(
              m.outcome,
              this.run.abortRequested && m.outcome === 'ABORTED' ? (this.run.abortReason ?? message('reasonOperatorAborted')) : m.outcomeReason,
              [],
            );
          }
        }
        break;
      case 'log':
        this.cfg.log(m.level, `socket ${this.index}: ${m.message}`);
        break;
      case 'instrument':
        if (m.status.state === 'closed') this.held.delete(m.status.name);
        else this.held.set(m.status.name, m.status);
        this.publish('instrument.changed', m.status, null, null);
        break;
      case 'instrumentTested':
        this.instrumentTests.get(m.id)?.(m);
        break;
    }
  }

  /** A fixture label scanned on this socket: kept in the live view and recorded on the next runs. */
  setFixture(fixtureId: string | null): void {
    this.publish('fixture.changed', { fixtureId }, null, null);
  }

  /** Identity of an instrument this socket's runner holds open, through its own session. */
  testInstrument(name: string, timeoutMs: number): Promise<{ identity?: Identity; roundTripMs?: number; error?: string }> {
    const id = String(++this.testSeq);
    return new Promise((resolve) => {
      const t = setTimeout(() => done({ error: `the runner of socket ${this.index} did not answer within ${timeoutMs + 1000} ms` }), timeoutMs + 1000);
      const done = (r: { identity?: Identity; roundTripMs?: number; error?: string }) => {
        clearTimeout(t);
        this.instrumentTests.delete(id);
        resolve(r);
      };
      this.instrumentTests.set(id, done);
      if (!this.runner.send({ type: 'testInstrument', id, name, timeoutMs }))
        done({ error: `socket ${this.index} has no runner right now; try again in a moment` });
    });
  }

  private onRunnerEvents(runId: string, events: { kind: string; data: unknown }[]): void {
    const run = this.run;
    if (!run || run.id !== runId || run.ended) return;
    // Parse the whole batch first, journal the phases it ends, and only then tell
    // anyone: a subscriber never holds a phase end that the store does not have.
    const parsedEvents: { kind: EventKind; data: unknown }[] = [];
    const ended: PhaseRecord[] = [];
    for (const raw of events) {
      if (raw.kind === 'run.phaseEnded') {
        const phase = this.resolvePhaseEnded(run, raw.data);
        if (phase) {
          parsedEvents.push({ kind: 'run.phaseEnded', data: { phase } });
          ended.push(phase);
        }
        continue;
      }
      const schema = (EventDataSchemas as Record<string, (typeof EventDataSchemas)[EventKind]>)[raw.kind];
      // The hottest paths (every measurement, every phase start) are checked by hand when in the common shape; see measurement-check.ts.
      const parsed =
        (raw.kind === 'run.measured' && isPlainMeasured(raw.data)) || (raw.kind === 'run.phaseStarted' && isPlainPhaseStarted(raw.data))
          ? { success: true as const, data: raw.data }
          : schema?.safeParse(raw.data);
      if (!schema || !parsed?.success || !RUNNER_EVENT_KINDS.has(raw.kind)) {
        this.cfg.log(
          'error',
          `socket ${this.index}: runner sent a bad ${raw.kind} event: ${parsed && !parsed.success ? formatZodError(parsed.error) : 'unknown kind'}`,
        );
        // Keeps positions aligned with the runner's count: a phase end pointing here is refused.
        if (raw.kind === 'run.measured') {
          const n = (raw.data as { measurements?: unknown } | null)?.measurements;
          for (let i = 0; i < (Array.isArray(n) ? n.length : 1); i++) run.sent.measurements.add(null);
        } else if (raw.kind === 'run.logged') run.sent.logs.add(null);
        continue;
      }
      parsedEvents.push({ kind: raw.kind as EventKind, data: parsed.data });
      if (raw.kind === 'run.phaseStarted') run.sent = received();
      else if (raw.kind === 'run.measured') for (const m of (parsed.data as EventData<'run.measured'>).measurements) run.sent.measurements.add(m);
      else if (raw.kind === 'run.logged') {
        const d = parsed.data as EventData<'run.logged'>;
        if (d.index !== null) run.sent.logs.add(d.log);
      }
    }
    const publishAll = () => {
      for (const { kind, data } of parsedEvents) {
        if (kind === 'run.phaseStarted') {
          const d = data as EventData<'run.phaseStarted'>;
          const e = this.publish('run.phaseStarted', d, run.runSeq);
          run.phaseSeq = e.seq;
          run.phase = { index: d.index, name: d.name, attempt: d.attempt, startedAt: d.startedAt, t0: performance.now() };
          this.armWatchdog(d.name, d.timeoutMs);
        } else if (kind === 'run.phaseEnded') {
          this.publish('run.phaseEnded', data as EventData<'run.phaseEnded'>, run.phaseSeq ?? run.runSeq);
          run.phase = null;
          this.disarmWatchdog();
        } else {
          this.publish(kind, data as never, run.phaseSeq ?? run.runSeq);
        }
      }
    };
    if (ended.length === 0) {
      publishAll();
      return;
    }
    // One commit for the phase rows and the batch's events in the log; subscribers hear
    // of the batch only after it (a group commit: one per batch, not one per phase).
    const bus = this.cfg.bus;
    let published = false;
    bus.hold();
    try {
      this.cfg.repo.transaction(() => {
        this.cfg.repo.insertPhases(run.id, ended);
        publishAll();
        published = true;
        bus.flush();
      });
    } catch (e) {
      run.storeFailed ??= this.cfg.onStoreError(e);
      run.unsaved.push(...ended);
      this.cfg.log('error', `socket ${this.index}: could not journal phases of run ${run.id}: ${(e as Error).message}`);
      if (!published) publishAll();
    } finally {
      bus.release();
    }
    // A run whose results cannot be stored stops now: the screen must not show a verdict the store lacks.
    if (run.storeFailed && !run.ended) {
      this.forceEnd('ERROR', message('reasonNotSaved', { why: run.storeFailed }), {
        kind: 'exception',
        message: message('reasonNotSaved', { why: run.storeFailed }),
      });
    }
  }

  /**
   * A runner's phase end with its references to what the phase sent put back: the full
   * record; null if it cannot be read at all or ends a phase a second time. A phase end
   * that points at something never received (phase code sending forged messages) is
   * kept as ERROR with what did arrive, and the run cannot pass.
   */
  private resolvePhaseEnded(run: ActiveRun, data: unknown): PhaseRecord | null {
    const parsed = isPlainRunnerPhaseEnded(data) ? { success: true as const, data: data as RunnerPhaseEnded } : RunnerPhaseEndedSchema.safeParse(data);
    if (!parsed.success) {
      this.cfg.log('error', `socket ${this.index}: runner sent a bad run.phaseEnded event: ${formatZodError(parsed.error)}`);
      return null;
    }
    const { measurements, logs, ...rest } = parsed.data.phase;
    const key = `${rest.index}/${rest.attempt}`;
    if (run.endedPhases.has(key)) {
      this.cfg.log('error', `socket ${this.index}: runner ended phase ${rest.name} (attempt ${rest.attempt}) a second time; the second end is ignored`);
      return null;
    }
    run.endedPhases.add(key);
    const sent = run.sent;
    run.sent = received();
    const out: PhaseRecord = { ...rest, measurements: [], logs: [] };
    const missing: string[] = [];
    for (const m of measurements) {
      const v = typeof m === 'number' ? sent.measurements.at(m) : m;
      if (v) out.measurements.push(v);
      else missing.push(`measurement #${String(m)}`);
    }
    for (const l of logs) {
      const v = typeof l === 'number' ? sent.logs.at(l) : l;
      if (v) out.logs.push(v);
      else missing.push(`log line #${String(l)}`);
    }
    if (missing.length === 0) return out;
    const message = `the station never received ${missing.join(', ')} this phase's end refers to; the phase is kept with what arrived`;
    this.cfg.log('error', `socket ${this.index}: runner sent a bad run.phaseEnded event for phase ${rest.name}: ${message}`);
    run.unreadable.push(`phase ${rest.name}: ${message}`);
    for (const m of sent.measurements.recent()) if (m && !out.measurements.includes(m)) out.measurements.push(m);
    return { ...out, outcome: 'ERROR', error: { kind: 'exception', message } };
  }

  /**
   * One timer per socket watches the running phase's deadline. Arming sets the deadline
   * and touches the timer only when it would fire too late; a timer that fires early
   * waits for the rest. Phases come and go by the thousand a second: a timer created
   * and cleared for each costs more than the phase.
   */
  private watchdogTimer: NodeJS.Timeout | null = null;
  private watchdogFiresAt = 0;

  private armWatchdog(name: string, timeoutMs: number): void {
    const run = this.run;
    if (!run) return;
    const at = performance.now() + timeoutMs + WATCHDOG_GRACE_MS;
    run.watch = { name, timeoutMs, at };
    if (this.watchdogTimer && this.watchdogFiresAt <= at) return;
    this.startWatchdogTimer(at);
  }

  private startWatchdogTimer(at: number): void {
    if (this.watchdogTimer) clearTimeout(this.watchdogTimer);
    this.watchdogFiresAt = at;
    this.watchdogTimer = setTimeout(() => this.onWatchdogTimer(), Math.max(0, at - performance.now()));
  }

  private onWatchdogTimer(): void {
    this.watchdogTimer = null;
    const w = this.run?.watch;
    if (!w) return;
    if (w.at > performance.now()) {
      this.startWatchdogTimer(w.at);
      return;
    }
    this.forceEnd('ERROR', message('reasonPhaseHung', { phase: w.name, ms: w.timeoutMs }), {
      kind: 'timeout',
      message: message('phaseIgnoredAbort', { ms: w.timeoutMs }),
    });
  }

  /** Between phases: the timer stays (it is cheap to let it fire once and find nothing). */
  private disarmWatchdog(): void {
    if (this.run) this.run.watch = null;
  }

  private stopWatchdogTimer(): void {
    if (this.watchdogTimer) clearTimeout(this.watchdogTimer);
    this.watchdogTimer = null;
  }

  /** Starts a run on a scanned unit. */
  startRun(
    serialNumber: string,
    operatorId?: string,
    params?: Record<string, string | number | boolean>,
    /** Unit fields from the scan (named groups), and what to journal with the run row, in its transaction. */
    extra?: { unit?: Partial<Unit>; withRun?: (runId: string) => void },
  ): string {
    const blocked = this.cfg.blocked();
    if (blocked) throw blocked;
    if (this.procedureError) throw this.procedureError;
    if (this.run?.cleanup) {
      throw fault('busy', 'socketCleaningUp', { socket: this.index + 1, serial: this.run.unit.serialNumber });
    }
    if (this.run) throw fault('busy', 'socketBusy', { socket: this.index + 1, serial: this.run.unit.serialNumber });
    const proc = this.procedure;
    if (!proc || !this.runnerReady) throw fault('engine.unavailable', 'socketGettingReady', { socket: this.index });
    const serial = serialNumber.trim();
    if (!new RegExp(proc.serialPattern).test(serial)) {
      const why = serialRefusal(serial, proc);
      throw fault('serial.invalid', why.key, why.params, { field: 'serialNumber', pattern: proc.serialPattern, example: proc.serialExample });
    }
    const unit: Unit = { serialNumber: serial, ...(proc.partNumber !== undefined ? { partNumber: proc.partNumber } : {}), ...extra?.unit };
    const id = uuidv7();
    const startedAt = new Date().toISOString();
    const procedure = { id: proc.id, name: proc.name, version: proc.version, hash: proc.hash, ...(proc.files ? { files: proc.files } : {}) };
    try {
      this.cfg.repo.transaction(() => {
        this.cfg.repo.insertRun({
          id,
          stationId: this.cfg.stationId,
          socket: this.index,
          ...(operatorId ? { operatorId } : {}),
          appVersion: this.cfg.appVersion,
          procedure,
          unit,
          startedAt,
        });
        extra?.withRun?.(id);
      });
    } catch (e) {
      this.cfg.onStoreError(e);
      throw e;
    }
    this.run = {
      id,
      unit,
      startedAt,
      t0: performance.now(),
      runSeq: 0,
      phaseSeq: null,
      phase: null,
      sent: received(),
      endedPhases: new Set(),
      unreadable: [],
      watch: null,
      abortTimer: null,
      abortRequested: false,
      ended: false,
      procedureHash: proc.hash,
      params,
      cleanup: null,
      storeFailed: null,
      unsaved: [],
    };
    // The summary lists the runner's plan: enabled phases in run order, instances expanded.
    const planned = proc.phases.filter((p) => p.enabled);
    const e = this.publish('run.started', {
      procedure,
      unit,
      ...(operatorId ? { operatorId } : {}),
      startedAt,
      plannedPhases: planned.map((p) => ({
        name: p.name,
        ...(p.title !== undefined ? { title: p.title } : {}),
        ...(p.titles !== undefined ? { titles: p.titles } : {}),
        group: p.group,
      })),
    });
    this.run.runSeq = e.seq;
    this.setState('running');
    this.runner.send({ type: 'start', runId: id, unit, ...(params ? { params } : {}) });
    return id;
  }

  /**
   * The approved copy to run instead of the folder (a change on disk waits for approval), or null.
   * It loads like a last-good copy: no type check at its own path, shown by the folder's path.
   */
  private pinned: string | null = null;

  private sourceDir(): string {
    return this.pinned ?? this.cfg.procedureDir;
  }

  get dir(): string {
    return this.cfg.procedureDir;
  }

  /**
   * Runs another folder (procedures.assign) or an approved copy of this one, from the next
   * run on: loaded now if idle, else when the run ends (never during one).
   */
  setSource(dir: string, pinned: string | null): boolean {
    if (dir === this.cfg.procedureDir && pinned === this.pinned) return false;
    if (dir !== this.cfg.procedureDir) this.lastGood = null;
    this.cfg.procedureDir = dir;
    this.pinned = pinned;
    this.reload();
    return true;
  }

  /** Picks up an edited procedure: now if idle, else as soon as the run ends. */
  reload(): void {
    if (this.closing) return;
    // Edited files get their chance again.
    this.diskBad = false;
    if (this.gaveUp && !this.run && !this.runner.alive && !this.restartTimer) {
      this.loadExits = 0;
      this.spawnRunner();
      return;
    }
    if (this.run || !this.runner.alive) {
      this.reloadPending = true;
      return;
    }
    this.sendLoad(this.sourceDir(), true);
  }

  /** Cooperative first; after the grace period the runner is killed. */
  abort(reason?: string): boolean {
    const run = this.run;
    if (!run || run.ended) return false;
    // Already stopped: its teardown runs to its end, each phase within its timeout.
    if (run.abortRequested || run.cleanup) return true;
    run.abortRequested = true;
    if (reason !== undefined) run.abortReason = reason;
    const words = reason ?? 'operator aborted the run';
    this.runner.send({ type: 'abort', runId: run.id, ...(reason !== undefined ? { reason } : {}) });
    run.abortTimer = setTimeout(() => {
      this.forceEnd('ABORTED', message('reasonAbortForced', { why: words }), {
        kind: 'aborted',
        message: words,
      });
    }, this.cfg.abortGraceMs);
    return true;
  }

  answerPrompt(promptId: string, answer: PromptAnswer): void {
    const prompt = this.live.prompt;
    if (!this.run || !prompt || prompt.id !== promptId) throw fault('prompt.unknown', 'promptClosed');
    const problem = answerProblem(prompt, answer);
    if (problem) throw fault('invalid-input', problem.key, problem.params, { field: 'answer' }, 'answer');
    this.runner.send({ type: 'answer', promptId, answer });
    this.publish('prompt.answered', { promptId, answer }, this.run.phaseSeq ?? this.run.runSeq);
  }

  /** Ends the run from the station's side when the runner cannot: kill, record, restart. */
  private forceEnd(outcome: RunOutcome, reason: string, phaseError: PhaseError): void {
    this.drainBatches();
    const run = this.run;
    if (!run || run.ended) return;
    this.runner.kill();
    // The killed runner may still look connected until its exit arrives: a scan in
    // between must wait for the fresh runner, not go to the dying one and hang.
    this.runnerReady = false;
    const interrupted: PhaseRecord[] = [];
    if (run.phase) {
      const livePhase = this.live.run?.phases[run.phase.index];
      const record: PhaseRecord = {
        index: run.phase.index,
        name: run.phase.name,
        group: livePhase?.group ?? 'main',
        attempt: run.phase.attempt,
        outcome: outcome === 'ABORTED' ? 'ABORTED' : 'ERROR',
        startedAt: run.phase.startedAt,
        endedAt: new Date().toISOString(),
        durationMs: Math.round((performance.now() - run.phase.t0) * 1000) / 1000,
        measurements: livePhase?.measurements ?? [],
        logs: livePhase?.logs ?? [],
        error: phaseError,
      };
      this.publish('run.phaseEnded', { phase: record }, run.phaseSeq ?? run.runSeq);
      interrupted.push(record);
      run.phase = null;
    }
    const c = run.cleanup;
    if (c) {
      // The teardown itself hung or its runner died: cut it; the station makes the instruments safe.
      this.cfg.log('error', `socket ${this.index}: the teardown of run ${run.id} was cut: ${reason}`);
      if (c.stage === 'waiting') this.safeStating = this.safeStateHeld(c.held);
      this.finish(c.outcome, c.reason, interrupted);
      return;
    }
    const teardownLeft = this.live.run?.runId === run.id && this.live.run.phases.some((p) => p.group === 'teardown' && p.status === 'waiting');
    if (teardownLeft && !this.closing) {
      // The teardown still runs, in the fresh runner the exit handler starts; the run ends after it.
      try {
        if (interrupted.length) this.cfg.repo.insertPhases(run.id, interrupted);
      } catch (e) {
        this.cfg.onStoreError(e);
        this.cfg.log('error', `socket ${this.index}: could not journal phases of run ${run.id}: ${(e as Error).message}`);
      }
      run.cleanup = { outcome, reason, aborted: outcome === 'ABORTED', stage: 'waiting', spawned: false, held: [] };
      run.watch = null;
      if (run.abortTimer) clearTimeout(run.abortTimer);
      this.setState('cleanup', CLEANING_UP);
      return;
    }
    this.finish(outcome, reason, interrupted);
    // The killed runner's exit handler restarts it.
  }

  private finish(outcome: RunOutcome, outcomeReason: string | undefined, phases: PhaseRecord[]): void {
    const run = this.run;
    if (!run || run.ended) return;
    run.ended = true;
    this.disarmWatchdog();
    this.stopWatchdogTimer();
    if (run.abortTimer) clearTimeout(run.abortTimer);
    const endedAt = new Date().toISOString();
    const durationMs = Math.round(performance.now() - run.t0);
    const saveFailed = (why: string) => ({ outcome: 'ERROR' as const, outcomeReason: `results could not be saved: ${why}`, endedAt, durationMs });
    let end: { outcome: RunOutcome; outcomeReason?: string; endedAt: string; durationMs: number } = run.storeFailed
      ? saveFailed(run.storeFailed)
      : { outcome, ...(outcomeReason !== undefined ? { outcomeReason } : {}), endedAt, durationMs };
    const toWrite = [...run.unsaved, ...phases];
    const targets = this.cfg.uploadTargets();
    try {
      this.cfg.repo.finishRun(run.id, end, toWrite, targets);
    } catch (e) {
      const why = this.cfg.onStoreError(e);
      this.cfg.log('error', `socket ${this.index}: could not store the end of run ${run.id}: ${(e as Error).message}`);
      // What is shown is what will be stored: ERROR, written once space returns (a restart before that records ABORTED).
      if (!run.storeFailed) end = saveFailed(why);
      const stored = end;
      const id = run.id;
      this.cfg.deferWrite(() => this.cfg.repo.finishRun(id, stored, toWrite, targets));
    }
    const recorded = this.live.run?.phases.map((p) => ({ name: p.name, measurements: p.measurements })) ?? [];
    const failing = failingMeasurements(recorded as PhaseRecord[]).map(({ phase, measurement: m }) => ({
      phase,
      name: m.name,
      value: m.value,
      ...(m.units !== undefined ? { units: m.units } : {}),
      ...(m.reason !== undefined ? { reason: m.reason } : {}),
    }));
    this.publish('run.ended', { ...end, failing }, run.runSeq, run.id);
    this.run = null;
    if (this.reloadPending) {
      this.reloadPending = false;
      this.reload();
    }
    this.setState(this.runnerReady ? 'result' : 'starting');
  }

  private onRunnerExit(info: { code: number | null; signal: NodeJS.Signals | null; expected: boolean }): void {
    this.drainBatches();
    this.runnerReady = false;
    this.clearLoadTimer();
    const wasLoading = this.loading;
    const timedOut = this.loadTimedOut;
    this.loading = false;
    this.loadTimedOut = false;
    const held = [...this.held.values()];
    this.held.clear();
    for (const h of held)
      this.publish('instrument.changed', { ...h, state: 'closed', message: 'the runner stopped', since: new Date().toISOString() }, null, null);
    const how = info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
    if (!info.expected && !this.closing) {
      this.cfg.log('error', `socket ${this.index}: runner process ended unexpectedly (${how})`);
      this.publish('runner.changed', { state: 'crashed', message: `runner ended (${how})` }, null, null);
    }
    const run = this.run && !this.run.ended ? this.run : null;
    if (run && !this.closing) {
      if (run.cleanup?.stage === 'waiting' && run.cleanup.spawned) {
        // The fresh runner died before it could run the teardown: the station makes the instruments safe.
        this.cfg.log('error', `socket ${this.index}: the teardown of run ${run.id} could not run: the runner ended while loading (${how})`);
        this.safeStating = this.safeStateHeld([...run.cleanup.held, ...held]);
        this.finish(run.cleanup.outcome, run.cleanup.reason, []);
      } else if (!info.expected && run.cleanup?.stage !== 'waiting') {
        this.forceEnd('ERROR', message('reasonRunnerCrashed', { how }), { kind: 'runner-crashed', message: message('phaseRunnerEnded', { how }) });
      }
    }
    const waitingTeardown = this.run && !this.run.ended && this.run.cleanup?.stage === 'waiting' && !this.run.cleanup.spawned ? this.run.cleanup : null;
    if (waitingTeardown) {
      // Teardown first, in the fresh runner with the instruments open; the safe state follows it.
      waitingTeardown.held.push(...held);
    } else if (info.code !== 0 && held.length > 0) {
      // A runner that did not stop politely may have left a supply on: the station switches it
      // off over a fresh connection before a new runner starts.
      this.safeStating = this.safeStateHeld(held);
    }
    if (this.closing) {
      this.publish('runner.changed', { state: 'stopped' }, null, null);
      return;
    }
    if (wasLoading && !waitingTeardown) {
      const fault = timedOut ? loadTimeoutFault(join(this.cfg.procedureDir, 'phases.ts'), this.cfg.loadTimeoutMs) : info.expected ? null : this.exitFault(info);
      if (fault) {
        // A hang at import comes back every time; an exit may be a passing trouble: try again, backing off.
        if (!timedOut && this.loadExits < LOAD_RETRIES) {
          this.loadExits++;
          this.restartLater(250 * 2 ** (this.loadExits - 1));
          return;
        }
        this.loadExits = 0;
        if (this.lastGood && !this.loadingCopy) {
          this.fallBackAfter(fault);
          return;
        }
        this.failLoad(fault);
        return;
      }
    }
    // Restart, backing off if it keeps dying right after start.
    const t = Date.now();
    // Only crashes count toward the back-off: a kill we asked for (abort, watchdog) restarts at once.
    if (!info.expected) this.crashes = [...this.crashes.filter((c) => t - c < 60_000), t];
    this.restartLater(info.expected ? 0 : Math.min(30_000, 250 * 2 ** Math.max(0, this.crashes.length - 2)));
  }

  /** "the runner exited with code 3 while loading phases.ts", with the last lines it printed. */
  private exitFault(info: { code: number | null; signal: NodeJS.Signals | null }): StationFault {
    const file = join(this.cfg.procedureDir, 'phases.ts');
    const how = info.signal ? `was ended by ${info.signal}` : `exited with code ${info.code}`;
    const out = this.runner.lastOutput();
    const tail = out.length ? `\nIts last output:\n${out.join('\n')}` : '';
    return new StationFault('sequence.invalid', `the runner ${how} while loading ${file} (${LOAD_RETRIES + 1} tries)${tail}`, { file });
  }

  private fallBackAfter(fault: StationFault): void {
    this.publish('runner.changed', { state: 'restarting' }, null, null);
    void this.safeStating.then(() => {
      if (!this.closing) this.fallBackToLastGood(fault, true);
    });
  }

  private restartLater(delay: number): void {
    this.publish('runner.changed', { state: 'restarting' }, null, null);
    if (this.live.state !== 'result' && this.live.state !== 'cleanup') this.setState('starting');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      // The new runner opens the ports only once the station has let go of them.
      void this.safeStating.then(() => {
        if (!this.closing) this.spawnRunner();
      });
    }, delay);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.clearLoadTimer();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.run && !this.run.ended) this.forceEnd('ABORTED', message('reasonStationStopped'), { kind: 'aborted', message: message('phaseStationStopped') });
    await this.runner.stop();
    await this.safeStating;
  }
}
