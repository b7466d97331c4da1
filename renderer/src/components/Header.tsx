import type { ReactNode } from 'react';
import type { Role } from '#contract/auth.ts';
import { canSee, type ScreenName } from '#contract/access.ts';
import type { Route } from '../router.ts';
import type { StationView } from '../api/station-view.ts';
import { shortHash } from './format.ts';
import { UploadIndicator } from './UploadIndicator.tsx';
import { ShiftYield } from './ShiftYield.tsx';

const CONNECTION: Record<StationView['connection'], { text: string; tone: string }> = {
  connecting: { text: 'Connecting…', tone: 'wait' },
  live: { text: 'Connected', tone: 'ok' },
  reconnecting: { text: 'Reconnecting…', tone: 'bad' },
};

/** The screens in the navigation, each shown only to a role that may open it. */
const NAV: readonly { screen: ScreenName; href: string; label: string; current: readonly Route['name'][] }[] = [
  { screen: 'history', href: '#/history', label: 'History', current: ['history', 'run', 'unit', 'overlay'] },
  // Audit, People and Tokens are tabs beside it (SupervisorTabs), each shown to whom may open it.
  {
    screen: 'supervisor',
    href: '#/supervisor',
    label: 'Supervisor',
    current: ['supervisor', 'yield', 'pareto', 'spc', 'audit', 'procedures', 'settings', 'people', 'tokens'],
  },
];

interface Props {
  view: StationView;
  route: Route;
  /** The session's role (null: not logged in, or not known yet): the navigation shows what it may open. */
  role: Role | null;
  /** Who is logged in, with Log out or Log in. */
  session: ReactNode;
}

export function Header({ view, route, role, session }: Props) {
  const conn = CONNECTION[view.connection];
  const proc = view.procedure;
  const distinct = [...new Map(view.sockets.flatMap((s) => (s.procedure ? [[s.procedure.hash, s.procedure] as const] : []))).values()];
  // Away from the station screen, a run in progress (and above all an open question) stays in sight.
  const active = view.sockets.filter((s) => s.run !== null && s.run.outcome === undefined);
  const asking = active.some((s) => s.prompt !== null);
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <div className="brand-text">
          <span className="brand-name">Passline</span>
          <span className="station-name">{view.station?.name ?? 'Station'}</span>
        </div>
      </div>
      <div className="procedure" aria-label="Test procedure">
        {distinct.length > 1 ? (
          // Sockets run different procedures: each socket's panel names its own; the header says there are several.
          <span
            className="procedure-name"
            title={view.sockets.map((s) => (s.procedure ? `Socket ${s.socket + 1}: ${s.procedure.name} v${s.procedure.version}` : '')).join('\n')}
          >
            {distinct.length} procedures
          </span>
        ) : proc ? (
          <>
            <span className="procedure-name">{proc.name}</span>
            <span className="procedure-version">
              v{proc.version}
              <span className="procedure-hash" title={`Procedure hash ${proc.hash}`}>
                {' '}
                · {shortHash(proc.hash)}
              </span>
            </span>
          </>
        ) : view.procedureError ? (
          <span className="procedure-name procedure-name--error">No procedure loaded</span>
        ) : (
          <span className="procedure-name procedure-name--muted">Loading procedure…</span>
        )}
      </div>
      {route.name !== 'operator' && active.length > 0 ? (
        <a href="#/" className={`header-alert${asking ? ' header-alert--prompt' : ''}`}>
          {asking ? 'Question waiting' : active.length === 1 ? `Testing ${active[0]!.run!.unit.serialNumber}` : `${active.length} units testing`}
        </a>
      ) : null}
      <nav className="app-nav" aria-label="Main">
        <a href="#/" aria-current={route.name === 'operator' ? 'page' : undefined}>
          Station
        </a>
        {NAV.filter((n) => canSee(role, n.screen)).map((n) => (
          <a key={n.screen} href={n.href} aria-current={n.current.includes(route.name) ? 'page' : undefined}>
            {n.label}
          </a>
        ))}
      </nav>
      <ShiftYield initial={view.shiftYield} />
      <UploadIndicator upload={view.upload} />
      {session}
      <div className={`connection connection--${conn.tone}`} role="status" aria-label="Connection">
        <span className="connection-dot" aria-hidden="true" />
        {conn.text}
      </div>
    </header>
  );
}
