/**
 * The pure reducer from events to a socket's live view (its schemas are in live.ts). It
 * imports only types, so a screen applies events without loading zod and every schema.
 */
import type { StationEvent } from './events.ts';
import type { LivePhase, LiveSocket } from './live.ts';

export function emptySocket(socket: number): LiveSocket {
  return { socket, state: 'starting', runner: 'starting', run: null, prompt: null };
}

/** Keep at most this many log lines per live phase, so a chatty phase cannot grow the UI without bound. */
const LIVE_LOG_LIMIT = 200;

/**
 * Applies one event to a socket's live view, returning a new object (never mutates), with
 * one exception the caller asks for: `ownsPhases` says the run's phases array has never been
 * handed to anyone else (the station's socket knows), so a phase's update is written into it
 * instead of copying it. A copy per event made a 1000-phase run cost 2000 copies of a
 * 1000-element array (quadratic, and most of the station's garbage).
 */
export function applySocketEvent(s: LiveSocket, e: StationEvent, ownsPhases = false): LiveSocket {
  const updatePhase = ownsPhases ? updateOwnedPhase : updatePhaseCopy;
  switch (e.kind) {
    case 'socket.changed':
      return { ...s, state: e.data.state, message: e.data.message };
    case 'runner.changed':
      return { ...s, runner: e.data.state };
    case 'run.started':
      return {
        ...s,
        prompt: null,
        run: {
          runId: e.runId ?? '',
          unit: e.data.unit,
          procedure: e.data.procedure,
          operatorId: e.data.operatorId,
          startedAt: e.data.startedAt,
          failing: [],
          phases: e.data.plannedPhases.map((p, index) => ({
            index,
            name: p.name,
            title: p.title,
            ...(p.titles !== undefined ? { titles: p.titles } : {}),
            group: p.group,
            status: 'waiting',
            attempt: 1,
            measurements: [],
            logs: [],
          })),
        },
      };
    case 'run.phaseStarted':
      return updatePhase(s, e.runId, e.data.index, (p) => ({
        ...p,
        status: 'running',
        attempt: e.data.attempt,
        startedAt: e.data.startedAt,
        measurements: [],
        logs: [],
        error: undefined,
        progress: undefined,
        message: undefined,
        attachments: undefined,
      }));
    case 'run.measured':
      return updatePhase(s, e.runId, e.data.index, (p) => ({ ...p, measurements: p.measurements.concat(e.data.measurements) }));
    case 'run.logged':
      if (e.data.index === null) return s;
      return updatePhase(s, e.runId, e.data.index, (p) => ({ ...p, logs: [...p.logs, e.data.log].slice(-LIVE_LOG_LIMIT) }));
    case 'run.phaseEnded': {
      const r = e.data.phase;
      return updatePhase(s, e.runId, r.index, (p) => ({
        ...p,
        status: r.outcome,
        attempt: r.attempt,
        startedAt: r.startedAt,
        durationMs: r.durationMs,
        measurements: r.measurements,
        logs: r.logs.slice(-LIVE_LOG_LIMIT),
        error: r.error,
        ...(r.attachments ? { attachments: r.attachments } : {}),
      }));
    }
    case 'run.ended': {
      if (!s.run || s.run.runId !== e.runId) return s;
      const phases = s.run.phases.map((p) =>
        p.status === 'running' ? { ...p, status: e.data.outcome === 'ABORTED' ? ('ABORTED' as const) : ('ERROR' as const) } : p,
      );
      return {
        ...s,
        prompt: null,
        run: {
          ...s.run,
          phases,
          outcome: e.data.outcome,
          outcomeReason: e.data.outcomeReason,
          endedAt: e.data.endedAt,
          durationMs: e.data.durationMs,
          failing: e.data.failing,
        },
      };
    }
    case 'prompt.opened':
      return { ...s, prompt: e.data.prompt };
    case 'run.progressed':
      return updatePhase(s, e.runId, e.data.index, (p) => ({
        ...p,
        ...(e.data.progress !== undefined ? { progress: e.data.progress } : {}),
        ...(e.data.message !== undefined ? { message: e.data.message } : {}),
      }));
    case 'instrument.changed': {
      const others = (s.instruments ?? []).filter((i) => i.name !== e.data.name);
      return { ...s, instruments: [...others, e.data].sort((a, b) => a.name.localeCompare(b.name)) };
    }
    case 'fixture.changed':
      return { ...s, fixtureId: e.data.fixtureId };
    case 'procedure.loaded':
      // Each socket may run its own procedure (settings.socketProcedures): its serial form and phases follow it.
      return { ...s, procedure: e.data.procedure };
    case 'run.attached':
      return updatePhase(s, e.runId, e.data.index, (p) => ({ ...p, attachments: [...(p.attachments ?? []), e.data.attachment] }));
    case 'prompt.closed':
    case 'prompt.answered':
      return s.prompt?.id === e.data.promptId ? { ...s, prompt: null } : s;
    default:
      return s;
  }
}

type PhaseUpdate = (s: LiveSocket, runId: string | null, index: number, f: (p: LivePhase) => LivePhase) => LiveSocket;

const updatePhaseCopy: PhaseUpdate = (s, runId, index, f) => {
  if (!s.run || s.run.runId !== runId) return s;
  const phase = s.run.phases[index];
  if (!phase) return s;
  const phases = s.run.phases.slice();
  phases[index] = f(phase);
  return { ...s, run: { ...s.run, phases } };
};

const updateOwnedPhase: PhaseUpdate = (s, runId, index, f) => {
  if (!s.run || s.run.runId !== runId) return s;
  const phase = s.run.phases[index];
  if (!phase) return s;
  s.run.phases[index] = f(phase);
  return { ...s, run: { ...s.run } };
};
