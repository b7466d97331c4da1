import { z } from 'zod';
import { AttachmentSchema, LogEntrySchema, MeasurementSchema, PhaseErrorSchema, PhaseOutcomeSchema, ProcedureRefSchema, RunOutcomeSchema, UnitSchema } from './records.ts';
import { PromptSchema } from './prompts.ts';
import { SocketStateSchema, type StationEvent } from './events.ts';
import { InstrumentStatusSchema } from './instruments.ts';

/**
 * The live view of each socket, derived from events by one pure reducer that the
 * station (for snapshots) and the renderer (for live updates) share.
 */
export const LivePhaseSchema = z.object({
  index: z.number().int(),
  name: z.string(),
  title: z.string().optional(),
  group: z.enum(['setup', 'main', 'teardown']),
  status: z.union([z.enum(['waiting', 'running']), PhaseOutcomeSchema]),
  attempt: z.number().int(),
  startedAt: z.string().optional(),
  durationMs: z.number().optional(),
  measurements: z.array(MeasurementSchema),
  logs: z.array(LogEntrySchema),
  error: PhaseErrorSchema.optional(),
  progress: z.number().optional(),
  message: z.string().optional(),
  attachments: z.array(AttachmentSchema).optional(),
});
export type LivePhase = z.infer<typeof LivePhaseSchema>;

export const LiveRunSchema = z.object({
  runId: z.string(),
  unit: UnitSchema,
  procedure: ProcedureRefSchema,
  operatorId: z.string().optional(),
  startedAt: z.string(),
  phases: z.array(LivePhaseSchema),
  outcome: RunOutcomeSchema.optional(),
  outcomeReason: z.string().optional(),
  endedAt: z.string().optional(),
  durationMs: z.number().optional(),
  failing: z.array(z.object({ phase: z.string(), name: z.string(), value: z.unknown(), units: z.string().optional(), reason: z.string().optional() })).default([]),
});
export type LiveRun = z.infer<typeof LiveRunSchema>;

export const LiveSocketSchema = z.object({
  socket: z.number().int(),
  state: SocketStateSchema,
  message: z.string().optional(),
  runner: z.enum(['starting', 'ready', 'crashed', 'restarting', 'stopped']),
  run: LiveRunSchema.nullable(),
  prompt: PromptSchema.nullable(),
  /** The runner's instruments, by name order; a disconnected one says why. */
  instruments: z.array(InstrumentStatusSchema).optional(),
  /** The fixture scanned on this socket. */
  fixtureId: z.string().nullable().optional(),
});
export type LiveSocket = z.infer<typeof LiveSocketSchema>;

export function emptySocket(socket: number): LiveSocket {
  return { socket, state: 'starting', runner: 'starting', run: null, prompt: null };
}

/** Keep at most this many log lines per live phase, so a chatty phase cannot grow the UI without bound. */
const LIVE_LOG_LIMIT = 200;

/** Applies one event to a socket's live view, returning a new object (never mutates). */
export function applySocketEvent(s: LiveSocket, e: StationEvent): LiveSocket {
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
        run: { ...s.run, phases, outcome: e.data.outcome, outcomeReason: e.data.outcomeReason, endedAt: e.data.endedAt, durationMs: e.data.durationMs, failing: e.data.failing },
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
    case 'run.attached':
      return updatePhase(s, e.runId, e.data.index, (p) => ({ ...p, attachments: [...(p.attachments ?? []), e.data.attachment] }));
    case 'prompt.closed':
    case 'prompt.answered':
      return s.prompt?.id === e.data.promptId ? { ...s, prompt: null } : s;
    default:
      return s;
  }
}

function updatePhase(s: LiveSocket, runId: string | null, index: number, f: (p: LivePhase) => LivePhase): LiveSocket {
  if (!s.run || s.run.runId !== runId) return s;
  const phase = s.run.phases[index];
  if (!phase) return s;
  const phases = s.run.phases.slice();
  phases[index] = f(phase);
  return { ...s, run: { ...s.run, phases } };
}
