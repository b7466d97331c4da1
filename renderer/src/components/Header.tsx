import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from '#contract/auth.ts';
import { canSee, type ScreenName } from '#contract/access.ts';
import type { Route } from '../router.ts';
import type { StationView } from '../api/station-view.ts';
import { shortHash } from './format.ts';
import { UploadIndicator } from './UploadIndicator.tsx';
import { ShiftYield } from './ShiftYield.tsx';

const CONNECTION = {
  connecting: { text: 'header.connecting', tone: 'wait' },
  live: { text: 'header.connected', tone: 'ok' },
  reconnecting: { text: 'header.reconnecting', tone: 'bad' },
} as const satisfies Record<StationView['connection'], { text: string; tone: string }>;

/** The screens in the navigation, each shown only to a role that may open it. */
const NAV = [
  { screen: 'history', href: '#/history', label: 'nav.history', current: ['history', 'run', 'unit', 'overlay'] },
  // Audit, People and Tokens are tabs beside it (SupervisorTabs), each shown to whom may open it.
  {
    screen: 'supervisor',
    href: '#/supervisor',
    label: 'nav.supervisor',
    current: ['supervisor', 'yield', 'pareto', 'spc', 'audit', 'procedures', 'settings', 'people', 'tokens'],
  },
] as const satisfies readonly { screen: ScreenName; href: string; label: string; current: readonly Route['name'][] }[];

interface Props {
  view: StationView;
  route: Route;
  /** The session's role (null: not logged in, or not known yet): the navigation shows what it may open. */
  role: Role | null;
  /** Who is logged in, with Log out or Log in. */
  session: ReactNode;
  /** The language menu. */
  language?: ReactNode;
}

export function Header({ view, route, role, session, language }: Props) {
  const { t } = useTranslation();
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
          <span className="station-name">{view.station?.name ?? t('header.station')}</span>
        </div>
      </div>
      <div className="procedure" aria-label={t('header.procedureLabel')}>
        {distinct.length > 1 ? (
          // Sockets run different procedures: each socket's panel names its own; the header says there are several.
          <span
            className="procedure-name"
            title={view.sockets
              .map((s) =>
                s.procedure ? t('header.socketProcedure', { socket: s.socket + 1, name: s.procedure.name, version: s.procedure.version }) : '',
              )
              .join('\n')}
          >
            {t('header.procedures', { count: distinct.length })}
          </span>
        ) : proc ? (
          <>
            <span className="procedure-name">{proc.name}</span>
            <span className="procedure-version">
              {t('header.version', { version: proc.version })}
              <span className="procedure-hash" title={t('header.procedureHash', { hash: proc.hash })}>
                {' '}
                · {shortHash(proc.hash)}
              </span>
            </span>
          </>
        ) : view.procedureError ? (
          <span className="procedure-name procedure-name--error">{t('header.noProcedure')}</span>
        ) : (
          <span className="procedure-name procedure-name--muted">{t('header.loadingProcedure')}</span>
        )}
      </div>
      {route.name !== 'operator' && active.length > 0 ? (
        <a href="#/" className={`header-alert${asking ? ' header-alert--prompt' : ''}`}>
          {asking
            ? t('header.questionWaiting')
            : active.length === 1
              ? t('header.testing', { serial: active[0]!.run!.unit.serialNumber })
              : t('header.unitsTesting', { count: active.length })}
        </a>
      ) : null}
      {/* Before the navigation: from the serial field, Shift+Tab reaches Log in, then the screens. */}
      {language}
      <nav className="app-nav" aria-label={t('header.mainNav')}>
        <a href="#/" aria-current={route.name === 'operator' ? 'page' : undefined}>
          {t('nav.station')}
        </a>
        {NAV.filter((n) => canSee(role, n.screen)).map((n) => (
          <a key={n.screen} href={n.href} aria-current={(n.current as readonly string[]).includes(route.name) ? 'page' : undefined}>
            {t(n.label)}
          </a>
        ))}
      </nav>
      {/* The operator's screen only: the supervisor's screens have Yield, and on them the header's room goes to the procedure's name. */}
      {route.name === 'operator' ? <ShiftYield initial={view.shiftYield} /> : null}
      <UploadIndicator upload={view.upload} />
      {session}
      <div className={`connection connection--${conn.tone}`} role="status" aria-label={t('header.connectionLabel')}>
        <span className="connection-dot" aria-hidden="true" />
        {t(conn.text)}
      </div>
    </header>
  );
}
