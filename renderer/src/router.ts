import { startTransition, useEffect, useState } from 'react';

export type Route =
  | { name: 'operator' }
  /** `failure`: the runs behind one Pareto bar instead of the filtered list. */
  | { name: 'history'; failure?: FailureLink }
  | { name: 'run'; runId: string }
  | { name: 'unit'; serial: string }
  /** Several runs' series of one measurement, overlaid (from History or a run's plot). */
  | { name: 'overlay'; query: OverlayQuery }
  | { name: 'supervisor' }
  | { name: 'yield'; query: StatsQuery; groupBy: string | undefined }
  | { name: 'pareto'; query: StatsQuery; by: ParetoKind }
  | { name: 'spc'; query: StatsQuery; measurement: string | undefined }
  | { name: 'audit' }
  | { name: 'procedures' }
  | { name: 'people' }
  | { name: 'tokens' }
  | { name: 'settings' }
  /** `from`: the path to go back to once logged in. */
  | { name: 'login'; from: string }
  | { name: 'not-found'; path: string };

/** Which runs' series the overlay shows: the newest `last` runs of a procedure and part number. */
export interface OverlayQuery {
  procedureId?: string | undefined;
  partNumber?: string | undefined;
  /** The measurement as "phase.name"; the phase may itself hold dots, the name is after the last one. */
  measurement?: string | undefined;
  last: number;
  outcome?: 'PASS' | 'FAIL' | undefined;
}

export const OVERLAY_SIZES = [10, 20, 50, 100, 200] as const;

function overlayQuery(search: string): OverlayQuery {
  const p = new URLSearchParams(search);
  const text = (k: string): string | undefined => p.get(k)?.trim() || undefined;
  const last = Number(p.get('last'));
  const outcome = p.get('outcome');
  return {
    procedureId: text('procedure'),
    partNumber: text('part'),
    measurement: text('measurement'),
    last: Number.isInteger(last) && last >= 1 && last <= 200 ? last : 50,
    outcome: outcome === 'PASS' || outcome === 'FAIL' ? outcome : undefined,
  };
}

export function overlayHref(q: Partial<OverlayQuery>): string {
  const p = new URLSearchParams();
  if (q.procedureId) p.set('procedure', q.procedureId);
  if (q.partNumber) p.set('part', q.partNumber);
  if (q.measurement) p.set('measurement', q.measurement);
  if (q.last) p.set('last', String(q.last));
  if (q.outcome) p.set('outcome', q.outcome);
  const s = p.toString();
  return s ? `#/overlay?${s}` : '#/overlay';
}

/**
 * What the supervisor's statistics screens look at, as the address keeps it (so a link or a
 * reload shows the same): a procedure, a version, and local days (yyyy-mm-dd, `to` included).
 */
export interface StatsQuery {
  procedureId?: string | undefined;
  version?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export type ParetoKind = 'measurement' | 'phase' | 'failureCode';
const PARETO_KINDS: readonly ParetoKind[] = ['measurement', 'phase', 'failureCode'];

/** The runs behind a Pareto bar, as History lists them (stats.failureRuns). */
export interface FailureLink extends StatsQuery {
  procedureId: string;
  by: ParetoKind;
  key: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function statsQuery(p: URLSearchParams): StatsQuery {
  const text = (k: string): string | undefined => p.get(k)?.trim() || undefined;
  const day = (k: string): string | undefined => (DAY.test(p.get(k) ?? '') ? p.get(k)! : undefined);
  return { procedureId: text('procedure'), version: text('version'), from: day('from'), to: day('to') };
}

function statsParams(q: StatsQuery, extra: Record<string, string | undefined> = {}): string {
  const p = new URLSearchParams();
  const all: Record<string, string | undefined> = { procedure: q.procedureId, version: q.version, from: q.from, to: q.to, ...extra };
  for (const [k, v] of Object.entries(all)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function yieldHref(q: StatsQuery, groupBy?: string): string {
  return `#/yield${statsParams(q, { group: groupBy })}`;
}

export function paretoHref(q: StatsQuery, by?: ParetoKind): string {
  return `#/pareto${statsParams(q, { by: by === 'measurement' ? undefined : by })}`;
}

export function spcHref(q: StatsQuery, measurement?: string): string {
  return `#/spc${statsParams(q, { measurement })}`;
}

export function failureRunsHref(f: FailureLink): string {
  return `#/history${statsParams(f, { by: f.by, key: f.key })}`;
}

/** Hash routes work the same from the headless server and from file:// in Electron. */
export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '') return { name: 'operator' };
  if (path === '/history') return { name: 'history' };
  const q = /^\/(history|yield|pareto|spc)(?:\?(.*))?$/.exec(path);
  if (q) {
    const p = new URLSearchParams(q[2] ?? '');
    const query = statsQuery(p);
    const by = PARETO_KINDS.find((k) => k === p.get('by')) ?? 'measurement';
    if (q[1] === 'yield') return { name: 'yield', query, groupBy: p.get('group') || undefined };
    if (q[1] === 'pareto') return { name: 'pareto', query, by };
    if (q[1] === 'spc') return { name: 'spc', query, measurement: p.get('measurement')?.trim() || undefined };
    const key = p.get('key');
    return query.procedureId && key !== null ? { name: 'history', failure: { ...query, procedureId: query.procedureId, by, key } } : { name: 'history' };
  }
  if (path === '/supervisor') return { name: 'supervisor' };
  if (path === '/audit') return { name: 'audit' };
  if (path === '/procedures') return { name: 'procedures' };
  if (path === '/people') return { name: 'people' };
  if (path === '/tokens') return { name: 'tokens' };
  if (path === '/settings') return { name: 'settings' };
  const o = /^\/overlay(?:\?(.*))?$/.exec(path);
  if (o) return { name: 'overlay', query: overlayQuery(o[1] ?? '') };
  const l = /^\/login(?:\?from=(.*))?$/.exec(path);
  if (l) return { name: 'login', from: l[1] ? decodeURIComponent(l[1]) : '/' };
  const u = /^\/units\/([^/]+)$/.exec(path);
  if (u) return { name: 'unit', serial: decodeURIComponent(u[1]!) };
  const m = /^\/runs\/([^/]+)$/.exec(path);
  if (m) return { name: 'run', runId: decodeURIComponent(m[1]!) };
  return { name: 'not-found', path };
}

export function runHref(runId: string): string {
  return `#/runs/${encodeURIComponent(runId)}`;
}

export function unitHref(serial: string): string {
  return `#/units/${encodeURIComponent(serial)}`;
}

/** The Log in page, coming back to `from` (a path such as `/history`) once logged in. */
export function loginHref(from: string): string {
  return from === '/' || from.startsWith('/login') ? '#/login' : `#/login?from=${encodeURIComponent(from)}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    // A transition: the current screen stays up while the next one's code loads.
    const onChange = (): void => startTransition(() => setRoute(parseHash(location.hash)));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
