import { startTransition, useEffect, useState } from 'react';

export type Route =
  | { name: 'operator' }
  | { name: 'history' }
  | { name: 'run'; runId: string }
  | { name: 'unit'; serial: string }
  /** Several runs' series of one measurement, overlaid (from History or a run's plot). */
  | { name: 'overlay'; query: OverlayQuery }
  | { name: 'supervisor' }
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

/** Hash routes work the same from the headless server and from file:// in Electron. */
export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '') return { name: 'operator' };
  if (path === '/history') return { name: 'history' };
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
