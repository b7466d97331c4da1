import { startTransition, useEffect, useState } from 'react';

export type Route =
  | { name: 'operator' }
  | { name: 'history' }
  | { name: 'run'; runId: string }
  | { name: 'unit'; serial: string }
  | { name: 'supervisor' }
  | { name: 'audit' }
  | { name: 'procedures' }
  | { name: 'people' }
  | { name: 'tokens' }
  | { name: 'settings' }
  /** `from`: the path to go back to once logged in. */
  | { name: 'login'; from: string }
  | { name: 'not-found'; path: string };

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
