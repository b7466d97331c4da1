import type { PlantSocket, PlantStation, YieldCount } from '#contract/plant.ts';

/** What a station is doing, in words (the colour only repeats it). */
export type StationTone = 'testing' | 'idle' | 'silent' | 'stopped' | 'error' | 'unknown';

const time = (iso: string): string => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dayTime = (iso: string, now: Date): string => {
  const d = new Date(iso);
  return d.toDateString() === now.toDateString() ? time(iso) : `${d.toLocaleDateString()} ${time(iso)}`;
};

export function stationStatus(s: PlantStation, now = new Date()): { tone: StationTone; text: string } {
  if (s.state === 'unknown') return { tone: 'unknown', text: 'Sends runs, no state' };
  if (s.state === 'stopped') return { tone: 'stopped', text: `Stopped at ${dayTime(s.lastSeen, now)}` };
  if (s.silent) return { tone: 'silent', text: `Silent since ${dayTime(s.lastSeen, now)}` };
  if (s.sockets.some(isTesting))
    return { tone: 'testing', text: s.sockets.filter(isTesting).length > 1 ? `Testing ${s.sockets.filter(isTesting).length} units` : 'Testing' };
  if (s.sockets.some((k) => k.state === 'error')) return { tone: 'error', text: 'Error' };
  return { tone: 'idle', text: 'Idle' };
}

export const isTesting = (k: PlantSocket): boolean => k.state === 'running' || k.state === 'cleanup';

export function socketText(k: PlantSocket): string {
  switch (k.state) {
    case 'running':
      return k.phase ? `Testing — ${k.phase}` : 'Testing — starting';
    case 'cleanup':
      return 'Cleaning up';
    case 'result':
      return 'Done';
    case 'idle':
    case 'ready':
      return 'Idle';
    case 'error':
      return 'Error';
    case 'starting':
      return 'Starting';
    default:
      return k.state;
  }
}

/** "96.2 %" of the finished runs that passed; "—" before any. */
export function yieldText(c: YieldCount): string {
  if (c.runs === 0) return '—';
  return `${((100 * c.passed) / c.runs).toFixed(1)} %`;
}

export { time as clockTime, dayTime };
